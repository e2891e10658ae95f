import NumericCore

extension ContinuousTrainingProblem {
    /// Version (a), the optimal-control form (α = 0, λ > 0; MATH.md §1.5): θ(t) is not an unknown but the
    /// pointwise root of the stationarity condition
    ///
    ///   G(θ) = λθ − Σ_k ∂_θ[p_k·F(x_k, θ)] = 0,
    ///
    /// found by Newton's method from θ = 0 (Jacobian λI − Σ_k H_θθ,k, a q×q dense solve; at most 50
    /// iterations to |Δθ| ≤ 1e-14 max(1, |θ|); one step when F is linear in θ). The BVP is
    /// y = (x_1..x_M, p_1..p_M[, C, c]) with ẋ_k = F(x_k, θ(y)) + p_k/r_f (r_f = ∞: exact model),
    /// ṗ_k = −(∂ₓF)ᵀp_k and the boundary conditions of the Hamiltonian form without π. This is a DAE
    /// of index 1 while λI − ΣH_θθ is nonsingular. Throws for λ ≤ 0.
    ///
    /// Analytic Jacobian (Notes/deepest-learning-action.md §7a): the implicit function theorem gives
    /// ∂θ/∂x_j = M⁻¹H_xθ,jᵀ and ∂θ/∂p_j = M⁻¹B_jᵀ with M = λI − Σ_k H_θθ,k, B = ∂_θF, so the Jacobian
    /// is the Hamiltonian form's per-sample (x, p) blocks plus the rank-q coupling
    /// [B_k; −H_xθ,k] M⁻¹ [H_xθ,jᵀ, B_jᵀ] between every pair of samples (one q×q LU, one
    /// (2Md)×q×(2Md) product: O(M d q² + q³ + (Md)² q) per call, plus θ's Newton). Entries are NaN when M
    /// is exactly singular. Start and end Jacobians are analytic for every readout.
    public func optimalControlForm() throws -> TrainingBoundaryValueProblem {
        try Validate.positive(tikhonov, "tikhonov")
        let layout = layout(weightBlocks: false)
        let d = field.stateDimension, m = samples, q = field.parameterCount, n = layout.dimension
        let problem = self, f = field
        let inverseRf = modelPrecision.isFinite ? 1 / modelPrecision : 0
        let pOff = layout.secondOffset, rOff = layout.readoutOffset

        let vectorField: TrainingBoundaryValueProblem.Field = { _, y, dy in
            withUnsafeTemporaryAllocation(of: Double.self, capacity: max(q, 1)) { buffer in
                let theta = buffer.baseAddress!
                problem.stationaryWeights(y, into: theta)
                for k in 0..<m {
                    let x = y + k * d, p = y + pOff + k * d
                    f.value(x: x, theta: theta, into: dy + k * d)
                    for i in 0..<d { dy[k * d + i] += inverseRf * p[i] }
                    f.stateAdjoint(x: x, theta: theta, costate: p, into: dy + pOff + k * d)
                    for i in 0..<d { dy[pOff + k * d + i] = -dy[pOff + k * d + i] }
                }
            }
            for i in rOff..<n { dy[i] = 0 }
        }
        let states = m * d
        let jacobian: TrainingBoundaryValueProblem.FieldJacobian = { _, y, jac in
            jac.update(repeating: 0, count: n * n)
            let scratchCount = max(q, 1) + 2 * q * states * 2 + q * q + d * d + d * d + d * q + q * q
            withUnsafeTemporaryAllocation(of: Double.self, capacity: scratchCount) { buffer in
                withUnsafeTemporaryAllocation(of: Int.self, capacity: max(q, 1)) { pivots in
                    let theta = buffer.baseAddress!, coupling = theta + max(q, 1), solved = coupling + 2 * states * q
                    let matrix = solved + 2 * states * q, js = matrix + q * q, hxx = js + d * d, hxt = hxx + d * d
                    let htt = hxt + d * q
                    problem.stationaryWeights(y, into: theta)
                    matrix.update(repeating: 0, count: q * q)
                    for a in 0..<q { matrix[a * q + a] = problem.tikhonov }
                    for k in 0..<m {
                        let x = y + k * d, p = y + pOff + k * d, xr = k * d, pr = pOff + k * d
                        // coupling rows (y layout): x_k rows hold B_k, p_k rows hold −H_xθ,k (each d×q).
                        let bk = coupling + xr * q, hk = coupling + pr * q
                        f.jacobians(x: x, theta: theta, state: js, parameter: bk)
                        f.adjointHessian(x: x, theta: theta, costate: p, stateState: hxx, stateParameter: hxt, parameterParameter: htt)
                        for i in 0..<(q * q) { matrix[i] -= htt[i] }
                        HamiltonianSampleBlock.write(into: jac, columns: n, stateOffset: xr, costateOffset: pr, width: d,
                                                     stateJacobian: js, stateHessian: hxx, inverseRf: inverseRf)
                        for i in 0..<d {
                            for a in 0..<q {
                                hk[i * q + a] = -hxt[i * q + a]
                                // right side columns: x_k ↦ H_xθ,kᵀ, p_k ↦ B_kᵀ.
                                solved[a * 2 * states + xr + i] = hxt[i * q + a]
                                solved[a * 2 * states + pr + i] = bk[i * q + a]
                            }
                        }
                    }
                    guard q > 0 else { return }
                    if DenseLU.factor(matrix, dimension: q, pivots: pivots.baseAddress!) != nil {
                        for r in 0..<(2 * states) { for c in 0..<(2 * states) { jac[r * n + c] = .nan } }
                        return
                    }
                    DenseLU.solve(factors: matrix, dimension: q, pivots: pivots.baseAddress!, rhs: solved, columns: 2 * states)
                    BLAS.gemm(m: 2 * states, n: 2 * states, k: q, a: coupling, lda: q, b: solved, ldb: 2 * states, beta: 1,
                              c: jac, ldc: n)
                }
            }
        }
        let finiteInput = inputWeight.isFinite, rin = inputWeight
        let startJacobian: TrainingBoundaryValueProblem.EndJacobian = { _, jac in
            jac.update(repeating: 0, count: states * n)
            for row in 0..<states {
                if finiteInput {
                    jac[row * n + row] = -rin
                    jac[row * n + pOff + row] = 1
                } else {
                    jac[row * n + row] = 1
                }
            }
        }
        let endJacobian: TrainingBoundaryValueProblem.EndJacobian = { y, jac in
            jac.update(repeating: 0, count: (n - states) * n)
            for row in 0..<states { jac[row * n + pOff + row] = 1 }
            problem.addReadoutEndJacobian(y, readoutRow: states, dimension: n, into: jac)
        }
        let start: TrainingBoundaryValueProblem.EndResidual = { y, r in
            for k in 0..<m { problem.startRows(x: y + k * d, momentum: y + pOff + k * d, sample: k, into: r + k * d) }
        }
        let end: TrainingBoundaryValueProblem.EndResidual = { y, r in
            problem.withEndReadout(y, readoutOffset: rOff) { c in
                problem.endRows(states: { y + $0 * d }, momentum: { y + pOff + $0 * d }, readoutValues: c, into: r)
            }
        }
        return TrainingBoundaryValueProblem(
            dimension: n, start: 0, end: horizon, field: vectorField, fieldJacobian: jacobian, startCount: m * d,
            startResidual: start, startJacobian: startJacobian, endResidual: end, endJacobian: endJacobian, layout: layout)
    }

