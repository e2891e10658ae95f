/// An almost-block-diagonal (staircase) matrix in the layout of multiple shooting and collocation.
///
/// Unknowns y_0, …, y_N, each in Rⁿ (`blockSize` n, `blockCount` N block rows). Rows, in order:
/// - `top`: the na × n boundary block B_a acting on y_0 (row-major),
/// - N block rows [G_j H_j] (n × 2n, row-major with rows of length 2n) acting on (y_j, y_{j+1}),
///   stored one after the other in `blocks` (block row j starts at j·2n²),
/// - `bottom`: the nb × n boundary block B_b acting on y_N, with na + nb = n.
///
/// The matrix is square of order (N + 1)·n. The factorization is `AlmostBlockDiagonalLU`; see
/// Notes/almost-block-diagonal.md.
public struct AlmostBlockDiagonalMatrix: Sendable {
    public let blockSize: Int
    public private(set) var blockCount: Int
    public let topRows: Int
    public var top: [Double]
    public var blocks: [Double]
    public var bottom: [Double]

    public var bottomRows: Int { blockSize - topRows }
    /// Order of the whole matrix, (N + 1)·n.
    public var order: Int { (blockCount + 1) * blockSize }

    /// A zero matrix of the given shape.
    /// - Throws: `InvalidArgument` unless n >= 1, N >= 0 and 0 <= na <= n.
    public init(blockSize: Int, blockCount: Int, topRows: Int) throws {
        try Validate.positive(blockSize, "blockSize")
        try Validate.atLeast(blockCount, 0, "blockCount")
        guard topRows >= 0, topRows <= blockSize else {
            throw InvalidArgument("topRows", topRows, "must be in 0...\(blockSize)")
        }
        self.blockSize = blockSize
        self.blockCount = blockCount
        self.topRows = topRows
        top = [Double](repeating: 0, count: topRows * blockSize)
        blocks = [Double](repeating: 0, count: blockCount * 2 * blockSize * blockSize)
        bottom = [Double](repeating: 0, count: (blockSize - topRows) * blockSize)
    }

    /// Changes the number of block rows, keeping the storage when it is large enough (the arrays never
    /// shrink, so a solver that refines and coarsens its mesh does not reallocate every time).
    /// - Throws: `InvalidArgument` for a negative count.
    public mutating func reshape(blockCount count: Int) throws {
        try Validate.atLeast(count, 0, "blockCount")
        blockCount = count
        let needed = count * 2 * blockSize * blockSize
        if blocks.count < needed { blocks += [Double](repeating: 0, count: needed - blocks.count) }
    }

    /// The assembled dense (N + 1)n × (N + 1)n row-major matrix (for tests and small diagnostics only:
    /// the solvers never form it).
    public func dense() -> [Double] {
        let n = blockSize, size = order
        var a = [Double](repeating: 0, count: size * size)
        for r in 0..<topRows { for c in 0..<n { a[r * size + c] = top[r * n + c] } }
        for j in 0..<blockCount {
            for r in 0..<n {
                let row = topRows + j * n + r
                for c in 0..<(2 * n) { a[row * size + j * n + c] = blocks[j * 2 * n * n + r * 2 * n + c] }
            }
        }
        for r in 0..<bottomRows {
            let row = topRows + blockCount * n + r
            for c in 0..<n { a[row * size + blockCount * n + c] = bottom[r * n + c] }
        }
        return a
    }

    /// y = A x, without forming A (O(N n²)).
    public func multiply(_ x: [Double]) -> [Double] {
        let n = blockSize, na = topRows
        var y = [Double](repeating: 0, count: order)
        for r in 0..<na { var s = 0.0; for c in 0..<n { s += top[r * n + c] * x[c] }; y[r] = s }
        for j in 0..<blockCount {
            for r in 0..<n {
                var s = 0.0
                let base = j * 2 * n * n + r * 2 * n
                for c in 0..<(2 * n) { s += blocks[base + c] * x[j * n + c] }
                y[na + j * n + r] = s
            }
        }
        for r in 0..<bottomRows {
            var s = 0.0
            for c in 0..<n { s += bottom[r * n + c] * x[blockCount * n + c] }
            y[na + blockCount * n + r] = s
        }
        return y
    }
}
