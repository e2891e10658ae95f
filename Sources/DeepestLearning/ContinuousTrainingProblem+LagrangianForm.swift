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
    /// give −r_f A, r_f I, −r_f B plus the readout's part. Dense (2n)² row-major, assembled at
    /// O(M(d³ + d²q + dq² + q² d²)) per call (the H_θθ blocks dominate); the samples couple only
    /// through (θ, ω).
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
        let jacobian: TrainingBoundaryValueProblem.FieldJacobian = { _, y, jac in
            jac.update(repeating: 0, count: n * n)
            let theta = y + tOff, omega = y + wOff
            let scale = inverseAlpha * rf
            let scratchCount = 2 * d * d + 2 * d * q + q * q + 2 * d * d + 2 * d * q + d
            withUnsafeTemporaryAllocation(of: Double.self, capacity: scratchCount) { buffer in
                let js = buffer.baseAddress!, jp = js + d * d, hxx = jp + d * q, hxt = hxx + d * d, htt = hxt + d * q
                let tx = htt + q * q, tt = tx + d * d, ata = tt + d * q, atb = ata + d * d, u = atb + d * q
                for k in 0..<m {
                    let x = y + k * d, v = y + vOff + k * d
                    f.value(x: x, theta: theta, into: u)
                    for i in 0..<d { u[i] = v[i] - u[i] }
                    f.jacobians(x: x, theta: theta, state: js, parameter: jp)
                    f.adjointHessian(x: x, theta: theta, costate: u, stateState: hxx, stateParameter: hxt, parameterParameter: htt)
                    f.tangentDerivatives(x: x, theta: theta, stateDirection: v, parameterDirection: omega, state: tx, parameter: tt)
                    // AᵀA (d×d) and AᵀB (d×q).
                    for i in 0..<d {
                        for j in 0..<d {
                            var sum = 0.0
                            for c in 0..<d { sum += js[c * d + i] * js[c * d + j] }
                            ata[i * d + j] = sum
                        }
                        for a in 0..<q {
                            var sum = 0.0
                            for c in 0..<d { sum += js[c * d + i] * jp[c * q + a] }
                            atb[i * q + a] = sum
                        }
                    }
                    let xr = k * d, vr = vOff + k * d
                    for i in 0..<d {
                        jac[(xr + i) * n + vr + i] = 1
                        let row = jac + (vr + i) * n
                        for j in 0..<d {
                            row[xr + j] = tx[i * d + j] - hxx[i * d + j] + ata[i * d + j]
                            row[vr + j] = js[i * d + j] - js[j * d + i]
                        }
                        for a in 0..<q {
                            row[tOff + a] = tt[i * q + a] - hxt[i * q + a] + atb[i * q + a]
                            row[wOff + a] = jp[i * q + a]
                            // ω' rows: ∂/∂x_k of −(r_f/α)Bᵀu is −(r_f/α)(H_xθᵀ − BᵀA), ∂/∂v_k is −(r_f/α)Bᵀ.
                            jac[(wOff + a) * n + xr + i] = -scale * (hxt[i * q + a] - atb[i * q + a])
                            jac[(wOff + a) * n + vr + i] = -scale * jp[i * q + a]
                        }
                    }
                    // ∂/∂θ of −(r_f/α)Bᵀu: −(r_f/α)(H_θθ − BᵀB).
                    for a in 0..<q {
                        for b in 0..<q {
                            var btb = 0.0
                            for c in 0..<d { btb += jp[c * q + a] * jp[c * q + b] }
                            jac[(wOff + a) * n + tOff + b] -= scale * (htt[a * q + b] - btb)
                        }
                    }
                }
            }
            for a in 0..<q {
                jac[(tOff + a) * n + wOff + a] = 1
                jac[(wOff + a) * n + tOff + a] += inverseAlpha * lambda
            }
        }
        // Adds ∂(r_f u_k)/∂y = (−r_f A, r_f I, −r_f B) at row `row` of a row-stride-n matrix.
        let momentumJacobian: @Sendable (UnsafePointer<Double>, Int, UnsafeMutablePointer<Double>) -> Void = { y, row, jac in
            withUnsafeTemporaryAllocation(of: Double.self, capacity: d * d + d * q) { buffer in
                let js = buffer.baseAddress!, jp = js + d * d
                for k in 0..<m {
                    f.jacobians(x: y + k * d, theta: y + tOff, state: js, parameter: jp)
                    for i in 0..<d {
                        let r = jac + (row + k * d + i) * n
                        for j in 0..<d { r[k * d + j] -= rf * js[i * d + j] }
                        r[vOff + k * d + i] += rf
                        for a in 0..<q { r[tOff + a] -= rf * jp[i * q + a] }
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
