import Foundation
import Testing
@testable import NumericCore

@Suite struct BandedLUTests {
    /// A random (2, 3)-banded matrix with a zero diagonal (pivoting needed): the banded solve must
    /// reproduce a known solution, and agree with the dense LU of the same matrix.
    @Test func matchesDenseSolve() throws {
        let stream = RandomStream(seed: 21)
        let n = 40, lower = 2, upper = 3
        var a = [Double](repeating: 0, count: n * n)
        for i in 0..<n {
            for j in max(0, i - lower)...min(n - 1, i + upper) where i != j { a[i * n + j] = stream.gaussian() }
        }
        let x = (0..<n).map { _ in stream.gaussian() }
        let b = try BLAS.multiply(a, vector: x, m: n, n: n)
        let banded = try BandedLU(denseMatrix: a, dimension: n, lower: lower, upper: upper)
        #expect(banded.status == .success)
        let solved = try #require(banded.solve(b))
        let dense = try #require(try DenseLU(matrix: a, dimension: n).solve(b))
        #expect(relativeDifference(solved, x) < 1e-10)
        #expect(relativeDifference(solved, dense) < 1e-11)
    }

    /// Tridiagonal second-difference matrix: (-1, 2, -1) x = h² f has the discrete solution known in
    /// closed form for f = 1: x_i = (i+1)(n-i)/2 · h².
    @Test func tridiagonalClosedForm() throws {
        let n = 50
        let lu = try BandedLU(dimension: n, lower: 1, upper: 1) { i, j in i == j ? 2 : -1 }
        let x = try #require(lu.solve([Double](repeating: 1, count: n)))
        let exact = (0..<n).map { Double(($0 + 1) * (n - $0)) / 2 }
        #expect(relativeDifference(x, exact) < 1e-13)
    }

    @Test func singularGivesStatus() throws {
        let lu = try BandedLU(dimension: 4, lower: 1, upper: 1) { i, j in i == 2 || j == 2 ? 0 : 1 }
        if case .singular = lu.status {} else { Issue.record("expected singular, got \(lu.status)") }
        #expect(lu.solve([1, 1, 1, 1]) == nil)
    }

    @Test func bandwidthOutOfRangeThrows() {
        #expect(throws: InvalidArgument.self) { try BandedLU(dimension: 3, lower: 3, upper: 0) { _, _ in 1 } }
    }
}
