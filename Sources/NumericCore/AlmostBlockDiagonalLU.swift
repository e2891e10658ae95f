@preconcurrency import CGSL

/// Structured Gaussian elimination with alternate column and row pivoting (Varah; the COLROW scheme of
/// Diaz, Fairweather and Keast) for an `AlmostBlockDiagonalMatrix`.
///
/// Step j starts from the na "carry" rows C_j, nonzero only in column block j (at j = 0 they are B_a),
/// and block row j, [G_j H_j]. First na columns of block j are eliminated by COLUMN operations with
/// column pivoting inside C_j (an LU of C_jᵀ with partial pivoting): they touch only block j, so G_j is
/// transformed but nothing fills in. Then the remaining k = n − na columns are eliminated by ROW
/// operations with partial pivoting over the n rows of block row j; its k pivot rows keep U, its other
/// na rows are now zero in block j and are the carry of step j+1. After N steps the carry and B_b form a
/// dense n × n system for y_N; back substitution recovers y_{N−1}, …, y_0. Large matrices (N·n³ ≥
/// `splitWork`) are eliminated from both ends at once on two threads, the lower half upward from B_b
/// with the same step, meeting in a dense system for y_{N/2} (same flops, same stability argument).
///
/// Every pivot is the largest candidate of its row (column step) or column (row step) among the entries
/// that can be nonzero there, so this is Gaussian elimination with pivoting on a row- and
/// column-permuted matrix, as stable as row-pivoted elimination of the same staircase (Varah 1976), and
/// no fill appears outside it. Cost 2n³ − (na³ + k³)/3 flops per block (1.92 n³ for na = n/2, against
/// n³(5/3 + 3na/n) = 3.17 n³ for row pivoting over all na + n working rows), O(N n²) per right-hand
/// side; memory N (na + 2n)·n doubles for the stored factors (N (max(na, nb) + 2n)·n when split). The workspace is allocated when the shape
/// changes and reused across factorizations, so Newton iterations and frozen-Jacobian steps allocate
/// nothing. Derivation: Notes/almost-block-diagonal.md.
///
/// Not thread-safe: one instance per thread.
public final class AlmostBlockDiagonalLU {
    public private(set) var blockSize = 0
    public private(set) var blockCount = 0
    public private(set) var topRows = 0
    public private(set) var status = LinearSolveStatus.success
    /// Whether a successful factorization is stored.
    public var isFactored: Bool { factored && status.isSuccess }

