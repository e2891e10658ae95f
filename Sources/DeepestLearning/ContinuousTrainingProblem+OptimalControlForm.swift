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
    /// of index 1 while λI − ΣH_θθ is nonsingular. No analytic Jacobian (the solvers difference it).
    /// Throws for λ ≤ 0.
    public func optimalControlForm() throws -> TrainingBoundaryValueProblem {
        try Validate.positive(tikhonov, "tikhonov")
        let layout = layout(weightBlocks: false)
        let d = field.stateDimension, m = samples, q = field.parameterCount, n = layout.dimension
        let problem = self, f = field
        let inverseRf = modelPrecision.isFinite ? 1 / modelPrecision : 0
        let pOff = layout.secondOffset, rOff = layout.readoutOffset
        let fixedReadout: [Double]? = { if case .fixed(let v) = readoutParameters { return v }; return nil }()

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
        let start: TrainingBoundaryValueProblem.EndResidual = { y, r in
            for k in 0..<m { problem.startRows(x: y + k * d, momentum: y + pOff + k * d, sample: k, into: r + k * d) }
        }
        let end: TrainingBoundaryValueProblem.EndResidual = { y, r in
            let write: (UnsafePointer<Double>) -> Void = { c in
                problem.endRows(states: { y + $0 * d }, momentum: { y + pOff + $0 * d }, readoutValues: c, into: r)
            }
            if let fixedReadout { fixedReadout.withUnsafeBufferPointer { write($0.baseAddress!) } } else { write(y + rOff) }
        }
        return TrainingBoundaryValueProblem(
            dimension: n, start: 0, end: horizon, field: vectorField, fieldJacobian: nil, startCount: m * d,
            startResidual: start, startJacobian: nil, endResidual: end, endJacobian: nil, layout: layout)
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
