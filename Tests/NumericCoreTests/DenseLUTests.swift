import Foundation
import Testing
@testable import NumericCore

/// Max-norm relative difference ‖x − y‖∞ / ‖y‖∞.
func relativeDifference(_ x: [Double], _ y: [Double]) -> Double {
    var num = 0.0, den = 0.0
    for (a, b) in zip(x, y) { num = max(num, abs(a - b)); den = max(den, abs(b)) }
    return num / max(den, .leastNormalMagnitude)
}

@Suite struct DenseLUTests {
    /// A x = b with x known: the residual-free solution must come back to round-off (well-conditioned
    /// random matrix with a dominant diagonal shifted so that pivoting is exercised).
    @Test func solvesKnownSolutionWithPivoting() throws {
        let stream = RandomStream(seed: 11)
        let n = 30
        var a = (0..<(n * n)).map { _ in stream.gaussian() }
        a[0] = 0 // a zero in the (0,0) position forces a row swap
        let x = (0..<n).map { _ in stream.gaussian() }
        let b = try BLAS.multiply(a, vector: x, m: n, n: n)
        let lu = try DenseLU(matrix: a, dimension: n)
        #expect(lu.status == .success)
        let solved = try #require(lu.solve(b))
        #expect(relativeDifference(solved, x) < 1e-11)
    }

    @Test func manyRightHandSidesMatchSingleSolves() throws {
        let stream = RandomStream(seed: 12)
        let n = 8, m = 3
        let a = (0..<(n * n)).map { _ in stream.gaussian() }
        let x = (0..<(n * m)).map { _ in stream.gaussian() }
        var b = try BLAS.multiply(a, x, m: n, k: n, n: m)
        let lu = try DenseLU(matrix: a, dimension: n)
        #expect(lu.solve(&b, columns: m))
        #expect(relativeDifference(b, x) < 1e-12)
    }

    @Test func singularMatrixGivesStatusAndNil() throws {
        // Rank 2: the third row is twice the first (elimination reaches an exactly zero pivot).
        let a: [Double] = [1, 2, 3, 4, 5, 6, 2, 4, 6]
        let lu = try DenseLU(matrix: a, dimension: 3)
        if case .singular = lu.status {} else { Issue.record("expected singular, got \(lu.status)") }
        #expect(lu.solve([1, 2, 3]) == nil)
        #expect(lu.conditionEstimate() == .infinity)
    }

    /// The Hilbert matrix of order 6 has κ₁ ≈ 2.9e7 (exact inverse known in integers); the estimate is a
    /// lower bound within a factor 3.
    @Test func conditionEstimateOfHilbertMatrix() throws {
        let n = 6
        let a = (0..<(n * n)).map { 1.0 / Double($0 / n + $0 % n + 1) }
        let lu = try DenseLU(matrix: a, dimension: n)
        let estimate = lu.conditionEstimate()
        // exact κ₁(H_6) = 2.907027900294e7
        #expect(estimate <= 2.907027900294e7 * (1 + 1e-6))
        #expect(estimate >= 2.907027900294e7 / 3)
    }

    @Test func wrongSizeThrows() {
        #expect(throws: InvalidArgument.self) { try DenseLU(matrix: [1, 2, 3], dimension: 2) }
    }
}

@Suite struct BlockedDenseLUTests {
    /// Above the blocking threshold the trsm/gemm path must give the same solution.
    @Test func blockedFactorizationSolves() throws {
        _ = try Self.solvesRandomSystem(n: 150, seed: 13)
    }

    /// Factors a Gaussian n × n matrix, solves for b = A x with a Gaussian x and checks the error
    /// against the condition estimate; returns the matrix and its factorization.
    static func solvesRandomSystem(n: Int, seed: UInt64) throws -> ([Double], DenseLU) {
        let stream = RandomStream(seed: seed)
        let a = (0..<(n * n)).map { _ in stream.gaussian() }
        let x = (0..<n).map { _ in stream.gaussian() }
        let b = try BLAS.multiply(a, vector: x, m: n, n: n)
        let lu = try DenseLU(matrix: a, dimension: n)
        let solved = try #require(lu.solve(b))
        #expect(relativeDifference(solved, x) < 1e-10 * lu.conditionEstimate() / 1e3 + 1e-11)
        return (a, lu)
    }

    /// Above 4·2²⁰ multiply-adds a trailing update runs in column slices of 256 on the worker pool (and
    /// from 1024 columns with panels of 48): the factors still solve A x = b to the accuracy the
    /// condition number allows (n = 700: slices of the first panels; n = 1100: 48-wide panels).
    @Test(arguments: [700, 1100])
    func slicedTrailingUpdatesSolve(_ n: Int) throws {
        let (a, lu) = try Self.solvesRandomSystem(n: n, seed: 17)
        // The same factors on a second run (the slices' cut depends on the size only).
        #expect(try DenseLU(matrix: a, dimension: n).factors == lu.factors)
    }
}
