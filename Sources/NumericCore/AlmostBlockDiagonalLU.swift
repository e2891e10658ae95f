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
/// dense n × n system for y_N; back substitution recovers y_{N−1}, …, y_0.
///
/// Every pivot is the largest candidate of its row (column step) or column (row step) among the entries
/// that can be nonzero there, so this is Gaussian elimination with pivoting on a row- and
/// column-permuted matrix, as stable as row-pivoted elimination of the same staircase (Varah 1976), and
/// no fill appears outside it. Cost 2n³ − (na³ + k³)/3 flops per block (1.92 n³ for na = n/2, against
/// n³(5/3 + 3na/n) = 3.17 n³ for row pivoting over all na + n working rows), O(N n²) per right-hand
/// side; memory N (na + 2n)·n doubles for the stored factors. The workspace is allocated when the shape
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

    /// Step j's storage, n·na + 2n² doubles (`stepSize`): the column factors of C_jᵀ (n × na), then
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
        Self.grow(&carry, to: max(1, na))
        Self.grow(&work, to: na + n)
        Self.grow(&boundary, to: n * n)
    }

    /// Doubles per step: the column factors (n × na) and block row j (n × 2n).
    private var stepSize: Int { blockSize * topRows + 2 * blockSize * blockSize }

    /// Distance in doubles from `blockRow(j)` to `blockRow(j + 1)` (for callers that fill the block rows
    /// from several workers through one base pointer).
    public var blockRowStride: Int { stepSize }

    /// Block row j, [G_j H_j]: n rows of 2n values, row stride 2n (valid after `prepare`, until the
    /// next factorization overwrites it).
    public func blockRow(_ j: Int) -> UnsafeMutablePointer<Double> {
        steps + j * stepSize + topRows * blockSize
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
    /// - Returns: `.success`, or `.singular(block: j, column: c)` when column c (in block j, counted in
    ///   the step's pivot order) had no nonzero pivot candidate; the factors are then unusable and
    ///   `solve` returns false.
    @discardableResult
    public func factorPrepared() -> LinearSolveStatus {
        let n = blockSize, count = blockCount, na = topRows
        factored = true
        let width = 2 * n, stepSize = self.stepSize, k = n - na
        let s = steps
        let useBLAS = n >= Self.blasThreshold
        status = boundary.withUnsafeBufferPointer { boundaryBuffer in
            stepPivots.withUnsafeMutableBufferPointer { pivotBuffer in
                last.withUnsafeMutableBufferPointer { lastBuffer in
                    lastPivots.withUnsafeMutableBufferPointer { lastPivotBuffer in
                        let top = boundaryBuffer.baseAddress!, bottom = top + na * n
                        let p = pivotBuffer.baseAddress!
                        for j in 0..<count {
                            let t = s + j * stepSize          // T_j = C_jᵀ, n × na, then its LU
                            let g = t + n * na            // block row j, n × 2n
                            let columnPivots = p + j * n, rowPivots = columnPivots + na
                            // The carry C_j (na × n): B_a, or the last na rows of the previous block row.
                            let source: UnsafePointer<Double> = j == 0 ? top : UnsafePointer(s + (j - 1) * stepSize + n * na + k * width + n)
                            let sourceStride = j == 0 ? n : width
                            if na > 0 {
                                for r in 0..<na {
                                    let row = source + r * sourceStride
                                    for c in 0..<n { t[c * na + r] = row[c] }
                                }
                                // Column elimination: P C_jᵀ = L U (L n × na unit lower trapezoidal).
                                if let q = DenseLU.factorInPlace(t, rows: n, columns: na, rowStride: na, eliminate: na,
                                                                 pivots: columnPivots) {
                                    return .singular(block: j, column: j * n + q)
                                }
                                Self.transformColumns(g, rowStride: width, rows: n, factors: t, topRows: na,
                                                      pivots: columnPivots, useBLAS: useBLAS)
                            }
                            // Row elimination of the remaining k columns of block j over the n rows.
                            if k > 0, let q = DenseLU.factorInPlace(g + na, rows: n, columns: width - na, rowStride: width,
                                                                    eliminate: k, pivots: rowPivots) {
                                return .singular(block: j, column: j * n + na + q)
                            }
                        }
                        // The last dense system: the final carry C_N and B_b.
                        let f = lastBuffer.baseAddress!
                        for r in 0..<na {
                            for c in 0..<n {
                                f[r * n + c] = count == 0 ? top[r * n + c] : s[(count - 1) * stepSize + n * na + (k + r) * width + n + c]
                            }
                        }
                        for r in 0..<k {
                            for c in 0..<n { f[(na + r) * n + c] = bottom[r * n + c] }
                        }
                        if let q = DenseLU.factorInPlace(f, rows: n, columns: n, rowStride: n, eliminate: n,
                                                         pivots: lastPivotBuffer.baseAddress!) {
                            return .singular(block: count, column: count * n + q)
                        }
                        return .success
                    }
                }
            }
        }
        return status
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
    /// (N + 1)·n writable values at `b`.
    public func solve(_ b: UnsafeMutablePointer<Double>) {
        let n = blockSize, count = blockCount, na = topRows
        let width = 2 * n, stepSize = self.stepSize, k = n - na
        let useBLAS = n >= Self.blasThreshold
        stepPivots.withUnsafeBufferPointer { pivotBuffer in
            forward.withUnsafeMutableBufferPointer { forwardBuffer in
                carry.withUnsafeMutableBufferPointer { carryBuffer in
                    work.withUnsafeMutableBufferPointer { workBuffer in
                        let s = UnsafePointer(steps), p = pivotBuffer.baseAddress!
                        let z = forwardBuffer.baseAddress!, c = carryBuffer.baseAddress!
                        let v = workBuffer.baseAddress!
                        for r in 0..<na { c[r] = b[r] }
                        // Forward sweep: z_j = (z₁, w) per step, the carry's right-hand side passed on.
                        for j in 0..<count {
                            let t = s + j * stepSize, g = t + n * na
                            let columnPivots = p + j * n, rowPivots = columnPivots + na
                            let zj = z + j * n
                            // Uᵀ z₁ = c (U: na × na upper, rows of t, stride na).
                            for l in 0..<na {
                                let value = c[l] / t[l * na + l]
                                zj[l] = value
                                let row = t + l * na
                                for r in (l + 1)..<max(na, l + 1) { c[r] -= row[r] * value }
                            }
                            // v = r_j − Ĝ₁ z₁ (original row order), then the row interchanges.
                            let bj = b + na + j * n
                            if useBLAS && na > 0 {
                                for r in 0..<n { v[r] = bj[r] }
                                cblas_dgemv(CblasRowMajor, CblasNoTrans, Int32(n), Int32(na), -1, g, Int32(width),
                                            zj, 1, 1, v, 1)
                            } else {
                                for r in 0..<n { v[r] = bj[r] - Self.dot(g + r * width, UnsafePointer(zj), na) }
                            }
                            for q in 0..<k {
                                let other = rowPivots[q]
                                if other != q { let value = v[q]; v[q] = v[other]; v[other] = value }
                            }
                            // Unit lower triangle of the k pivot rows, then the na remaining rows.
                            let l = g + na
                            if useBLAS && k > 0 {
                                cblas_dtrsv(CblasRowMajor, CblasLower, CblasNoTrans, CblasUnit, Int32(k), l, Int32(width), v, 1)
                                if na > 0 {
                                    cblas_dgemv(CblasRowMajor, CblasNoTrans, Int32(na), Int32(k), -1, l + k * width, Int32(width),
                                                v, 1, 1, v + k, 1)
                                }
                            } else {
                                for r in 1..<max(n, 1) { v[r] -= Self.dot(l + r * width, UnsafePointer(v), min(r, k)) }
                            }
                            for q in 0..<k { zj[na + q] = v[q] }
                            for r in 0..<na { c[r] = v[k + r] }
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
                        // Back substitution: z₂ = U₂⁻¹ (w − V y_{j+1}); x̃₁ = L₁⁻ᵀ (z₁ − L₂ᵀ z₂); y_j = S x̃.
                        for j in stride(from: count - 1, through: 0, by: -1) {
                            let t = s + j * stepSize, g = t + n * na
                            let columnPivots = p + j * n
                            let yj = b + j * n, next = UnsafePointer(b + (j + 1) * n), zj = z + j * n
                            let u = g + na
                            let x2 = yj + na
                            if useBLAS && k > 0 {
                                for i in 0..<k { x2[i] = zj[na + i] }
                                cblas_dgemv(CblasRowMajor, CblasNoTrans, Int32(k), Int32(n), -1, g + n, Int32(width),
                                            next, 1, 1, x2, 1)
                                cblas_dtrsv(CblasRowMajor, CblasUpper, CblasNoTrans, CblasNonUnit, Int32(k), u, Int32(width), x2, 1)
                            } else {
                                for i in stride(from: k - 1, through: 0, by: -1) {
                                    let row = u + i * width
                                    let sum = zj[na + i] - Self.dot(g + i * width + n, next, n)
                                        - Self.dot(row + i + 1, UnsafePointer(x2 + i + 1), k - i - 1)
                                    x2[i] = sum / row[i]
                                }
                            }
                            if na > 0 {
                                for l in 0..<na { yj[l] = zj[l] }
                                for q in 0..<k {
                                    let row = t + (na + q) * na, value = x2[q]
                                    for l in 0..<na { yj[l] -= row[l] * value }
                                }
                                for r in stride(from: na - 1, through: 1, by: -1) {
                                    let row = t + r * na, value = yj[r]
                                    for l in 0..<r { yj[l] -= row[l] * value }
                                }
                                for q in stride(from: na - 1, through: 0, by: -1) {
                                    let other = columnPivots[q]
                                    if other != q { let value = yj[q]; yj[q] = yj[other]; yj[other] = value }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}
