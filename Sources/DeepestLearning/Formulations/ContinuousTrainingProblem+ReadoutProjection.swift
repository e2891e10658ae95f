import NumericCore

extension ContinuousTrainingProblem {
    /// The readout's part of the action as a function of the final states X = (x_1(T)..x_M(T)) and the
    /// readout β = (C, c): Φ(X, β) = R_out Σ_k φ_k(x_k; β) + (μ/2)|β|².
    ///
    /// Variable projection (Golub–Pereyra) eliminates β: Ψ(X) = min_β Φ(X, β) = Φ(X, β*(X)). Because
    /// ∂_βΦ(X, β*) = 0, ∇Ψ(X) = ∂_XΦ(X, β*(X)) (envelope theorem) and ∇²Ψ = Φ_XX − Φ_Xβ Φ_ββ⁻¹ Φ_βX
    /// (differentiate ∂_βΦ(X, β*(X)) = 0 for ∂β*/∂X). Derivation: Notes/readout-projection.md.
    ///
    /// β*(X) for the M×d final states at `states` (contiguous) into `beta` (readout layout: C row-major,
    /// then c). Least squares: the ridge regression (R_out ZᵀZ + μI) B = R_out ZᵀY with Z = [X, 1],
    /// one (d+1)×(d+1) factorisation for all l outputs, O(M d² + d³ + M d l). Softmax cross-entropy:
    /// damped Newton from β = 0 on the strictly convex Φ(X, ·) (Armijo backtracking, at most 50
    /// iterations, stopping when the full step is below 1e-13·max(1, |β|∞); O(M l² d² + k³) per
    /// iteration, k = l(d+1)). Returns false when the inner problem fails (singular matrix or no
    /// convergence), leaving `beta` undefined.
    public func projectReadout(states: UnsafePointer<Double>, tikhonov mu: Double, into beta: UnsafeMutablePointer<Double>) -> Bool {
        let d = field.stateDimension, m = samples, l = readout.outputs, k = readout.parameterCount(width: d)
        let width = readout.targetWidth, weight = outputWeight
        return targets.withUnsafeBufferPointer { targetBuffer in
            let t = targetBuffer.baseAddress!
            switch readout {
            case .leastSquares:
                let e = d + 1
                return withUnsafeTemporaryAllocation(of: Double.self, capacity: e * e + e * l) { buffer in
                    withUnsafeTemporaryAllocation(of: Int.self, capacity: e) { pivots in
                        let g = buffer.baseAddress!, rhs = g + e * e
                        ridgeMatrix(states: states, tikhonov: mu, into: g)
                        rhs.update(repeating: 0, count: e * l)
                        for s in 0..<m {
                            let x = states + s * d, y = t + s * width
                            for i in 0..<l {
                                let scaled = weight * y[i]
                                for j in 0..<d { rhs[j * l + i] += scaled * x[j] }
                                rhs[d * l + i] += scaled
                            }
                        }
                        guard DenseLU.factor(g, dimension: e, pivots: pivots.baseAddress!) == nil else { return false }
                        DenseLU.solve(factors: g, dimension: e, pivots: pivots.baseAddress!, rhs: rhs, columns: l)
                        for i in 0..<l {
                            for j in 0..<d { beta[i * d + j] = rhs[j * l + i] }
                            beta[l * d + i] = rhs[d * l + i]
                        }
                        return true
                    }
                }
            case .softmaxCrossEntropy:
                return withUnsafeTemporaryAllocation(of: Double.self, capacity: k * k + 4 * k + d * d + d * k + 2 * l + l * l + l * d + d) { buffer in
                    withUnsafeTemporaryAllocation(of: Int.self, capacity: k) { pivots in
                        let hessian = buffer.baseAddress!, gradient = hessian + k * k, step = gradient + k
                        let trial = step + k, ignoredGradient = trial + k, xx = ignoredGradient + k, xr = xx + d * d
                        let scratch = xr + d * k, gradX = scratch + 2 * l + l * l + l * d
                        /// Φ(X, b) (and, when `derivatives`, its gradient and Hessian in b).
                        func objective(_ b: UnsafePointer<Double>, derivatives: Bool) -> Double {
                            var value = 0.0
                            let g = derivatives ? gradient : ignoredGradient
                            g.update(repeating: 0, count: k)
                            if derivatives { hessian.update(repeating: 0, count: k * k) }
                            for s in 0..<m {
                                let x = states + s * d, y = t + s * width
                                value += weight * readout.loss(x: x, parameters: b, width: d, target: y, weight: weight,
                                                               gradX: gradX, gradParameters: g, scratch: scratch)
                                if derivatives {
                                    readout.accumulateHessian(x: x, parameters: b, width: d, target: y, weight: weight,
                                                              xx: xx, xr: xr, rr: hessian, scratch: scratch)
                                }
                            }
                            for i in 0..<k {
                                value += 0.5 * mu * b[i] * b[i]
                                g[i] += mu * b[i]
                                if derivatives { hessian[i * k + i] += mu }
                            }
                            return value
                        }
                        beta.update(repeating: 0, count: k)
                        for _ in 0..<50 {
                            xx.update(repeating: 0, count: d * d)
                            xr.update(repeating: 0, count: d * k)
                            let value = objective(beta, derivatives: true)
                            for i in 0..<k { step[i] = -gradient[i] }
                            guard DenseLU.factor(hessian, dimension: k, pivots: pivots.baseAddress!) == nil else { return false }
                            DenseLU.solve(factors: hessian, dimension: k, pivots: pivots.baseAddress!, rhs: step, columns: 1)
                            var slope = 0.0, largestStep = 0.0, largestBeta = 0.0
                            for i in 0..<k {
                                slope += gradient[i] * step[i]
                                largestStep = max(largestStep, abs(step[i]))
                                largestBeta = max(largestBeta, abs(beta[i]))
                            }
                            if largestStep <= 1e-13 * max(1, largestBeta) {
                                for i in 0..<k { beta[i] += step[i] }
                                return true
                            }
                            var fraction = 1.0
                            while fraction > 1e-10 {
                                for i in 0..<k { trial[i] = beta[i] + fraction * step[i] }
                                if objective(trial, derivatives: false) <= value + 1e-4 * fraction * slope + 1e-14 * abs(value) { break }
                                fraction *= 0.5
                            }
                            for i in 0..<k { beta[i] += fraction * step[i] }
                        }
                        return false
                    }
                }
            }
        }
    }

