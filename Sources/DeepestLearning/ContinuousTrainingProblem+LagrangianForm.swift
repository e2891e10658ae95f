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
    /// the other. Needs finite r_f and α > 0 (throws otherwise). No analytic Jacobian (the solvers
    /// difference it): the v̇ rows contain third derivatives of the field's products.
    public func lagrangianForm() throws -> TrainingBoundaryValueProblem {
        guard modelPrecision.isFinite else {
            throw InvalidArgument("modelPrecision", modelPrecision, "must be finite in the Lagrangian form (use the Hamiltonian form for r_f = ∞)")
        }
        let q = field.parameterCount
        if q > 0 { try Validate.positive(smoothness, "smoothness") }
        let layout = layout(weightBlocks: true)
        let d = field.stateDimension, m = samples, n = layout.dimension
        let problem = self, f = field, rf = modelPrecision, lambda = tikhonov
        let inverseAlpha = q > 0 ? 1 / smoothness : 0
        let vOff = layout.secondOffset, tOff = layout.weightOffset, wOff = layout.conjugateOffset, rOff = layout.readoutOffset
        let fixedReadout: [Double]? = { if case .fixed(let v) = readoutParameters { return v }; return nil }()

        let vectorField: TrainingBoundaryValueProblem.Field = { _, y, dy in
            let theta = y + tOff
            for i in 0..<q {
                dy[tOff + i] = y[wOff + i]
                dy[wOff + i] = inverseAlpha * lambda * theta[i]
            }
            withUnsafeTemporaryAllocation(of: Double.self, capacity: 3 * d + q) { buffer in
                let u = buffer.baseAddress!, a = u + d, b = a + d, g = b + d
                for k in 0..<m {
                    let x = y + k * d, v = y + vOff + k * d
                    f.value(x: x, theta: theta, into: u)
                    for i in 0..<d { u[i] = v[i] - u[i] }
                    f.stateTangent(x: x, theta: theta, direction: v, into: a)
                    f.parameterTangent(x: x, theta: theta, direction: y + wOff, into: b)
                    for i in 0..<d { dy[k * d + i] = v[i] }
                    let out = dy + vOff + k * d
                    f.stateAdjoint(x: x, theta: theta, costate: u, into: out)
                    for i in 0..<d { out[i] = a[i] + (q > 0 ? b[i] : 0) - out[i] }
                    if q > 0 {
                        f.parameterAdjoint(x: x, theta: theta, costate: u, into: g)
                        for i in 0..<q { dy[wOff + i] -= inverseAlpha * rf * g[i] }
                    }
                }
            }
            for i in rOff..<n { dy[i] = 0 }
        }
        // r_f u_k at the state y (momentum of sample k) into `out`.
        let momentum: @Sendable (UnsafePointer<Double>, Int, UnsafeMutablePointer<Double>) -> Void = { y, k, out in
            f.value(x: y + k * d, theta: y + tOff, into: out)
            for i in 0..<d { out[i] = rf * (y[vOff + k * d + i] - out[i]) }
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
                let write: (UnsafePointer<Double>) -> Void = { c in
                    problem.endRows(states: { y + $0 * d }, momentum: { UnsafePointer(moments + $0 * d) }, readoutValues: c, into: r)
                }
                if let fixedReadout { fixedReadout.withUnsafeBufferPointer { write($0.baseAddress!) } } else { write(y + rOff) }
            }
            let k = n - rOff
            if k > 0 { for i in stride(from: k - 1, through: 0, by: -1) { r[m * d + q + i] = r[m * d + i] } }
            for i in 0..<q { r[m * d + i] = y[wOff + i] }
        }
        return TrainingBoundaryValueProblem(
            dimension: n, start: 0, end: horizon, field: vectorField, fieldJacobian: nil, startCount: m * d + q,
            startResidual: start, startJacobian: nil, endResidual: end, endJacobian: nil, layout: layout)
    }
}
