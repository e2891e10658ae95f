/// Structured Gaussian elimination with row partial pivoting for an `AlmostBlockDiagonalMatrix`.
///
/// Column block by column block: at step j the working rows are the na "carry" rows (nonzero only in
/// column block j) and block row j [G_j H_j]. The n columns of block j are eliminated with partial
/// pivoting over those na + n rows; the n pivot rows keep U (blocks j and j+1), the other na rows are
/// now zero in block j and are carried to step j+1. After N steps the carry rows and B_b form a dense
/// n × n system for y_N; back substitution then recovers y_{N−1}, …, y_0.
///
/// This is exactly Gaussian elimination with partial pivoting on the assembled matrix (every row that
/// could hold a pivot candidate for a column is among the working rows), so it inherits GEPP's
/// backward stability, and no fill appears outside the staircase. Cost O(N n³) flops to factor and
/// O(N n²) per right-hand side; memory N (na + n)·2n doubles for the stored factors. The workspace is
/// allocated when the shape changes and reused across factorizations, so Newton iterations and
/// frozen-Jacobian steps allocate nothing. Derivation: Notes/almost-block-diagonal.md.
///
/// Not thread-safe: one instance per thread.
public final class AlmostBlockDiagonalLU {
    public private(set) var blockSize = 0
    public private(set) var blockCount = 0
    public private(set) var topRows = 0
    public private(set) var status = LinearSolveStatus.success
    /// Whether a successful factorization is stored.
    public var isFactored: Bool { factored && status.isSuccess }

    /// Step j's working matrix after elimination: (na + n) × 2n, row-major.
    private var steps: [Double] = []
    private var stepPivots: [Int] = []
    private var last: [Double] = []
    private var lastPivots: [Int] = []
    private var forward: [Double] = []
    private var carry: [Double] = []
    private var factored = false

    public init() {}

    /// Factors `matrix`, reusing the stored workspace when the shape is unchanged.
    /// - Returns: `.success`, or `.singular(block: j, column: c)` when column c (in block j) had no
    ///   nonzero pivot candidate; the factors are then unusable and `solve` returns false.
    @discardableResult
    public func factor(_ matrix: AlmostBlockDiagonalMatrix) -> LinearSolveStatus {
        let n = matrix.blockSize, count = matrix.blockCount, na = matrix.topRows
        if n != blockSize || count != blockCount || na != topRows || steps.isEmpty && count > 0 {
            blockSize = n; blockCount = count; topRows = na
            steps = [Double](repeating: 0, count: max(1, count * (na + n) * 2 * n))
            stepPivots = [Int](repeating: 0, count: max(1, count * n))
            last = [Double](repeating: 0, count: n * n)
            lastPivots = [Int](repeating: 0, count: n)
            forward = [Double](repeating: 0, count: max(1, count * n))
            carry = [Double](repeating: 0, count: max(1, na))
        }
        factored = true
        let rows = na + n, width = 2 * n, stepSize = rows * width
        status = matrix.top.withUnsafeBufferPointer { top in
            matrix.blocks.withUnsafeBufferPointer { blocks in
                matrix.bottom.withUnsafeBufferPointer { bottom in
                    steps.withUnsafeMutableBufferPointer { stepBuffer in
                        stepPivots.withUnsafeMutableBufferPointer { pivotBuffer in
                            last.withUnsafeMutableBufferPointer { lastBuffer in
                                lastPivots.withUnsafeMutableBufferPointer { lastPivotBuffer in
                                    let s = stepBuffer.baseAddress!, p = pivotBuffer.baseAddress!
                                    for j in 0..<count {
                                        let w = s + j * stepSize
                                        if j == 0 {
                                            for r in 0..<na {
                                                for c in 0..<n { w[r * width + c] = top[r * n + c] }
                                                for c in n..<width { w[r * width + c] = 0 }
                                            }
                                        } else {
                                            let previous = s + (j - 1) * stepSize
                                            for r in 0..<na {
                                                let source = previous + (n + r) * width + n
                                                let target = w + r * width
                                                for c in 0..<n { target[c] = source[c] }
                                                for c in n..<width { target[c] = 0 }
                                            }
                                        }
                                        let block = blocks.baseAddress! + j * n * width
                                        (w + na * width).update(from: block, count: n * width)
                                        if let k = DenseLU.factorInPlace(w, rows: rows, columns: width, rowStride: width,
                                                                         eliminate: n, pivots: p + j * n) {
                                            return .singular(block: j, column: j * n + k)
                                        }
                                    }
                                    let f = lastBuffer.baseAddress!
                                    for r in 0..<na {
                                        for c in 0..<n {
                                            f[r * n + c] = count == 0
                                                ? top[r * n + c]
                                                : s[(count - 1) * stepSize + (n + r) * width + n + c]
                                        }
                                    }
                                    for r in 0..<(n - na) {
                                        for c in 0..<n { f[(na + r) * n + c] = bottom[r * n + c] }
                                    }
                                    if let k = DenseLU.factorInPlace(f, rows: n, columns: n, rowStride: n, eliminate: n,
                                                                     pivots: lastPivotBuffer.baseAddress!) {
                                        return .singular(block: count, column: count * n + k)
                                    }
                                    return .success
                                }
                            }
                        }
                    }
                }
            }
        }
        return status
    }