    /// G = R_out Σ_k z_k z_kᵀ + μI with z_k = (x_k, 1): the (d+1)×(d+1) matrix of the least-squares ridge
    /// regression, also the block of Φ_ββ belonging to each output.
    func ridgeMatrix(states: UnsafePointer<Double>, tikhonov mu: Double, into g: UnsafeMutablePointer<Double>) {
        let d = field.stateDimension, e = d + 1
        g.update(repeating: 0, count: e * e)
        for s in 0..<samples {
            let x = states + s * d
            for a in 0..<d {
                for b in 0..<d { g[a * e + b] += outputWeight * x[a] * x[b] }
                g[a * e + d] += outputWeight * x[a]
            }
        }
        for a in 0..<d { g[d * e + a] = g[a * e + d] }
        g[d * e + d] = outputWeight * Double(samples)
        for a in 0..<e { g[a * e + a] += mu }
    }

    /// Adds ∇²Ψ(X) = Φ_XX − Φ_Xβ Φ_ββ⁻¹ Φ_βX (Md×Md, the derivative of the projected end rows
    /// R_out∇ₓφ_k(x_k; β*(X)) in the final states) at `out` with row stride `stride`, β* = `beta`.
    /// Φ_XX is block diagonal (R_out CᵀS_kC per sample) and Φ_Xβ has a d×k block per sample; Φ_ββ is
    /// solved per output with the ridge matrix G (least squares: Φ_ββ = I_l ⊗ G up to ordering) or by a
    /// dense k×k LU (softmax). Cost O(M l² d² + M d k² + (Md)² k). Writes NaN when Φ_ββ is singular.
    func addProjectedCurvature(states: UnsafePointer<Double>, beta: UnsafePointer<Double>, tikhonov mu: Double,
                               into out: UnsafeMutablePointer<Double>, stride: Int) {
        let d = field.stateDimension, m = samples, l = readout.outputs, k = readout.parameterCount(width: d)
        let width = readout.targetWidth, rows = m * d, e = d + 1
        let scratchCount = 2 * l + l * l + l * d
        withUnsafeTemporaryAllocation(of: Double.self, capacity: 2 * rows * k + k * k + d * d + scratchCount + e * e + e * rows) { buffer in
            withUnsafeTemporaryAllocation(of: Int.self, capacity: k) { pivots in
                let coupling = buffer.baseAddress!, solved = coupling + rows * k, curvature = solved + rows * k
                let xx = curvature + k * k, scratch = xx + d * d, g = scratch + scratchCount, block = g + e * e
                curvature.update(repeating: 0, count: k * k)
                targets.withUnsafeBufferPointer { t in
                    for s in 0..<m {
                        xx.update(repeating: 0, count: d * d)
                        let xr = coupling + s * d * k
                        xr.update(repeating: 0, count: d * k)
                        readout.accumulateHessian(x: states + s * d, parameters: beta, width: d, target: t.baseAddress! + s * width,
                                                  weight: outputWeight, xx: xx, xr: xr, rr: curvature, scratch: scratch)
                        for i in 0..<d { for j in 0..<d { out[(s * d + i) * stride + s * d + j] += xx[i * d + j] } }
                    }
                }
                // solved (k × rows) = Φ_ββ⁻¹ Φ_βX, Φ_βX = couplingᵀ.
                for a in 0..<k { for r in 0..<rows { solved[a * rows + r] = coupling[r * k + a] } }
                var factored = true
                switch readout {
                case .leastSquares:
                    ridgeMatrix(states: states, tikhonov: mu, into: g)
                    factored = DenseLU.factor(g, dimension: e, pivots: pivots.baseAddress!) == nil
                    for i in 0..<l where factored {
                        for j in 0..<d { (block + j * rows).update(from: solved + (i * d + j) * rows, count: rows) }
                        (block + d * rows).update(from: solved + (l * d + i) * rows, count: rows)
                        DenseLU.solve(factors: g, dimension: e, pivots: pivots.baseAddress!, rhs: block, columns: rows)
                        for j in 0..<d { (solved + (i * d + j) * rows).update(from: block + j * rows, count: rows) }
                        (solved + (l * d + i) * rows).update(from: block + d * rows, count: rows)
                    }
                case .softmaxCrossEntropy:
                    for a in 0..<k { curvature[a * k + a] += mu }
                    factored = DenseLU.factor(curvature, dimension: k, pivots: pivots.baseAddress!) == nil
                    if factored {
                        DenseLU.solve(factors: curvature, dimension: k, pivots: pivots.baseAddress!, rhs: solved, columns: rows)
                    }
                }
                guard factored else {
                    for r in 0..<rows { for c in 0..<rows { out[r * stride + c] = .nan } }
                    return
                }
                BLAS.gemm(m: rows, n: rows, k: k, alpha: -1, a: coupling, lda: k, b: solved, ldb: rows, beta: 1,
                          c: out, ldc: stride)
            }
        }
    }

