import NumericCore

/// Small dense kernels of the boundary value formulations, without allocation: Gaussian elimination
/// (the q×q stationarity Newton of the optimal-control form, O(q³); a zero pivot leaves that component
/// unchanged, so the iteration stalls and the solver sees a residual), Gauss–Jordan inversion of the
/// d×d pivots and the block-tridiagonal solve of `ActionNewtonSolver`.
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
