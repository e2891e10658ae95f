import NumericCore

extension ContinuousTrainingProblem {
    /// Version (b) as a first-order Hamiltonian BVP (MATH.md §1.4), y = (x_1..x_M, p_1..p_M, θ, π[, C, c]):
    ///
    ///   ẋ_k = F(x_k, θ) + p_k/r_f,   ṗ_k = −(∂ₓF)ᵀp_k,   θ' = π/α,   π' = λθ − Σ_k ∂_θ[p_k·F],
    ///
    /// start: p_k(0) = R_in(x_k(0) − y_k^in) (R_in = ∞: x_k(0) = y_k^in), π(0) = 0;
    /// end: p_k(T) = −R_out ∇φ_k(x_k(T)), π(T) = 0, and for a trained readout its stationarity.
    /// Dimension 2(Md + q) (+ k). The analytic Jacobian is dense (2n)² row-major, assembled from the
    /// Hessian blocks of p·F at O(M(d² + dq + q²) + n²) per call (the per-sample blocks are
    /// `HamiltonianSampleForm`'s, shared with the structured collocation); they couple only
    /// through (θ, π), the structure the collocation solver's Schur complement exploits. The start and
    /// end Jacobians are analytic for every readout (fixed, trained, projected; `addReadoutEndJacobian`).
    /// Requires α > 0 (throws otherwise); r_f = ∞ is the exact-model limit.
    public func hamiltonianForm() throws -> TrainingBoundaryValueProblem {
        let weights = field.parameterCount
        if weights > 0 { try Validate.positive(smoothness, "smoothness") }
        let layout = layout(weightBlocks: true)
        let d = field.stateDimension, m = samples, q = weights, n = layout.dimension
        let problem = self
        let xOff = 0, pOff = layout.secondOffset, piOff = layout.conjugateOffset
        let rOff = layout.readoutOffset

        // The per-sample mathematics is the structured collocation's (`HamiltonianSampleForm`).
        let sample = HamiltonianSampleForm(self)
        let vectorField: TrainingBoundaryValueProblem.Field = { _, y, dy in sample.denseField(y, into: dy, layout: layout) }
        let jacobian: TrainingBoundaryValueProblem.FieldJacobian = { _, y, jac in sample.denseJacobian(y, into: jac, layout: layout) }

        let startCount = m * d + q
        let start: TrainingBoundaryValueProblem.EndResidual = { y, r in
            for k in 0..<m { problem.startRows(x: y + xOff + k * d, momentum: y + pOff + k * d, sample: k, into: r + k * d) }
            for i in 0..<q { r[m * d + i] = y[piOff + i] }
        }
        let finiteInput = inputWeight.isFinite, rin = inputWeight
        let startJacobian: TrainingBoundaryValueProblem.EndJacobian = { _, jac in
            jac.update(repeating: 0, count: startCount * n)
            for row in 0..<(m * d) {
                if finiteInput {
                    jac[row * n + xOff + row] = -rin
                    jac[row * n + pOff + row] = 1
                } else {
                    jac[row * n + xOff + row] = 1
                }
            }
            for i in 0..<q { jac[(m * d + i) * n + piOff + i] = 1 }
        }
        let end: TrainingBoundaryValueProblem.EndResidual = { y, r in
            problem.withEndReadout(y, readoutOffset: rOff) { c in
                problem.endRows(states: { y + xOff + $0 * d }, momentum: { y + pOff + $0 * d }, readoutValues: c, into: r)
            }
            // π(T) = 0 rows follow the sample rows (and precede the readout rows).
            let k = n - rOff
            if k > 0 { for i in stride(from: k - 1, through: 0, by: -1) { r[m * d + q + i] = r[m * d + i] } }
            for i in 0..<q { r[m * d + i] = y[piOff + i] }
        }
        let endJacobian: TrainingBoundaryValueProblem.EndJacobian = { y, jac in
            jac.update(repeating: 0, count: (n - startCount) * n)
            for row in 0..<(m * d) { jac[row * n + pOff + row] = 1 }
            for i in 0..<q { jac[(m * d + i) * n + piOff + i] = 1 }
            problem.addReadoutEndJacobian(y, readoutRow: m * d + q, dimension: n, into: jac)
        }
        return TrainingBoundaryValueProblem(
            dimension: n, start: 0, end: horizon, field: vectorField, fieldJacobian: jacobian, startCount: startCount,
            startResidual: start, startJacobian: startJacobian, endResidual: end, endJacobian: endJacobian, layout: layout)
    }

    /// H(y) = Σ_k [p_k·F(x_k, θ) + |p_k|²/(2r_f)] + |π|²/(2α) − (λ/2)|θ|² on the Hamiltonian-form state;
    /// constant along exact solutions (no explicit t dependence). Cost O(M d² + q).
    public func hamiltonian(_ y: [Double]) -> Double {
        let layout = layout(weightBlocks: true)
        let d = field.stateDimension, q = field.parameterCount
        let inverseRf = modelPrecision.isFinite ? 1 / modelPrecision : 0
        var h = 0.0
        var fx = [Double](repeating: 0, count: d)
        y.withUnsafeBufferPointer { yb in
            let y = yb.baseAddress!
            for k in 0..<samples {
                let p = y + layout.secondOffset + k * d
                field.value(x: y + k * d, theta: y + layout.weightOffset, into: &fx)
                for i in 0..<d { h += p[i] * fx[i] + 0.5 * inverseRf * p[i] * p[i] }
            }
            for i in 0..<q {
                let pi = y[layout.conjugateOffset + i], theta = y[layout.weightOffset + i]
                h += 0.5 * pi * pi / smoothness - 0.5 * tikhonov * theta * theta
            }
        }
        return h
    }
}