    /// Ψ(X) = min_β Φ(X, β) and β*(X) for final states X (M×d, row-major): the projected data misfit
    /// plus the readout Tikhonov term. nil unless the readout is `.projected` and the inner solve succeeds.
    public func projectedMisfit(states: [Double]) -> (value: Double, readout: [Double])? {
        guard case .projected(let mu) = readoutParameters, states.count == samples * field.stateDimension else { return nil }
        let d = field.stateDimension, k = readout.parameterCount(width: d)
        var beta = [Double](repeating: 0, count: k)
        let ok = states.withUnsafeBufferPointer { projectReadout(states: $0.baseAddress!, tikhonov: mu, into: &beta) }
        guard ok else { return nil }
        var value = 0.5 * mu * beta.reduce(0) { $0 + $1 * $1 }
        var gradX = [Double](repeating: 0, count: d), gradParameters = [Double](repeating: 0, count: k)
        var scratch = [Double](repeating: 0, count: readout.outputs)
        let width = readout.targetWidth
        for s in 0..<samples {
            value += outputWeight * readout.loss(x: Array(states[(s * d)..<((s + 1) * d)]), parameters: beta, width: d,
                                                 target: Array(targets[(s * width)..<((s + 1) * width)]), weight: 1,
                                                 gradX: &gradX, gradParameters: &gradParameters, scratch: &scratch)
        }
        return (value, beta)
    }
}