    /// θ solving λθ = Σ_k ∂_θ[p_k·F(x_k, θ)] at the optimal-control state y = (x, p, …), by Newton from 0.
    public func stationaryWeights(_ y: UnsafePointer<Double>, into theta: UnsafeMutablePointer<Double>) {
        let d = field.stateDimension, q = field.parameterCount, m = samples, pOff = m * d
        guard q > 0 else { return }
        theta.update(repeating: 0, count: q)
        withUnsafeTemporaryAllocation(of: Double.self, capacity: 2 * q + 2 * q * q + d * d + d * q) { buffer in
            let residual = buffer.baseAddress!, g = residual + q, matrix = g + q, block = matrix + q * q
            let hxx = block + q * q, hxt = hxx + d * d
            for _ in 0..<50 {
                matrix.update(repeating: 0, count: q * q)
                for i in 0..<q {
                    residual[i] = tikhonov * theta[i]
                    matrix[i * q + i] = tikhonov
                }
                for k in 0..<m {
                    let x = y + k * d, p = y + pOff + k * d
                    field.parameterAdjoint(x: x, theta: theta, costate: p, into: g)
                    field.adjointHessian(x: x, theta: theta, costate: p, stateState: hxx, stateParameter: hxt,
                                         parameterParameter: block)
                    for i in 0..<q { residual[i] -= g[i] }
                    for i in 0..<(q * q) { matrix[i] -= block[i] }
                }
                // Newton step: matrix · Δ = −residual.
                for i in 0..<q { residual[i] = -residual[i] }
                SmallDenseSolve.solve(matrix, residual, dimension: q)
                var largest = 0.0, size = 0.0
                for i in 0..<q {
                    theta[i] += residual[i]
                    largest = max(largest, abs(residual[i]))
                    size = max(size, abs(theta[i]))
                }
                if largest <= 1e-14 * max(1, size) { break }
            }
        }
    }
}
