import Foundation
import Testing
@testable import NumericCore

/// Lanczos against a spectrum set by construction: A = Q diag(λ) Qᵀ with a random orthogonal Q.
@Suite struct LanczosEigenTests {
    static func orthogonal(_ n: Int, seed: UInt64) -> [Double] {
        // Gram–Schmidt on a Gaussian matrix (columns).
        let stream = RandomStream(seed: seed, index: 0)
        var q = [Double](repeating: 0, count: n * n)
        stream.fillGaussian(&q)
        for j in 0..<n {
            for k in 0..<j {
                var c = 0.0
                for i in 0..<n { c += q[i * n + j] * q[i * n + k] }
                for i in 0..<n { q[i * n + j] -= c * q[i * n + k] }
            }
            var norm = 0.0
            for i in 0..<n { norm += q[i * n + j] * q[i * n + j] }
            for i in 0..<n { q[i * n + j] /= norm.squareRoot() }
        }
        return q
    }

    /// Five well-separated negative eigenvalues among 400: the smallest converges to 1e-9 relative, its
    /// Ritz vector is an eigenvector, and all five negatives are counted, with far fewer products than n.
    @Test func findsTheSmallestEigenvaluesAndCountsTheNegativeOnes() throws {
        let n = 400
        let spectrum = (0..<n).map { k -> Double in k < 5 ? -Double(5 - k) : 1 + Double(k) / 40 }
        let q = Self.orthogonal(n, seed: 3)
        var a = [Double](repeating: 0, count: n * n)
        for i in 0..<n { for j in 0..<n { var s = 0.0; for k in 0..<n { s += q[i * n + k] * spectrum[k] * q[j * n + k] }; a[i * n + j] = s } }
        var products = 0
        let lanczos = try LanczosEigen(dimension: n, count: 5, maximumIterations: 150, tolerance: 1e-10) { v, result in
            products += 1
            for i in 0..<n { var s = 0.0; for j in 0..<n { s += a[i * n + j] * v[j] }; result[i] = s }
        }
        #expect(lanczos.converged)
        #expect(products < n / 2)
        #expect(abs(lanczos.values[0] + 5) < 1e-9 * 5, "\(lanczos.values.prefix(6))")
        #expect(lanczos.convergedNegativeCount() == 5)
        let y = lanczos.vectors[0]
        var residual = 0.0
        for i in 0..<n { var s = 0.0; for j in 0..<n { s += a[i * n + j] * y[j] }; residual = max(residual, abs(s + 5 * y[i])) }
        #expect(residual < 1e-7)
    }

    /// A positive definite operator has no converged negative Ritz value; on a small space the process
    /// ends with an invariant subspace and the exact spectrum.
    @Test func definiteOperatorAndInvariantSubspace() throws {
        let diagonal = (1...12).map(Double.init)
        let lanczos = try LanczosEigen(dimension: 12, count: 12, maximumIterations: 50) { v, result in
            for i in 0..<12 { result[i] = diagonal[i] * v[i] }
        }
        #expect(lanczos.convergedNegativeCount() == 0)
        #expect(zip(lanczos.values, diagonal).allSatisfy { abs($0 - $1) < 1e-9 })
        #expect(throws: InvalidArgument.self) { try LanczosEigen(dimension: 0) { _, _ in } }
    }
}
