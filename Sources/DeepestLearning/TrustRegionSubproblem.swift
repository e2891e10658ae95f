import NumericCore

/// The trust-region subproblem min_p m(p) = gᵀp + ½pᵀHp subject to ‖p‖₂ ≤ Δ for a dense symmetric,
/// possibly indefinite H, solved by the Moré–Sorensen iteration: the solution is p(λ) = −(H + λI)⁻¹g
/// with H + λI positive semidefinite, λ ≥ 0 and λ(Δ − ‖p‖) = 0. If H is positive definite and the
/// Newton step lies inside the region it is returned (λ = 0, one factorisation). Otherwise λ is found by
/// the safeguarded Newton iteration on 1/Δ − 1/‖p(λ)‖ (the secular equation, nearly linear in λ) inside a
/// bracket [λ_L, λ_U] from Gershgorin bounds; a failed Cholesky factorisation (H + λI indefinite) raises
/// λ_L. Accepted when |‖p‖ − Δ| ≤ 0.1Δ, the tolerance under which the step's model decrease is within a
/// fixed fraction of the optimal one (Moré and Sorensen 1983; Nocedal and Wright §4.3). In the hard case
/// (g nearly orthogonal to the eigenvectors of the most negative eigenvalue) the bracket collapses onto
/// −λ_min; the interior step p(λ) at the collapsed bracket is then returned (a descent step of the model,
/// shorter than Δ; the outer iteration's ratio test decides on it). `sameHessian` re-solves keep the
/// failed shifts as lower bounds and start from the last shift.
/// Cost: one O(W³/3) factorisation per trial λ, typically 1–6 per call. Falls back to the Cauchy point
/// (the model minimiser along −g within the region) if no factorisation succeeded in 40 trials.
struct TrustRegionSubproblem {
    let dimension: Int
    private var work: [Double]
    private var vector: [Double]

    init(dimension: Int) {
        self.dimension = dimension
        work = [Double](repeating: 0, count: dimension * dimension)
        vector = [Double](repeating: 0, count: dimension)
    }

    struct Step {
        /// The step p (length W).
        var step: [Double]
        /// −m(p) = −(gᵀp + ½pᵀHp) ≥ 0.
        var predictedDecrease: Double
        /// The multiplier λ of the constraint ‖p‖ ≤ Δ (0 for an interior Newton step).
        var shift: Double
        var norm: Double
        var factorizations: Int
    }

    static func model(hessian: [Double], gradient: [Double], step: [Double]) -> Double {
        let n = gradient.count
        var value = 0.0
        hessian.withUnsafeBufferPointer { hh in
            for i in 0..<n {
                var row = 0.0
                for j in 0..<n { row += hh[i * n + j] * step[j] }
                value += step[i] * (gradient[i] + 0.5 * row)
            }
        }
        return value
    }

    /// Largest shift at which a factorisation of the last Hessian failed (a lower bound on −λ_min for
    /// that Hessian, valid for every radius) and the last accepted shift.
    private var failedShift = 0.0, lastShift = 0.0

    /// - Parameter sameHessian: the Hessian and gradient are those of the previous call (a re-solve with
    ///   another radius): its failed shifts stay lower bounds and its shift is the first guess.
    mutating func solve(hessian: [Double], gradient: [Double], radius: Double, sameHessian: Bool = false) -> Step {
        let n = dimension
        let gradientNorm = gradient.reduce(0) { $0 + $1 * $1 }.squareRoot()
        var rowSum = 0.0, minimumDiagonal = Double.infinity
        for i in 0..<n {
            var s = 0.0
            for j in 0..<n { s += abs(hessian[i * n + j]) }
            rowSum = max(rowSum, s)
            minimumDiagonal = min(minimumDiagonal, hessian[i * n + i])
        }
        var lower = max(0, -minimumDiagonal, gradientNorm / radius - rowSum)
        var upper = gradientNorm / radius + rowSum
        if sameHessian {
            lower = max(lower, failedShift)
        } else {
            failedShift = 0
        }
        var shift = sameHessian ? min(max(lastShift, lower), upper) : lower
        var best: Step? = nil
        var factorizations = 0
        for _ in 0..<40 {
            factorizations += 1
            let positive = work.withUnsafeMutableBufferPointer { ww -> Bool in
                hessian.withUnsafeBufferPointer { hh in ww.baseAddress!.update(from: hh.baseAddress!, count: n * n) }
                for i in 0..<n { ww[i * n + i] += shift }
                return DenseCholesky.factor(ww.baseAddress!, dimension: n)
            }
            if !positive {
                lower = max(lower, shift)
                failedShift = max(failedShift, shift)
                shift = max((lower * upper).squareRoot(), lower + 0.01 * (upper - lower))
                if upper - lower <= 1e-14 * max(1, upper) { break }
                continue
            }
            var p = gradient.map { -$0 }
            work.withUnsafeBufferPointer { ww in
                p.withUnsafeMutableBufferPointer { DenseCholesky.solve(ww.baseAddress!, dimension: n, $0.baseAddress!) }
            }
            let pNorm = p.reduce(0) { $0 + $1 * $1 }.squareRoot()
            let candidate = Step(step: p, predictedDecrease: 0, shift: shift, norm: pNorm, factorizations: 0)
            if pNorm <= radius {
                best = candidate
                if shift == 0 || abs(pNorm - radius) <= 0.1 * radius { break }
                upper = shift
            } else {
                if abs(pNorm - radius) <= 0.1 * radius { best = candidate; break }
                lower = shift
            }
            if upper - lower <= 1e-10 * max(1, upper) { break }
            // Newton on 1/Δ − 1/‖p(λ)‖: λ⁺ = λ + (‖p‖/‖w‖)² (‖p‖ − Δ)/Δ with L w = p.
            vector = p
            work.withUnsafeBufferPointer { ww in
                vector.withUnsafeMutableBufferPointer { DenseCholesky.solveLower(ww.baseAddress!, dimension: n, $0.baseAddress!) }
            }
            let wNorm2 = vector.reduce(0) { $0 + $1 * $1 }
            var next = shift + (pNorm * pNorm / wNorm2) * (pNorm - radius) / radius
            if !(next > lower && next < upper) || !next.isFinite {
                next = max((lower * upper).squareRoot(), lower + 0.01 * (upper - lower))
            }
            shift = next
        }
        if var step = best {
            lastShift = step.shift
            step.predictedDecrease = -Self.model(hessian: hessian, gradient: gradient, step: step.step)
            step.factorizations = factorizations
            return step
        }
        // Cauchy point: p = −τ Δ g/‖g‖, τ = 1 if gᵀHg ≤ 0, else min(1, ‖g‖³/(Δ gᵀHg)).
        let direction = gradient.map { -$0 * radius / max(gradientNorm, .leastNormalMagnitude) }
        let curvature = 2 * (Self.model(hessian: hessian, gradient: [Double](repeating: 0, count: n), step: direction))
        let tau = curvature <= 0 ? 1 : min(1, gradientNorm * radius / curvature)
        let p = direction.map { $0 * tau }
        return Step(step: p, predictedDecrease: -Self.model(hessian: hessian, gradient: gradient, step: p), shift: 0,
                    norm: tau * radius, factorizations: factorizations)
    }
}
