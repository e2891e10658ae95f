import Foundation
import Testing
@testable import NumericCore

@Suite struct AlmostBlockDiagonalLUTests {
    /// Random staircase matrix; `zeroDiagonal` zeroes every G_j diagonal entry and the boundary blocks'
    /// leading entries so that no step can succeed without row interchanges.
    static func random(n: Int, count: Int, top: Int, seed: UInt64, zeroDiagonal: Bool,
                       shootingForm: Bool = false) throws -> AlmostBlockDiagonalMatrix {
        let stream = RandomStream(seed: seed)
        var m = try AlmostBlockDiagonalMatrix(blockSize: n, blockCount: count, topRows: top)
        for i in m.top.indices { m.top[i] = stream.gaussian() }
        for i in m.bottom.indices { m.bottom[i] = stream.gaussian() }
        for j in 0..<count {
            for r in 0..<n {
                for c in 0..<(2 * n) {
                    let index = j * 2 * n * n + r * 2 * n + c
                    if shootingForm && c >= n {
                        m.blocks[index] = c - n == r ? -1 : 0
                    } else {
                        m.blocks[index] = stream.gaussian()
                    }
                    if zeroDiagonal && c == r { m.blocks[index] = 0 }
                }
            }
        }
        if zeroDiagonal {
            for r in 0..<top { m.top[r * n + r] = 0 }
        }
        return m
    }

    /// Against the dense LU of the assembled matrix and a known solution, to ~1e-12 relative (small
    /// blocks use the inline kernels, n >= 16 the blocked factorization, n >= 48 the BLAS-2 solve).
    @Test(arguments: [(3, 5, 1), (4, 7, 0), (4, 7, 4), (2, 1, 1), (5, 20, 3), (6, 0, 2), (20, 5, 10), (50, 3, 25), (50, 2, 0)])
    func agreesWithDenseLU(shape: (Int, Int, Int)) throws {
        let (n, count, top) = shape
        for zeroDiagonal in [false, true] {
            for twoEnded in [false, true] {
                try checkAgainstDenseLU(n: n, count: count, top: top, zeroDiagonal: zeroDiagonal, twoEnded: twoEnded)
            }
        }
    }

    /// `twoEnded`: the elimination from both ends (forced at any size; otherwise only from `splitWork`).
    func checkAgainstDenseLU(n: Int, count: Int, top: Int, zeroDiagonal: Bool, twoEnded: Bool) throws {
        let matrix = try Self.random(n: n, count: count, top: top, seed: UInt64(100 * n + count + top),
                                     zeroDiagonal: zeroDiagonal)
        let stream = RandomStream(seed: 7)
        let x = (0..<matrix.order).map { _ in stream.gaussian() }
        let b = matrix.multiply(x)
        let dense = try DenseLU(matrix: matrix.dense(), dimension: matrix.order)
        let reference = try #require(dense.solve(b))
        let lu = AlmostBlockDiagonalLU()
        lu.splitWork = twoEnded ? 0 : Int.max
        #expect(lu.factor(matrix) == .success)
        var solved = b
        #expect(lu.solve(&solved))
        let condition = dense.conditionEstimate()
        #expect(relativeDifference(solved, reference) < 1e-15 * condition * 10 + 1e-13,
                "n \(n) N \(count) na \(top) zeroDiagonal \(zeroDiagonal) two-ended \(twoEnded): κ \(condition)")
        #expect(relativeDifference(solved, x) < 1e-12 || condition > 1e4,
                "n \(n) N \(count) na \(top): error \(relativeDifference(solved, x)), κ \(condition)")
    }

    /// Multiple-shooting form [G_j, −I], several right-hand sides, reused factors across solves.
    @Test func shootingFormWithManyRightHandSides() throws {
        let matrix = try Self.random(n: 4, count: 12, top: 2, seed: 5, zeroDiagonal: true, shootingForm: true)
        let stream = RandomStream(seed: 8)
        let size = matrix.order, count = 3
        let x = (0..<(size * count)).map { _ in stream.gaussian() }
        var b = [Double]()
        for k in 0..<count { b += matrix.multiply(Array(x[(k * size)..<((k + 1) * size)])) }
        let lu = AlmostBlockDiagonalLU()
        #expect(lu.factor(matrix) == .success)
        #expect(lu.solve(&b, count: count))
        #expect(relativeDifference(b, x) < 1e-11)
    }

    /// A zero column block in G_3 together with no carry contribution makes column block 3 singular.
    @Test func singularMatrixNamesTheBlock() throws {
        var matrix = try Self.random(n: 3, count: 6, top: 0, seed: 9, zeroDiagonal: false)
        let n = 3
        for r in 0..<n { for c in 0..<n { matrix.blocks[3 * 2 * n * n + r * 2 * n + c] = 0 } }
        let lu = AlmostBlockDiagonalLU()
        let status = lu.factor(matrix)
        #expect(status == .singular(block: 3, column: 9))
        var b = [Double](repeating: 1, count: matrix.order)
        #expect(!lu.solve(&b))
    }

    /// A zero column block in the lower half is found by the upward elimination (two-ended), and the
    /// status names that column block.
    @Test func singularColumnInTheUpwardHalf() throws {
        var matrix = try Self.random(n: 3, count: 8, top: 1, seed: 11, zeroDiagonal: false)
        let n = 3, column = 6
        // Column block 6 is touched by block row 5 (its H) and block row 6 (its G).
        for r in 0..<n {
            for c in 0..<n {
                matrix.blocks[5 * 2 * n * n + r * 2 * n + n + c] = 0
                matrix.blocks[column * 2 * n * n + r * 2 * n + c] = 0
            }
        }
        let lu = AlmostBlockDiagonalLU()
        lu.splitWork = 0
        guard case let .singular(block, singularColumn) = lu.factor(matrix) else {
            Issue.record("a zero column block was not detected")
            return
        }
        #expect(block == 5 && singularColumn / n == column, "block \(block) column \(singularColumn)")
        var b = [Double](repeating: 1, count: matrix.order)
        #expect(!lu.solve(&b))
    }

    @Test func invalidShapeThrows() {
        #expect(throws: InvalidArgument.self) { try AlmostBlockDiagonalMatrix(blockSize: 2, blockCount: 3, topRows: 3) }
    }
}
