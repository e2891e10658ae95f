import NumericCore

/// The Cholesky factorisation A = L Lᵀ of a dense symmetric n×n row-major matrix, in place (the lower
/// triangle becomes L; the strict upper triangle is scratch), blocked by columns of width 48 so that
/// the O(n³/3) work is in matrix products (`BLAS.gemm` on the lower block triangle of the trailing
/// matrix). Fails (returns false) at the first pivot that is not positive and finite,
/// which is how the trust-region subproblem detects an indefinite A + λI. No pivoting: stable for
/// positive definite matrices (backward error O(ε) ‖A‖). No allocation.
enum DenseCholesky {
    static let blockWidth = 48

    static func factor(_ a: UnsafeMutablePointer<Double>, dimension n: Int) -> Bool {
        var k0 = 0
        while k0 < n {
            let kb = min(blockWidth, n - k0)
            // Diagonal block, unblocked (its trailing updates from earlier panels are already applied).
            for j in k0..<(k0 + kb) {
                var pivot = a[j * n + j]
                for i in k0..<j { pivot -= a[j * n + i] * a[j * n + i] }
                guard pivot > 0, pivot.isFinite else { return false }
                let l = pivot.squareRoot()
                a[j * n + j] = l
                for r in (j + 1)..<max(j + 1, k0 + kb) {
                    var value = a[r * n + j]
                    for i in k0..<j { value -= a[r * n + i] * a[j * n + i] }
                    a[r * n + j] = value / l
                }
            }
            let rest = n - k0 - kb
            if rest > 0 {
                // Panel below: X L11ᵀ = A21, row by row.
                for r in (k0 + kb)..<n {
                    let row = a + r * n
                    for j in k0..<(k0 + kb) {
                        var value = row[j]
                        for i in k0..<j { value -= row[i] * a[j * n + i] }
                        row[j] = value / a[j * n + j]
                    }
                }
                // Trailing update A22 −= A21 A21ᵀ on the lower block triangle, one block column at a time.
                var j0 = k0 + kb
                while j0 < n {
                    let jb = min(blockWidth, n - j0)
                    BLAS.gemm(m: n - j0, n: jb, k: kb, alpha: -1, a: a + j0 * n + k0, lda: n, b: a + j0 * n + k0, ldb: n,
                              transposeB: true, beta: 1, c: a + j0 * n + j0, ldc: n)
                    j0 += jb
                }
            }
            k0 += kb
        }
        return true
    }

    /// Solves L y = b in place (forward substitution with the factor's lower triangle).
    static func solveLower(_ l: UnsafePointer<Double>, dimension n: Int, _ b: UnsafeMutablePointer<Double>) {
        for i in 0..<n {
            var value = b[i]
            for j in 0..<i { value -= l[i * n + j] * b[j] }
            b[i] = value / l[i * n + i]
        }
    }

    /// Solves L Lᵀ x = b in place.
    static func solve(_ l: UnsafePointer<Double>, dimension n: Int, _ b: UnsafeMutablePointer<Double>) {
        solveLower(l, dimension: n, b)
        for i in stride(from: n - 1, through: 0, by: -1) {
            var value = b[i]
            for j in (i + 1)..<max(i + 1, n) { value -= l[j * n + i] * b[j] }
            b[i] = value / l[i * n + i]
        }
    }
}
