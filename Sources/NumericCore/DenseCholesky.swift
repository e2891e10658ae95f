@preconcurrency import CGSL

/// The Cholesky factorisation A = L Lᵀ of a dense symmetric n × n row-major matrix, in place: the
/// lower triangle becomes L, the strict upper triangle is left as it was. LAPACK's `dpotrf` (OpenBLAS,
/// blocked, n³/3 flops): the row-major lower triangle is the column-major upper one, so `dpotrf('U')`
/// on the same storage computes exactly L. Fails (returns false) at the first pivot that is not
/// positive, or when a diagonal entry of L is not finite, which is how the trust-region subproblem
/// detects an indefinite A + λI. No pivoting: stable for positive definite matrices (backward error
/// O(ε)‖A‖). No allocation.
public enum DenseCholesky {
    public static func factor(_ a: UnsafeMutablePointer<Double>, dimension n: Int) -> Bool {
        guard n > 0 else { return true }
        Parallel.useSingleThreadedBLAS()
        var order = Int32(n), leading = Int32(n), info: Int32 = 0
        var upper = CChar(UInt8(ascii: "U"))
        dpotrf_(&upper, &order, a, &leading, &info)
        guard info == 0 else { return false }
        for i in 0..<n where !a[i * n + i].isFinite || a[i * n + i] <= 0 { return false }
        return true
    }

    /// Solves L y = b in place (forward substitution with the factor's lower triangle).
    public static func solveLower(_ l: UnsafePointer<Double>, dimension n: Int, _ b: UnsafeMutablePointer<Double>) {
        for i in 0..<n {
            var value = b[i]
            for j in 0..<i { value -= l[i * n + j] * b[j] }
            b[i] = value / l[i * n + i]
        }
    }

    /// Solves L Lᵀ x = b in place.
    public static func solve(_ l: UnsafePointer<Double>, dimension n: Int, _ b: UnsafeMutablePointer<Double>) {
        solveLower(l, dimension: n, b)
        for i in stride(from: n - 1, through: 0, by: -1) {
            var value = b[i]
            for j in (i + 1)..<max(i + 1, n) { value -= l[j * n + i] * b[j] }
            b[i] = value / l[i * n + i]
        }
    }
}
