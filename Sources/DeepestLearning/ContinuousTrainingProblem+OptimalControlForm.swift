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

/// In-place Gaussian elimination with partial pivoting for the small dense systems of the
/// optimal-control form (q×q, q = d² + d): O(q³), no allocation. A zero pivot leaves the right side
/// unchanged in that component (the Newton iteration then stalls, which the solver sees as a residual).
enum SmallDenseSolve {
    static func solve(_ a: UnsafeMutablePointer<Double>, _ b: UnsafeMutablePointer<Double>, dimension n: Int) {
        for c in 0..<n {
            var pivot = c
            for r in (c + 1)..<max(c + 1, n) where abs(a[r * n + c]) > abs(a[pivot * n + c]) { pivot = r }
            if pivot != c {
                for j in 0..<n { (a[c * n + j], a[pivot * n + j]) = (a[pivot * n + j], a[c * n + j]) }
                (b[c], b[pivot]) = (b[pivot], b[c])
            }
            let diagonal = a[c * n + c]
            guard diagonal != 0 else { continue }
            for r in (c + 1)..<max(c + 1, n) {
                let factor = a[r * n + c] / diagonal
                if factor == 0 { continue }
                for j in c..<n { a[r * n + j] -= factor * a[c * n + j] }
                b[r] -= factor * b[c]
            }
        }
        for i in stride(from: n - 1, through: 0, by: -1) {
            var s = b[i]
            for j in (i + 1)..<max(i + 1, n) { s -= a[i * n + j] * b[j] }
            b[i] = a[i * n + i] != 0 ? s / a[i * n + i] : 0
        }
    }

    /// Inverts the n×n matrix `a` in place by Gauss–Jordan elimination with partial pivoting, using
    /// `workspace` (n² numbers). Returns false (and leaves `a` undefined) when a pivot is zero or tiny
    /// relative to the matrix (|pivot| ≤ 1e-300). O(n³), no allocation.
    static func invert(_ a: UnsafeMutablePointer<Double>, dimension n: Int, workspace inverse: UnsafeMutablePointer<Double>) -> Bool {
        inverse.update(repeating: 0, count: n * n)
        for i in 0..<n { inverse[i * n + i] = 1 }
        for c in 0..<n {
            var pivot = c
            for r in (c + 1)..<max(c + 1, n) where abs(a[r * n + c]) > abs(a[pivot * n + c]) { pivot = r }
            guard abs(a[pivot * n + c]) > 1e-300 else { return false }
            if pivot != c {
                for j in 0..<n {
                    (a[c * n + j], a[pivot * n + j]) = (a[pivot * n + j], a[c * n + j])
                    (inverse[c * n + j], inverse[pivot * n + j]) = (inverse[pivot * n + j], inverse[c * n + j])
                }
            }
            let scale = 1 / a[c * n + c]
            for j in 0..<n {
                a[c * n + j] *= scale
                inverse[c * n + j] *= scale
            }
            for r in 0..<n where r != c {
                let factor = a[r * n + c]
                if factor == 0 { continue }
                for j in 0..<n {
                    a[r * n + j] -= factor * a[c * n + j]
                    inverse[r * n + j] -= factor * inverse[c * n + j]
                }
            }
        }
        a.update(from: inverse, count: n * n)
        return true
    }

    /// Solves the symmetric block-tridiagonal system with factored diagonal inverses `dinv` (blocks
    /// D̃_j⁻¹, d×d) and sub-diagonal blocks `lower` (L_j = block (j+1, j)) for a right side of
    /// `blocks`·size rows and `columns` columns, in place. `temp` holds size·columns numbers. O(blocks·d²·columns).
    static func blockTridiagonalSolve(dinv: UnsafePointer<Double>, lower: UnsafePointer<Double>, blocks s: Int, size d: Int,
                                      rhs y: UnsafeMutablePointer<Double>, columns c: Int, temp: UnsafeMutablePointer<Double>) {
        // Forward: Ỹ_j = Y_j − L_{j−1} D̃_{j−1}⁻¹ Ỹ_{j−1}.
        for j in 1..<max(s, 1) {
            BLAS.gemm(m: d, n: c, k: d, a: dinv + (j - 1) * d * d, lda: d, b: y + (j - 1) * d * c, ldb: c, c: temp, ldc: c)
            BLAS.gemm(m: d, n: c, k: d, alpha: -1, a: lower + (j - 1) * d * d, lda: d, b: temp, ldb: c, beta: 1,
                      c: y + j * d * c, ldc: c)
        }
        // Back: Z_{s−1} = D̃⁻¹ Ỹ_{s−1}; Z_j = D̃_j⁻¹(Ỹ_j − L_jᵀ Z_{j+1}).
        for j in stride(from: s - 1, through: 0, by: -1) {
            if j < s - 1 {
                BLAS.gemm(m: d, n: c, k: d, alpha: -1, a: lower + j * d * d, lda: d, transposeA: true, b: y + (j + 1) * d * c,
                          ldb: c, beta: 1, c: y + j * d * c, ldc: c)
            }
            BLAS.gemm(m: d, n: c, k: d, a: dinv + j * d * d, lda: d, b: y + j * d * c, ldb: c, c: temp, ldc: c)
            (y + j * d * c).update(from: temp, count: d * c)
        }
    }
}
