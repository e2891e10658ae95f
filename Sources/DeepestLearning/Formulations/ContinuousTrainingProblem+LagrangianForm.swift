import NumericCore

extension ContinuousTrainingProblem {
    /// Version (b) as the Euler–Lagrange system in first-order form, y = (x_1..x_M, v_1..v_M, θ, ω[, C, c])
    /// with v = ẋ, ω = θ' and the model error u_k = v_k − F(x_k, θ) (MATH.md §1.4, second-order form):
    ///
    ///   ẋ_k = v_k,   v̇_k = (∂ₓF)v_k + (∂_θF)ω − (∂ₓF)ᵀu_k,   θ' = ω,   α ω' = λθ − r_f Σ_k ∂_θ[u_k·F],
    ///
    /// i.e. d/dt[r_f u_k] = −r_f(∂ₓF)ᵀu_k and αθ'' = λθ − r_f Σ(∂_θF)ᵀu_k. Boundary conditions are those of
    /// the Hamiltonian form with p_k = r_f u_k and π = αω: start r_f u_k(0) = R_in(x_k(0) − y_k^in)
    /// (R_in = ∞: x_k(0) = y_k^in), ω(0) = 0; end r_f u_k(T) = −R_out∇φ_k(x_k(T)), ω(T) = 0 (+ readout
    /// stationarity). The map (x, p, θ, π) ↦ (x, F + p/r_f, θ, π/α) carries solutions of one form to
    /// the other. Needs finite r_f and α > 0 (throws otherwise).
    ///
    /// Analytic Jacobians (Notes/deepest-learning-action.md §6a): with A = ∂ₓF, B = ∂_θF, the Hessian
    /// blocks H(u) of u·F and D²F[(v, ω), ·] = (T_x, T_θ) (`tangentDerivatives`), the v̇_k rows are
    /// [T_x − H_xx(u) + AᵀA, A − Aᵀ, T_θ − H_xθ(u) + AᵀB, B] in (x_k, v_k, θ, ω) and the ω' rows
    /// (r_f/α)[−(H_xθ(u)ᵀ − BᵀA), −Bᵀ, −(H_θθ(u) − BᵀB)] (+ λ/α on θ); the end rows r_f u_k + R_out∇φ_k
    /// give −r_f A, r_f I, −r_f B plus the readout's part. The per-sample blocks are
    /// `LagrangianSampleForm`'s (shared with the structured collocation). Dense (2n)² row-major,
    /// assembled at O(M(d³ + d²q + dq² + q² d²)) per call (the H_θθ blocks dominate); the samples couple
    /// only through (θ, ω).
    public func lagrangianForm() throws -> TrainingBoundaryValueProblem {
        guard modelPrecision.isFinite else {
            throw InvalidArgument("modelPrecision", modelPrecision, "must be finite in the Lagrangian form (use the Hamiltonian form for r_f = ∞)")
        }
        let q = field.parameterCount
        if q > 0 { try Validate.positive(smoothness, "smoothness") }
        let layout = layout(weightBlocks: true)
        let d = field.stateDimension, m = samples, n = layout.dimension
        let problem = self
        let tOff = layout.weightOffset, wOff = layout.conjugateOffset, rOff = layout.readoutOffset
        // The per-sample mathematics (field, weight force, momentum and their derivatives) is the
        // structured collocation's (`LagrangianSampleForm`).
        let sample = LagrangianSampleForm(self)
        let s = 2 * d, scratchCount = sample.scratchCount
        let vectorField: TrainingBoundaryValueProblem.Field = { _, y, dy in sample.denseField(y, into: dy, layout: layout) }
        let jacobian: TrainingBoundaryValueProblem.FieldJacobian = { _, y, jac in sample.denseJacobian(y, into: jac, layout: layout) }
        // r_f u_k at the state y (momentum of sample k) into `out`.
        let momentum: @Sendable (UnsafePointer<Double>, Int, UnsafeMutablePointer<Double>) -> Void = { y, k, out in
            withUnsafeTemporaryAllocation(of: Double.self, capacity: s + scratchCount) { buffer in
                let u = buffer.baseAddress!
                LagrangianSampleForm<Field>.gather(y, sample: k, layout: layout, into: u)
                sample.momentum(u, theta: y + tOff, into: out, scratch: u + s)
            }
        }
        // Adds ∂(r_f u_k)/∂y = (−r_f A, r_f I, −r_f B) at row `row` of a row-stride-n matrix.
        let momentumJacobian: @Sendable (UnsafePointer<Double>, Int, UnsafeMutablePointer<Double>) -> Void = { y, row, jac in
            withUnsafeTemporaryAllocation(of: Double.self, capacity: s + d * s + d * q + scratchCount) { buffer in
                let u = buffer.baseAddress!, state = u + s, weights = state + d * s, scratch = weights + d * q
                for k in 0..<m {
                    LagrangianSampleForm<Field>.gather(y, sample: k, layout: layout, into: u)
                    sample.momentumDerivatives(u, theta: y + tOff, state: state, weights: weights, scratch: scratch)
                    for i in 0..<d {
                        let r = jac + (row + k * d + i) * n
                        for j in 0..<s { r[LagrangianSampleForm<Field>.index(sample: k, component: j, layout: layout)] += state[i * s + j] }
                        for e in 0..<q { r[tOff + e] += weights[i * q + e] }
                    }
                }
            }
        }
        let finiteInput = inputWeight.isFinite, rin = inputWeight
        let startJacobian: TrainingBoundaryValueProblem.EndJacobian = { y, jac in
            jac.update(repeating: 0, count: (m * d + q) * n)
            if finiteInput {
                momentumJacobian(y, 0, jac)
                for row in 0..<(m * d) { jac[row * n + row] -= rin }
            } else {
                for row in 0..<(m * d) { jac[row * n + row] = 1 }
            }
            for i in 0..<q { jac[(m * d + i) * n + wOff + i] = 1 }
        }
        let endJacobian: TrainingBoundaryValueProblem.EndJacobian = { y, jac in
            jac.update(repeating: 0, count: (n - m * d - q) * n)
            momentumJacobian(y, 0, jac)
            for i in 0..<q { jac[(m * d + i) * n + wOff + i] = 1 }
            problem.addReadoutEndJacobian(y, readoutRow: m * d + q, dimension: n, into: jac)
        }
        let start: TrainingBoundaryValueProblem.EndResidual = { y, r in
            withUnsafeTemporaryAllocation(of: Double.self, capacity: d) { buffer in
                for k in 0..<m {
                    momentum(y, k, buffer.baseAddress!)
                    problem.startRows(x: y + k * d, momentum: buffer.baseAddress!, sample: k, into: r + k * d)
                }
            }
            for i in 0..<q { r[m * d + i] = y[wOff + i] }
        }
        let end: TrainingBoundaryValueProblem.EndResidual = { y, r in
            withUnsafeTemporaryAllocation(of: Double.self, capacity: m * d) { buffer in
                let moments = buffer.baseAddress!
                for k in 0..<m { momentum(y, k, moments + k * d) }
                problem.withEndReadout(y, readoutOffset: rOff) { c in
                    problem.endRows(states: { y + $0 * d }, momentum: { UnsafePointer(moments + $0 * d) }, readoutValues: c, into: r)
                }
            }
            let k = n - rOff
            if k > 0 { for i in stride(from: k - 1, through: 0, by: -1) { r[m * d + q + i] = r[m * d + i] } }
            for i in 0..<q { r[m * d + i] = y[wOff + i] }
        }
        return TrainingBoundaryValueProblem(
            dimension: n, start: 0, end: horizon, field: vectorField, fieldJacobian: jacobian, startCount: m * d + q,
            startResidual: start, startJacobian: startJacobian, endResidual: end, endJacobian: endJacobian, layout: layout)
    }
}