    /// Step j's storage, n·max(na, nb) + 2n² doubles (`stepSize`): the column factors of C_jᵀ, then
    /// block row j (n × 2n, written by `factor(_:)` or directly through `blockRow`), which elimination
    /// overwrites with Ĝ_j and the row factors. Managed by hand: it is the one large buffer
    /// (N·stepSize doubles), grown by 1.5x when needed and never zero-filled, so mesh refinement does
    /// not pay for page clearing and copies.
    private var steps = UnsafeMutablePointer<Double>.allocate(capacity: 1)
    private var stepsCapacity = 1
    /// The boundary rows: B_a in rows 0..<na, B_b in rows na..<n (n × n row-major).
    private var boundary: [Double] = []
    private var stepPivots: [Int] = []
    private var last: [Double] = []
    private var lastPivots: [Int] = []
    private var forward: [Double] = []
    /// Per direction of the solve, the carried right-hand side and a work vector (n each).
    private var scratch: [Double] = []
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
        split = count >= 2 && count * n * n * n >= splitWork ? count / 2 : count
        factored = false
        let needed = max(1, count * stepSize)
        if needed > stepsCapacity {
            steps.deallocate()
            stepsCapacity = max(needed, stepsCapacity + stepsCapacity / 2)
            steps = UnsafeMutablePointer<Double>.allocate(capacity: stepsCapacity)
        }
        Self.grow(&stepPivots, to: count * n)
        Self.grow(&last, to: n * n)
        Self.grow(&lastPivots, to: n)
        Self.grow(&forward, to: count * n + 2 * n)
        Self.grow(&scratch, to: 4 * n)
        Self.grow(&boundary, to: n * n)
    }

    /// Doubles per step: the column factors (n × c, c = na downward or nb upward) and block row j (n × 2n).
    private var stepSize: Int { blockSize * carryCapacity + 2 * blockSize * blockSize }

    /// Room for the column factors: na columns, max(na, nb) when the elimination also runs upward.
    private var carryCapacity: Int { split < blockCount ? max(topRows, blockSize - topRows) : topRows }

    /// Distance in doubles from `blockRow(j)` to `blockRow(j + 1)` (for callers that fill the block rows
    /// from several workers through one base pointer).
    public var blockRowStride: Int { stepSize }

    /// Block row j, [G_j H_j]: n rows of 2n values, row stride 2n (valid after `prepare`, until the
    /// next factorization overwrites it).
    public func blockRow(_ j: Int) -> UnsafeMutablePointer<Double> {
        steps + j * stepSize + carryCapacity * blockSize
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
    ///
    /// From `splitWork` on, the elimination runs from both ends at once: blocks 0..<m downward from B_a
    /// and blocks N−1 down to m upward from B_b (the same step on the reversed staircase), on two
    /// threads, meeting in a dense n × n system for y_m (m = N/2). The split point depends only on the
    /// shape, so the factors do not depend on the number of threads.
    /// - Returns: `.success`, or `.singular(block: j, column: c)` when column c (in block j, counted in
    ///   the step's pivot order) had no nonzero pivot candidate; the factors are then unusable and
    ///   `solve` returns false.
    @discardableResult
    public func factorPrepared() -> LinearSolveStatus {
        factored = true
        let shape = self.shape
        let steps = SharedMutablePointer(self.steps)
        status = boundary.withUnsafeBufferPointer { boundaryBuffer in
            stepPivots.withUnsafeMutableBufferPointer { pivotBuffer in
                last.withUnsafeMutableBufferPointer { lastBuffer in
                    lastPivots.withUnsafeMutableBufferPointer { lastPivotBuffer in
                        let boundaryBlocks = SharedPointer(boundaryBuffer)
                        let pivots = SharedMutablePointer(pivotBuffer.baseAddress!)
                        var halves = (LinearSolveStatus.success, LinearSolveStatus.success)
                        if shape.isSplit && Parallel.workerCount > 1 {
                            halves = withUnsafeTemporaryAllocation(of: LinearSolveStatus.self, capacity: 2) { results in
                                let slots = SharedMutablePointer(results.baseAddress!)
                                Parallel.forEach(2) { half in
                                    (slots.base + half).initialize(to: Self.eliminate(
                                        half: half, shape: shape, steps: steps.base, boundary: boundaryBlocks.base,
                                        pivots: pivots.base))
                                }
                                return (slots.base.move(), (slots.base + 1).move())
                            }
                        } else {
                            halves.0 = Self.eliminate(half: 0, shape: shape, steps: steps.base, boundary: boundaryBlocks.base,
                                                      pivots: pivots.base)
                            if halves.0.isSuccess {
                                halves.1 = Self.eliminate(half: 1, shape: shape, steps: steps.base,
                                                          boundary: boundaryBlocks.base, pivots: pivots.base)
                            }
                        }
                        if !halves.0.isSuccess { return halves.0 }
                        if !halves.1.isSuccess { return halves.1 }
                        // The meeting system on y_m: the downward carry (na rows) over the upward one (nb rows).
                        let n = shape.n, f = lastBuffer.baseAddress!
                        for half in 0..<2 {
                            let (rows, source, stride) = shape.finalCarry(half: half, steps: steps.base,
                                                                           boundary: boundaryBlocks.base)
                            let first = half == 0 ? 0 : shape.na
                            for r in 0..<rows {
                                for c in 0..<n { f[(first + r) * n + c] = source[r * stride + c] }
                            }
                        }
                        if let q = DenseLU.factorInPlace(f, rows: n, columns: n, rowStride: n, eliminate: n,
                                                         pivots: lastPivotBuffer.baseAddress!) {
                            return .singular(block: shape.split, column: shape.split * n + q)
                        }
                        return .success
                    }
                }
            }
        }
        return status
    }

    /// Work N·n³ below which the elimination runs from the top only: two threads cost more to start
    /// than they save on small matrices. Read by `prepare`.
    var splitWork = 100_000

    /// y_m, where the downward and the upward eliminations meet (m = N: no split), fixed by `prepare`
    /// for the shape, so the factorization and every solve with it use the same one.
    private var split = 0

    /// The shape of the stored factorization, with the split point of the two-ended elimination.
    struct Shape: Sendable {
        let n: Int, count: Int, na: Int
        /// y_m, where the downward and the upward eliminations meet (m = N when there is no split).
        let split: Int
        /// Doubles per step and the offset of the block row inside a step (after the column factors).
        let stepSize: Int, rowOffset: Int
        let useBLAS: Bool
        var isSplit: Bool { split < count }
        var width: Int { 2 * n }

        /// Carry rows of a half: na downward (half 0), nb upward (half 1).
        func carryRows(half: Int) -> Int { half == 0 ? na : n - na }
        /// Block indices of a half in elimination order.
        func blocks(half: Int) -> StrideTo<Int> {
            half == 0 ? stride(from: 0, to: split, by: 1) : stride(from: count - 1, to: split - 1, by: -1)
        }
        /// Block indices of a half in back-substitution order (outward from y_m).
        func backSubstitutionBlocks(half: Int) -> StrideTo<Int> {
            half == 0 ? stride(from: split - 1, to: -1, by: -1) : stride(from: split, to: count, by: 1)
        }

        /// The carry left by a half on y_m: rows, start, row stride (the boundary block when the half
        /// has no blocks).
        func finalCarry(half: Int, steps: UnsafeMutablePointer<Double>,
                        boundary: UnsafePointer<Double>) -> (Int, UnsafePointer<Double>, Int) {
            let rows = carryRows(half: half)
            let lastBlock = half == 0 ? split - 1 : split
            let hasBlocks = half == 0 ? split > 0 : split < count
            guard hasBlocks else { return (rows, boundary + (half == 0 ? 0 : na * n), n) }
            return (rows, UnsafePointer(steps + lastBlock * stepSize + rowOffset + (n - rows) * width + n), width)
        }
    }

    private var shape: Shape {
        let n = blockSize, count = blockCount
        return Shape(n: n, count: count, na: topRows, split: split, stepSize: stepSize, rowOffset: n * carryCapacity,
                     useBLAS: n >= Self.blasThreshold)
    }

    /// Eliminates one half: downward (half 0) from B_a over blocks 0..<m, or upward (half 1) from B_b
    /// over blocks N−1, …, m with each block row's two column blocks exchanged ([H_j G_j]: the
    /// staircase read from the bottom right), so that the same step applies.
    static func eliminate(half: Int, shape: Shape, steps s: UnsafeMutablePointer<Double>, boundary: UnsafePointer<Double>,
                          pivots p: UnsafeMutablePointer<Int>) -> LinearSolveStatus {
        let n = shape.n, width = shape.width, c = shape.carryRows(half: half), k = n - c
        var source = boundary + (half == 0 ? 0 : shape.na * n)
        var sourceStride = n
        for j in shape.blocks(half: half) {
            let t = s + j * shape.stepSize, g = t + shape.rowOffset
            if half == 1 {
                for r in 0..<n {
                    let row = g + r * width
                    for q in 0..<n { let v = row[q]; row[q] = row[n + q]; row[n + q] = v }
                }
            }
            let columnPivots = p + j * n, rowPivots = columnPivots + c
            // The column block eliminated here: y_j downward, y_{j+1} upward.
            let columnBlock = half == 0 ? j : j + 1
            if c > 0 {
                for r in 0..<c {
                    let row = source + r * sourceStride
                    for q in 0..<n { t[q * c + r] = row[q] }
                }
                // Column elimination: P C_jᵀ = L U (L n × c unit lower trapezoidal).
                if let q = DenseLU.factorInPlace(t, rows: n, columns: c, rowStride: c, eliminate: c, pivots: columnPivots) {
                    return .singular(block: j, column: columnBlock * n + q)
                }
                transformColumns(g, rowStride: width, rows: n, factors: t, topRows: c, pivots: columnPivots,
                                 useBLAS: shape.useBLAS)
            }
            // Row elimination of the remaining k columns of the block over the n rows.
            if k > 0, let q = DenseLU.factorInPlace(g + c, rows: n, columns: width - c, rowStride: width, eliminate: k,
                                                    pivots: rowPivots) {
                return .singular(block: j, column: columnBlock * n + c + q)
            }
            // The next carry: the last c rows, now nonzero only in the block row's second column block.
            source = UnsafePointer(g + k * width + n)
            sourceStride = width
        }
        return .success
    }

    /// Block size from which the column transformation and the solves call BLAS (below, inline loops
    /// avoid the call overhead on small blocks).
    static let blasThreshold = 16

    /// The column elimination applied to block row j's G_j (n × n at `g`): with S the column
    /// interchanges and C_j S = Uᵀ [L₁ᵀ L₂ᵀ] (`factors` holds L₁ (na × na, unit lower) over L₂ and U),
    /// G_j S = [A₁ A₂] becomes Ĝ₁ = A₁ L₁⁻ᵀ and Ĝ₂ = A₂ − Ĝ₁ L₂ᵀ, in place.
    @inline(__always)
    static func transformColumns(_ g: UnsafeMutablePointer<Double>, rowStride width: Int, rows n: Int,
                                 factors t: UnsafePointer<Double>, topRows na: Int, pivots: UnsafePointer<Int>,
                                 useBLAS: Bool) {
        for q in 0..<na {
            let other = pivots[q]
            if other != q {
                for r in 0..<n { let row = g + r * width; let v = row[q]; row[q] = row[other]; row[other] = v }
            }
        }
        let k = n - na
        if useBLAS {
            cblas_dtrsm(CblasRowMajor, CblasRight, CblasLower, CblasTrans, CblasUnit, Int32(n), Int32(na), 1,
                        t, Int32(na), g, Int32(width))
            if k > 0 {
                cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, Int32(n), Int32(k), Int32(na), -1, g, Int32(width),
                            t + na * na, Int32(na), 1, g + na, Int32(width))
            }
            return
        }
        for r in 0..<n {
            let row = g + r * width
            // x L₁ᵀ = a₁: x_c = a_c − Σ_{l<c} L₁[c][l] x_l
            for c in 1..<max(na, 1) { row[c] -= dot(t + c * na, UnsafePointer(row), c) }
            // Ĝ₂[r][c] −= Σ_l Ĝ₁[r][l] L₂[c][l]
            for c in 0..<k { row[na + c] -= dot(t + (na + c) * na, UnsafePointer(row), na) }
        }
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
    /// (N + 1)·n writable values at `b`. A split factorization solves its two halves on two threads.
    public func solve(_ b: UnsafeMutablePointer<Double>) {
        let shape = self.shape
        let steps = SharedPointer(UnsafeBufferPointer(start: UnsafePointer(self.steps), count: stepsCapacity))
        let rhs = SharedMutablePointer(b)
        stepPivots.withUnsafeBufferPointer { pivotBuffer in
            forward.withUnsafeMutableBufferPointer { forwardBuffer in
                scratch.withUnsafeMutableBufferPointer { scratchBuffer in
                    let p = SharedPointer(pivotBuffer), z = SharedMutablePointer(forwardBuffer.baseAddress!)
                    let work = SharedMutablePointer(scratchBuffer.baseAddress!)
                    let n = shape.n, parallel = shape.isSplit && Parallel.workerCount > 1
                    let forwardHalf: @Sendable (Int) -> Void = { half in
                        Self.forwardSweep(half: half, shape: shape, steps: steps.base, pivots: p.base, rhs: rhs.base,
                                          forward: z.base, carry: work.base + 2 * n * half)
                    }
                    if parallel { Parallel.forEach(2, forwardHalf) } else { forwardHalf(0); forwardHalf(1) }
                    // The meeting system for y_m: the carried right-hand sides, downward (na) over upward (nb).
                    let ym = b + shape.split * n, carried = work.base
                    for r in 0..<shape.na { carried[n + r] = carried[r] }
                    for r in 0..<(n - shape.na) { carried[n + shape.na + r] = carried[2 * n + r] }
                    for r in 0..<n { ym[r] = carried[n + r] }
                    last.withUnsafeBufferPointer { f in
                        lastPivots.withUnsafeBufferPointer { fp in
                            DenseLU.solveInPlace(f.baseAddress!, rowStride: n, dimension: n, pivots: fp.baseAddress!,
                                                 rhs: ym, columns: 1)
                        }
                    }
                    let backHalf: @Sendable (Int) -> Void = { half in
                        Self.backSubstitution(half: half, shape: shape, steps: steps.base, pivots: p.base, solution: rhs.base,
                                              forward: UnsafePointer(z.base))
                    }
                    if parallel { Parallel.forEach(2, backHalf) } else { backHalf(0); backHalf(1) }
                }
            }
        }
    }

    /// Forward sweep of one half: z_j = (z₁, w) per step into `forward`, the carried right-hand side
    /// (c values) left in `carry[0..<c]`; `carry + n` is the work vector. Reads `b` only.
    static func forwardSweep(half: Int, shape: Shape, steps s: UnsafePointer<Double>, pivots p: UnsafePointer<Int>,
                             rhs b: UnsafePointer<Double>, forward z: UnsafeMutablePointer<Double>,
                             carry: UnsafeMutablePointer<Double>) {
        let n = shape.n, na = shape.na, width = shape.width, c = shape.carryRows(half: half), k = n - c
        let useBLAS = shape.useBLAS, v = carry + n
        let start = half == 0 ? b : b + na + shape.count * n
        for r in 0..<c { carry[r] = start[r] }
        for j in shape.blocks(half: half) {
            let t = s + j * shape.stepSize, g = t + shape.rowOffset
            let columnPivots = p + j * n, rowPivots = columnPivots + c
            let zj = z + j * n
            // Uᵀ z₁ = carry (U: c × c upper, rows of t, stride c).
            for l in 0..<c {
                let value = carry[l] / t[l * c + l]
                zj[l] = value
                let row = t + l * c
                for r in (l + 1)..<max(c, l + 1) { carry[r] -= row[r] * value }
            }
            // v = r_j − Ĝ₁ z₁ (original row order), then the row interchanges.
            let bj = b + na + j * n
            if useBLAS && c > 0 {
                for r in 0..<n { v[r] = bj[r] }
                cblas_dgemv(CblasRowMajor, CblasNoTrans, Int32(n), Int32(c), -1, g, Int32(width), zj, 1, 1, v, 1)
            } else {
                for r in 0..<n { v[r] = bj[r] - dot(g + r * width, UnsafePointer(zj), c) }
            }
            for q in 0..<k {
                let other = rowPivots[q]
                if other != q { let value = v[q]; v[q] = v[other]; v[other] = value }
            }
            // Unit lower triangle of the k pivot rows, then the c remaining rows.
            let l = g + c
            if useBLAS && k > 0 {
                cblas_dtrsv(CblasRowMajor, CblasLower, CblasNoTrans, CblasUnit, Int32(k), l, Int32(width), v, 1)
                if c > 0 {
                    cblas_dgemv(CblasRowMajor, CblasNoTrans, Int32(c), Int32(k), -1, l + k * width, Int32(width),
                                v, 1, 1, v + k, 1)
                }
            } else {
                for r in 1..<max(n, 1) { v[r] -= dot(l + r * width, UnsafePointer(v), min(r, k)) }
            }
            for q in 0..<k { zj[c + q] = v[q] }
            for r in 0..<c { carry[r] = v[k + r] }
        }
    }

    /// Back substitution of one half from y_m outward: z₂ = U₂⁻¹ (w − V y_next), x̃₁ = L₁⁻ᵀ (z₁ − L₂ᵀ z₂),
    /// y = S x̃, where downward y_j follows from y_{j+1} and upward y_{j+1} from y_j.
    static func backSubstitution(half: Int, shape: Shape, steps s: UnsafePointer<Double>, pivots p: UnsafePointer<Int>,
                                 solution b: UnsafeMutablePointer<Double>, forward z: UnsafePointer<Double>) {
        let n = shape.n, width = shape.width, c = shape.carryRows(half: half), k = n - c
        let useBLAS = shape.useBLAS
        for j in shape.backSubstitutionBlocks(half: half) {
            let t = s + j * shape.stepSize, g = t + shape.rowOffset
            let columnPivots = p + j * n
            let y = half == 0 ? b + j * n : b + (j + 1) * n
            let next = UnsafePointer(half == 0 ? b + (j + 1) * n : b + j * n), zj = z + j * n
            let u = g + c
            let x2 = y + c
            if useBLAS && k > 0 {
                for i in 0..<k { x2[i] = zj[c + i] }
                cblas_dgemv(CblasRowMajor, CblasNoTrans, Int32(k), Int32(n), -1, g + n, Int32(width), next, 1, 1, x2, 1)
                cblas_dtrsv(CblasRowMajor, CblasUpper, CblasNoTrans, CblasNonUnit, Int32(k), u, Int32(width), x2, 1)
            } else {
                for i in stride(from: k - 1, through: 0, by: -1) {
                    let row = u + i * width
                    let sum = zj[c + i] - dot(g + i * width + n, next, n) - dot(row + i + 1, UnsafePointer(x2 + i + 1), k - i - 1)
                    x2[i] = sum / row[i]
                }
            }
            if c > 0 {
                for l in 0..<c { y[l] = zj[l] }
                for q in 0..<k {
                    let row = t + (c + q) * c, value = x2[q]
                    for l in 0..<c { y[l] -= row[l] * value }
                }
                for r in stride(from: c - 1, through: 1, by: -1) {
                    let row = t + r * c, value = y[r]
                    for l in 0..<r { y[l] -= row[l] * value }
                }
                for q in stride(from: c - 1, through: 0, by: -1) {
                    let other = columnPivots[q]
                    if other != q { let value = y[q]; y[q] = y[other]; y[other] = value }
                }
            }
        }
    }
}
