@preconcurrency import CGSL

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

    /// Step j's working matrix, (na + n) × 2n row-major: block row j is written into its rows
    /// na..<na+n (by `factor(_:)` or directly through `blockRow`), elimination overwrites it with the
    /// factors. Managed by hand: it is the one large buffer (N (na + n) 2n doubles), grown by 1.5x
    /// when needed and never zero-filled, so mesh refinement does not pay for page clearing and copies.
    private var steps = UnsafeMutablePointer<Double>.allocate(capacity: 1)
    private var stepsCapacity = 1
    /// The boundary rows: B_a in rows 0..<na, B_b in rows na..<n (n × n row-major).
    private var boundary: [Double] = []
    private var stepPivots: [Int] = []
    private var last: [Double] = []
    private var lastPivots: [Int] = []
    private var forward: [Double] = []
    private var carry: [Double] = []
    private var work: [Double] = []
    private var factored = false

    /// Σ a_k b_k with four independent partial sums (breaks the dependency chain so the loop runs at
    /// vector speed; the summation order is fixed, so results do not depend on anything but the data).
    @inline(__always)
    static func dot(_ a: UnsafePointer<Double>, _ b: UnsafePointer<Double>, _ count: Int) -> Double {
        var s0 = 0.0, s1 = 0.0, s2 = 0.0, s3 = 0.0
        var k = 0
        while k + 4 <= count {
            s0 += a[k] * b[k]
            s1 += a[k + 1] * b[k + 1]
            s2 += a[k + 2] * b[k + 2]
            s3 += a[k + 3] * b[k + 3]
            k += 4
        }
        while k < count { s0 += a[k] * b[k]; k += 1 }
        return (s0 + s1) + (s2 + s3)
    }

    private static func grow<T: Numeric>(_ array: inout [T], to size: Int) {
        if array.count < size { array += [T](repeating: 0, count: size - array.count) }
    }

    public init() {}

    deinit { steps.deallocate() }

    /// Sizes the storage for a matrix of this shape (no allocation when it fits already). After this,
    /// fill `blockRow(j)` for every j and the boundary blocks, then call `factorPrepared()`.
    /// - Throws: `InvalidArgument` unless n >= 1, N >= 0 and 0 <= na <= n.
    public func prepare(blockSize n: Int, blockCount count: Int, topRows na: Int) throws {
        Parallel.useSingleThreadedBLAS()
        try Validate.positive(n, "blockSize")
        try Validate.atLeast(count, 0, "blockCount")
        guard na >= 0, na <= n else { throw InvalidArgument("topRows", na, "must be in 0...\(n)") }
        blockSize = n; blockCount = count; topRows = na
        factored = false
        let needed = max(1, count * (na + n) * 2 * n)
        if needed > stepsCapacity {
            steps.deallocate()
            stepsCapacity = max(needed, stepsCapacity + stepsCapacity / 2)
            steps = UnsafeMutablePointer<Double>.allocate(capacity: stepsCapacity)
        }
        Self.grow(&stepPivots, to: count * n)
        Self.grow(&last, to: n * n)
        Self.grow(&lastPivots, to: n)
        Self.grow(&forward, to: count * n + 2 * n)
        Self.grow(&carry, to: max(1, na))
        Self.grow(&work, to: na + n)
        Self.grow(&boundary, to: n * n)
    }

    /// Block row j, [G_j H_j]: n rows of 2n values, row stride 2n (valid after `prepare`, until the
    /// next factorization overwrites it).
    public func blockRow(_ j: Int) -> UnsafeMutablePointer<Double> {
        steps + j * (topRows + blockSize) * 2 * blockSize + topRows * 2 * blockSize
    }

    /// Writes B_a (na × n, row-major) and B_b (nb × n) through `body(top, bottom)`.
    public func withBoundaryBlocks<R>(_ body: (UnsafeMutablePointer<Double>, UnsafeMutablePointer<Double>) throws -> R) rethrows -> R {
        let offset = topRows * blockSize
        return try boundary.withUnsafeMutableBufferPointer { b in try body(b.baseAddress!, b.baseAddress! + offset) }
    }

    /// Factors `matrix`, reusing the stored workspace when the shape is unchanged.
    /// - Returns: `.success`, or `.singular(block: j, column: c)` when column c (in block j) had no
    ///   nonzero pivot candidate; the factors are then unusable and `solve` returns false.
    @discardableResult
    public func factor(_ matrix: AlmostBlockDiagonalMatrix) -> LinearSolveStatus {
        let n = matrix.blockSize, count = matrix.blockCount, na = matrix.topRows
        do { try prepare(blockSize: n, blockCount: count, topRows: na) } catch { return .singular(block: 0, column: 0) }
        matrix.blocks.withUnsafeBufferPointer { blocks in
            for j in 0..<count { blockRow(j).update(from: blocks.baseAddress! + j * 2 * n * n, count: 2 * n * n) }
        }
        withBoundaryBlocks { top, bottom in
            for i in 0..<(na * n) { top[i] = matrix.top[i] }
            for i in 0..<((n - na) * n) { bottom[i] = matrix.bottom[i] }
        }
        return factorPrepared()
    }

    /// Factors the matrix written through `blockRow` and `withBoundaryBlocks` after `prepare`.
    /// - Returns: `.success`, or `.singular(block: j, column: c)` when column c (in block j) had no
    ///   nonzero pivot candidate; the factors are then unusable and `solve` returns false.
    @discardableResult
    public func factorPrepared() -> LinearSolveStatus {
        let n = blockSize, count = blockCount, na = topRows
        factored = true
        let rows = na + n, width = 2 * n, stepSize = rows * width
        let s = steps
        status = boundary.withUnsafeBufferPointer { boundaryBuffer in
            stepPivots.withUnsafeMutableBufferPointer { pivotBuffer in
                last.withUnsafeMutableBufferPointer { lastBuffer in
                    lastPivots.withUnsafeMutableBufferPointer { lastPivotBuffer in
                        let top = boundaryBuffer.baseAddress!, bottom = top + na * n
                        let p = pivotBuffer.baseAddress!
                        for j in 0..<count {
                            let w = s + j * stepSize
                            let carryOffset: Int = (j - 1) * stepSize + n * width + n
                            let source: UnsafePointer<Double> = j == 0 ? top : UnsafePointer(s + carryOffset)
                            let sourceStride = j == 0 ? n : width
                            for r in 0..<na {
                                let target = w + r * width
                                for c in 0..<n { target[c] = source[r * sourceStride + c] }
                                for c in n..<width { target[c] = 0 }
                            }
                            if let k = DenseLU.factorInPlace(w, rows: rows, columns: width, rowStride: width,
                                                             eliminate: n, pivots: p + j * n) {
                                return .singular(block: j, column: j * n + k)
                            }
                        }
                        let f = lastBuffer.baseAddress!
                        for r in 0..<na {
                            for c in 0..<n {
                                f[r * n + c] = count == 0 ? top[r * n + c] : s[(count - 1) * stepSize + (n + r) * width + n + c]
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
        // BLAS-2 kernels pay off once a block is large; below, the inline loops avoid call overhead.
        let useBLAS = n >= 48
        do {
            stepPivots.withUnsafeBufferPointer { pivotBuffer in
                forward.withUnsafeMutableBufferPointer { forwardBuffer in
                    carry.withUnsafeMutableBufferPointer { carryBuffer in
                      work.withUnsafeMutableBufferPointer { workBuffer in
                        let s = UnsafePointer(steps), p = pivotBuffer.baseAddress!
                        let z = forwardBuffer.baseAddress!, c = carryBuffer.baseAddress!
                        let v = workBuffer.baseAddress!
                        for r in 0..<na { c[r] = b[r] }
                        // Forward elimination, step by step, on the working vector v = (carry, block rhs).
                        for j in 0..<count {
                            let w = s + j * stepSize
                            let piv = p + j * n
                            let bj = b + na + j * n
                            for r in 0..<na { v[r] = c[r] }
                            for r in 0..<n { v[na + r] = bj[r] }
                            // The factorization swapped whole rows (multipliers included), so all
                            // interchanges come first, then the unit lower triangular sweep.
                            for k in 0..<n {
                                let q = piv[k]
                                if q != k { let t = v[k]; v[k] = v[q]; v[q] = t }
                            }
                            if useBLAS {
                                // Unit lower triangle of the pivot rows, then the carry rows (OpenBLAS kernels).
                                cblas_dtrsv(CblasRowMajor, CblasLower, CblasNoTrans, CblasUnit, Int32(n), w, Int32(width), v, 1)
                                if na > 0 {
                                    cblas_dgemv(CblasRowMajor, CblasNoTrans, Int32(na), Int32(n), -1, w + n * width, Int32(width),
                                                v, 1, 1, v + n, 1)
                                }
                            } else {
                                for r in 1..<rows { v[r] -= Self.dot(w + r * width, UnsafePointer(v), min(r, n)) }
                            }
                            let zj = z + j * n
                            for k in 0..<n { zj[k] = v[k] }
                            for r in 0..<na { c[r] = v[n + r] }
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
                            if useBLAS {
                                for i in 0..<n { yj[i] = zj[i] }
                                cblas_dgemv(CblasRowMajor, CblasNoTrans, Int32(n), Int32(n), -1, w + n, Int32(width),
                                            next, 1, 1, yj, 1)
                                cblas_dtrsv(CblasRowMajor, CblasUpper, CblasNoTrans, CblasNonUnit, Int32(n), w, Int32(width), yj, 1)
                            } else {
                                for i in stride(from: n - 1, through: 0, by: -1) {
                                    let row = w + i * width
                                    let sum = zj[i] - Self.dot(row + n, next, n) - Self.dot(row + i + 1, yj + i + 1, n - i - 1)
                                    yj[i] = sum / row[i]
                                }
                            }
                        }
                      }
                    }
                }
            }
        }
    }
}
