import Foundation

/// e^{A} of a dense square matrix (row-major) by scaling and squaring with a truncated Taylor series.
///
/// A is scaled by 2^{-s} so that ‖A/2^s‖₁ <= 1/2; the Taylor polynomial of degree 18 then has a
/// relative truncation error below (1/2)^19/19! ≈ 1.6e-23, far under round-off, and s squarings
/// restore e^{A}. Cost (18 + s) matrix products of 2n³ flops (OpenBLAS dgemm). The squaring phase
/// amplifies round-off by at most about ‖e^{A}‖-growth, the usual limit of every method for
/// non-normal A; for the moderate norms of the verification problems it is accurate to ~1e-14.
public enum MatrixExponential {
    /// e^{A·scale} for the n × n row-major matrix A.
    /// - Throws: `InvalidArgument` for a size mismatch or non-finite entries.
    public static func compute(_ a: [Double], dimension n: Int, scale: Double = 1) throws -> [Double] {
        try Validate.positive(n, "dimension")
        try Validate.count(a.count, n * n, "matrix")
        try Validate.finite(a, "matrix")
        var norm = 0.0
        for j in 0..<n {
            var column = 0.0
            for i in 0..<n { column += abs(a[i * n + j]) }
            norm = max(norm, column)
        }
        norm *= abs(scale)
        var squarings = 0
        while norm / pow(2, Double(squarings)) > 0.5 { squarings += 1 }
        let factor = scale / pow(2, Double(squarings))
        let scaled = a.map { $0 * factor }
        // Horner: e ≈ I + B(I + B/2(I + B/3(...)))
        var result = [Double](repeating: 0, count: n * n)
        for i in 0..<n { result[i * n + i] = 1 }
        var product = [Double](repeating: 0, count: n * n)
        for k in stride(from: 18, through: 1, by: -1) {
            product = try BLAS.multiply(scaled, result, m: n, k: n, n: n)
            let inverse = 1.0 / Double(k)
            for i in 0..<(n * n) { result[i] = product[i] * inverse }
            for i in 0..<n { result[i * n + i] += 1 }
        }
        for _ in 0..<squarings { result = try BLAS.multiply(result, result, m: n, k: n, n: n) }
        return result
    }
}
