import Foundation
import Testing
@testable import NumericCore

@Suite struct SymmetricEigenTests {
    /// The path-graph matrix tridiag(−1, 2, −1) of size n has eigenvalues 2 − 2cos(kπ/(n + 1)) and
    /// eigenvectors sin(jkπ/(n + 1)); the decomposition matches them, its vectors are orthonormal and
    /// A v = λ v to rounding; shifted by −1.5 it has exactly the eigenvalues below 1.5 as negatives.
    @Test func pathGraphSpectrum() throws {
        let n = 40
        var a = [Double](repeating: 0, count: n * n)
        for i in 0..<n {
            a[i * n + i] = 2
            if i > 0 { a[i * n + i - 1] = -1; a[(i - 1) * n + i] = -1 }
        }
        let eigen = try SymmetricEigen(matrix: a, dimension: n)
        try #require(eigen.converged)
        for k in 0..<n {
            let exact = 2 - 2 * cos(Double(k + 1) * Double.pi / Double(n + 1))
            #expect(abs(eigen.values[k] - exact) < 1e-13, "λ\(k) \(eigen.values[k]) vs \(exact)")
            let v = eigen.vector(k)
            for i in 0..<n {
                var av = 0.0
                for j in 0..<n { av += a[i * n + j] * v[j] }
                #expect(abs(av - eigen.values[k] * v[i]) < 1e-13)
            }
            for l in 0..<n {
                let dot = zip(v, eigen.vector(l)).reduce(0) { $0 + $1.0 * $1.1 }
                #expect(abs(dot - (k == l ? 1 : 0)) < 1e-13)
            }
        }
        var shifted = a
        for i in 0..<n { shifted[i * n + i] -= 1.5 }
        let below = (1...n).filter { 2 - 2 * cos(Double($0) * Double.pi / Double(n + 1)) < 1.5 }.count
        #expect(try SymmetricEigen(matrix: shifted, dimension: n).negativeCount(relativeThreshold: 1e-12) == below)
    }

    @Test func invalidInputThrowsNamingTheArgument() {
        #expect(throws: InvalidArgument.self) { _ = try SymmetricEigen(matrix: [1, 2, 3], dimension: 2) }
        #expect(throws: InvalidArgument.self) { _ = try SymmetricEigen(matrix: [1, .nan, 0, 1], dimension: 2) }
    }
}
