import NumericCore

extension ContinuousTrainingProblem {
    /// Calls `body` with the readout (C, c) that the end conditions use at the end state `y`: the fixed
    /// values, the trained unknowns at `y + readoutOffset`, or the projected β*(X) of the final states
    /// (NaN when the inner solve fails, so the solver reports a non-finite residual).
    func withEndReadout(_ y: UnsafePointer<Double>, readoutOffset: Int, _ body: (UnsafePointer<Double>) -> Void) {
        switch readoutParameters {
        case .fixed(let values):
            values.withUnsafeBufferPointer { body($0.baseAddress!) }
        case .trained:
            body(y + readoutOffset)
        case .projected(let mu):
            let k = readout.parameterCount(width: field.stateDimension)
            withUnsafeTemporaryAllocation(of: Double.self, capacity: k) { buffer in
                let beta = buffer.baseAddress!
                if !projectReadout(states: y, tikhonov: mu, into: beta) { beta.update(repeating: .nan, count: k) }
                body(beta)
            }
        }
    }

    /// The readout values (C, c) at an end state of a built problem with `layout` (fixed, trained, or
    /// projected from the final states).
    public func readoutValues(atEnd y: [Double], layout: TrainingStateLayout) -> [Double] {
        let k = readout.parameterCount(width: field.stateDimension)
        var values = [Double](repeating: 0, count: k)
        y.withUnsafeBufferPointer { pointer in
            withEndReadout(pointer.baseAddress!, readoutOffset: layout.readoutOffset) { c in
                for i in 0..<k { values[i] = c[i] }
            }
        }
        return values
    }

    /// The readout's part of the end conditions' Jacobian (rows × n, row stride n, added into `jac`),
    /// shared by all forms; the momentum part is each form's own. Sample rows k d..(k+1)d − 1 get
    /// ∂(R_out∇ₓφ_k)/∂x_k at the state columns (states sit at offset 0 in every layout):
    ///
    /// - fixed: R_out CᵀS_kC (S_k = I or diag(s) − ssᵀ);
    /// - trained: the same, plus ∂(R_out∇ₓφ_k)/∂(C, c) at the readout columns (offset n − k), and the
    ///   readout rows (from `readoutRow`) get Σ-terms: ∂/∂x_k = the transpose of that block,
    ///   ∂/∂(C, c) = Σ_k R_out∇²_{(C,c)}φ_k + μI (`Readout.accumulateHessian`); a frozen parameter's
    ///   row is the unit row;
    /// - projected: ∇²Ψ(X) = Φ_XX − Φ_Xβ Φ_ββ⁻¹ Φ_βX, dense across samples (rank ≤ k coupling).
    /// Cost O(M l² d²) (+ the projection's), no allocation beyond temporary buffers.
    func addReadoutEndJacobian(_ y: UnsafePointer<Double>, readoutRow: Int, dimension n: Int,
                               into jac: UnsafeMutablePointer<Double>) {
        let d = field.stateDimension, m = samples, k = readout.parameterCount(width: d), width = readout.targetWidth
        switch readoutParameters {
        case .fixed(let values):
            withUnsafeTemporaryAllocation(of: Double.self, capacity: d * d) { buffer in
                values.withUnsafeBufferPointer { c in
                    for s in 0..<m {
                        terminalCurvature(x: y + s * d, readoutValues: c.baseAddress!, into: buffer.baseAddress!)
                        for i in 0..<d { for j in 0..<d { jac[(s * d + i) * n + s * d + j] += buffer[i * d + j] } }
                    }
                }
            }
        case .trained(let mu):
            let rOff = n - k, l = readout.outputs
            withUnsafeTemporaryAllocation(of: Double.self, capacity: d * d + d * k + k * k + 2 * l + l * l + l * d) { buffer in
                let xx = buffer.baseAddress!, xr = xx + d * d, rr = xr + d * k, scratch = rr + k * k
                rr.update(repeating: 0, count: k * k)
                targets.withUnsafeBufferPointer { t in
                    for s in 0..<m {
                        xx.update(repeating: 0, count: d * d)
                        xr.update(repeating: 0, count: d * k)
                        readout.accumulateHessian(x: y + s * d, parameters: y + rOff, width: d, target: t.baseAddress! + s * width,
                                                  weight: outputWeight, xx: xx, xr: xr, rr: rr, scratch: scratch)
                        for i in 0..<d {
                            for j in 0..<d { jac[(s * d + i) * n + s * d + j] += xx[i * d + j] }
                            for a in 0..<k {
                                jac[(s * d + i) * n + rOff + a] += xr[i * k + a]
                                jac[(readoutRow + a) * n + s * d + i] += xr[i * k + a]
                            }
                        }
                    }
                }
                for a in 0..<k {
                    for b in 0..<k { jac[(readoutRow + a) * n + rOff + b] += rr[a * k + b] }
                    jac[(readoutRow + a) * n + rOff + a] += mu
                }
                // A frozen parameter's row is (C, c)_a − value: the unit row.
                for a in frozenReadout.keys {
                    for c in 0..<n { jac[(readoutRow + a) * n + c] = 0 }
                    jac[(readoutRow + a) * n + rOff + a] = 1
                }
            }
        case .projected(let mu):
            withUnsafeTemporaryAllocation(of: Double.self, capacity: k) { buffer in
                let beta = buffer.baseAddress!
                if projectReadout(states: y, tikhonov: mu, into: beta) {
                    addProjectedCurvature(states: y, beta: beta, tikhonov: mu, into: jac, stride: n)
                } else {
                    for r in 0..<(m * d) { for c in 0..<(m * d) { jac[r * n + c] = .nan } }
                }
            }
        }
    }
}