    /// Solves A x = b in place for one right-hand side of length (N + 1)·n in the matrix's row order
    /// (top rows, block rows, bottom rows); on return it holds x = (y_0, …, y_N).
    /// - Returns: false (and leaves `rhs` untouched) when no successful factorization is stored or the
    ///   length is wrong.
    @discardableResult
    public func solve(_ rhs: inout [Double]) -> Bool {
        guard isFactored, rhs.count == (blockCount + 1) * blockSize else { return false }
        rhs.withUnsafeMutableBufferPointer { b in solve(b.baseAddress!) }
        return true
    }

    /// Solves for `count` right-hand sides stored one after the other (each of length (N + 1)·n).
    @discardableResult
    public func solve(_ rhs: inout [Double], count: Int) -> Bool {
        let size = (blockCount + 1) * blockSize
        guard isFactored, count > 0, rhs.count == size * count else { return false }
        rhs.withUnsafeMutableBufferPointer { b in
            for k in 0..<count { solve(b.baseAddress! + k * size) }
        }
        return true
    }

    /// In-place solve on raw storage; the caller guarantees a stored successful factorization and
    /// (N + 1)·n writable values at `b`.
    public func solve(_ b: UnsafeMutablePointer<Double>) {
        let n = blockSize, count = blockCount, na = topRows
        let rows = na + n, width = 2 * n, stepSize = rows * width
        steps.withUnsafeBufferPointer { stepBuffer in
            stepPivots.withUnsafeBufferPointer { pivotBuffer in
                forward.withUnsafeMutableBufferPointer { forwardBuffer in
                    carry.withUnsafeMutableBufferPointer { carryBuffer in
                        let s = stepBuffer.baseAddress!, p = pivotBuffer.baseAddress!
                        let z = forwardBuffer.baseAddress!, c = carryBuffer.baseAddress!
                        for r in 0..<na { c[r] = b[r] }
                        // Forward elimination, step by step; the working vector is (carry, block rhs).
                        for j in 0..<count {
                            let w = s + j * stepSize
                            let piv = p + j * n
                            let zj = z + j * n
                            let bj = b + na + j * n
                            // value of working row r: r < na -> carry, else block rhs
                            @inline(__always) func read(_ r: Int) -> Double { r < na ? c[r] : bj[r - na] }
                            @inline(__always) func write(_ r: Int, _ v: Double) { if r < na { c[r] = v } else { bj[r - na] = v } }
                            // The factorization swapped whole rows (multipliers included), so all
                            // interchanges come first, then the unit lower triangular sweep.
                            for k in 0..<n {
                                let q = piv[k]
                                if q != k { let t = read(k); write(k, read(q)); write(q, t) }
                            }
                            for k in 0..<n {
                                let pivotValue = read(k)
                                if pivotValue != 0 {
                                    for r in (k + 1)..<rows {
                                        let l = w[r * width + k]
                                        if l != 0 { write(r, read(r) - l * pivotValue) }
                                    }
                                }
                            }
                            for k in 0..<n { zj[k] = read(k) }
                            var newCarry = 0
                            while newCarry < na { let v = read(n + newCarry); c[newCarry] = v; newCarry += 1 }
                        }
                        // Last dense system: rows (carry, bottom) -> y_N, solved in y_N's own slot.
                        let yN = b + count * n
                        // The bottom rows' rhs already sits at yN[na..<n]; the carry fills yN[0..<na].
                        for r in 0..<na { yN[r] = c[r] }
                        last.withUnsafeBufferPointer { f in
                            lastPivots.withUnsafeBufferPointer { fp in
                                DenseLU.solveInPlace(f.baseAddress!, rowStride: n, dimension: n, pivots: fp.baseAddress!,
                                                     rhs: yN, columns: 1)
                            }
                        }
                        // Back substitution: y_j = U_j⁻¹ (z_j − V_j y_{j+1}).
                        for j in stride(from: count - 1, through: 0, by: -1) {
                            let w = s + j * stepSize
                            let yj = b + j * n, next = b + (j + 1) * n, zj = z + j * n
                            for i in stride(from: n - 1, through: 0, by: -1) {
                                let row = w + i * width
                                var sum = zj[i]
                                let v = row + n
                                for k in 0..<n { sum -= v[k] * next[k] }
                                for k in (i + 1)..<n { sum -= row[k] * yj[k] }
                                yj[i] = sum / row[i]
                            }
                        }
                    }
                }
            }
        }
    }
}
