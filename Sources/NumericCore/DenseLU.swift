@preconcurrency import CGSL

/// LU factorization with partial (row) pivoting of a dense square matrix stored row-major in a
/// contiguous `[Double]`: P A = L U, L unit lower triangular, U upper triangular.
///
/// Factor once (2n³/3 flops), then solve for any number of right-hand sides (2n² flops each).
/// Partial pivoting keeps every multiplier |l_ik| <= 1, which makes the factorization backward stable
/// in practice (growth factor bounded by 2^(n-1), almost always O(n)). An exactly zero pivot gives
/// `status == .singular(block: 0, column: k)` and `solve` returns `nil`; nothing traps.
public struct DenseLU: Sendable {
    public let dimension: Int
    /// L (strictly below the diagonal, unit diagonal implied) and U (on and above), row-major.
    public private(set) var factors: [Double]
    /// Row k was swapped with row pivots[k] at step k.
    public private(set) var pivots: [Int]
    public let status: LinearSolveStatus
    /// max_j sum_i |a_ij| of the original matrix, kept for the condition estimate.
    public let oneNorm: Double

    /// Factors the `dimension` × `dimension` row-major `matrix`.
    /// - Throws: `InvalidArgument` when the element count is not dimension².
    public init(matrix: [Double], dimension: Int) throws {
        try Validate.positive(dimension, "dimension")
        try Validate.count(matrix.count, dimension * dimension, "matrix")
        self.dimension = dimension
        var factors = matrix
        var pivots = [Int](repeating: 0, count: dimension)
        var norm = 0.0
        for j in 0..<dimension {
            var column = 0.0
            for i in 0..<dimension { column += abs(matrix[i * dimension + j]) }
            norm = max(norm, column)
        }
        oneNorm = norm
        let failed = factors.withUnsafeMutableBufferPointer { a in
            pivots.withUnsafeMutableBufferPointer { p in
                DenseLU.factorInPlace(a.baseAddress!, rows: dimension, columns: dimension, rowStride: dimension,
                                      eliminate: dimension, pivots: p.baseAddress!)
            }
        }
        status = failed.map { .singular(block: 0, column: $0) } ?? .success
        self.factors = factors
        self.pivots = pivots
    }

    /// Solves A x = b; `nil` when the matrix is singular.
    public func solve(_ rhs: [Double]) -> [Double]? {
        guard status.isSuccess, rhs.count == dimension else { return nil }
        var x = rhs
        x.withUnsafeMutableBufferPointer { b in solveInPlace(b.baseAddress!, columns: 1) }
        return x
    }

    /// Solves A X = B in place for `columns` right-hand sides stored row-major (dimension × columns).
    /// Returns false (and leaves `rhs` untouched) when the matrix is singular or the size is wrong.
    @discardableResult
    public func solve(_ rhs: inout [Double], columns: Int) -> Bool {
        guard status.isSuccess, columns > 0, rhs.count == dimension * columns else { return false }
        rhs.withUnsafeMutableBufferPointer { b in solveInPlace(b.baseAddress!, columns: columns) }
        return true
    }

    /// Solves Aᵀ x = b (used by the condition estimate); `nil` when singular.
    public func solveTransposed(_ rhs: [Double]) -> [Double]? {
        guard status.isSuccess, rhs.count == dimension else { return nil }
        let n = dimension
        var x = rhs
        factors.withUnsafeBufferPointer { a in
            // Aᵀ = Uᵀ Lᵀ P: solve Uᵀ z = b, then Lᵀ w = z, then x = Pᵀ w.
            for i in 0..<n {
                var s = x[i]
                for k in 0..<i { s -= a[k * n + i] * x[k] }
                x[i] = s / a[i * n + i]
            }
            for i in stride(from: n - 1, through: 0, by: -1) {
                var s = x[i]
                for k in (i + 1)..<n { s -= a[k * n + i] * x[k] }
                x[i] = s
            }
            for k in stride(from: n - 1, through: 0, by: -1) where pivots[k] != k { x.swapAt(k, pivots[k]) }
        }
        return x
    }

    /// Hager–Higham estimate of the 1-norm condition number ‖A‖₁‖A⁻¹‖₁ (a lower bound, usually within
    /// a factor 3 of the truth; cost a few solves). Infinity for a singular matrix.
    public func conditionEstimate() -> Double {
        guard status.isSuccess else { return .infinity }
        let n = dimension
        var x = [Double](repeating: 1.0 / Double(n), count: n)
        var estimate = 0.0
        for _ in 0..<5 {
            guard let y = solve(x) else { return .infinity }
            let norm = y.reduce(0) { $0 + abs($1) }
            if norm <= estimate { break }
            estimate = norm
            guard let z = solveTransposed(y.map { $0 >= 0 ? 1.0 : -1.0 }) else { return .infinity }
            var best = 0
            for i in 1..<max(n, 1) where abs(z[i]) > abs(z[best]) { best = i }
            let zx = zip(z, x).reduce(0) { $0 + $1.0 * $1.1 }
            if abs(z[best]) <= zx { break }
            x = [Double](repeating: 0, count: n)
            x[best] = 1
        }
        return estimate * oneNorm
    }

    func solveInPlace(_ b: UnsafeMutablePointer<Double>, columns: Int) {
        factors.withUnsafeBufferPointer { a in
            pivots.withUnsafeBufferPointer { p in
                DenseLU.solveInPlace(a.baseAddress!, rowStride: dimension, dimension: dimension, pivots: p.baseAddress!,
                                     rhs: b, columns: columns)
            }
        }
    }

    /// Gaussian elimination with partial pivoting of the first `eliminate` columns of a `rows` ×
    /// `columns` row-major block (row stride `rowStride`): multipliers overwrite the eliminated entries,
    /// rows are swapped in full. Returns the first column whose pivot candidates are all zero, or nil.
    /// The inner update runs over contiguous row tails and vectorises.
    /// In-place factorization of an n × n row-major matrix at `matrix` (no allocation: for hot loops
    /// that keep their own buffers). Returns the first column without a nonzero pivot, or nil.
    public static func factor(_ matrix: UnsafeMutablePointer<Double>, dimension n: Int,
                              pivots: UnsafeMutablePointer<Int>) -> Int? {
        factorInPlace(matrix, rows: n, columns: n, rowStride: n, eliminate: n, pivots: pivots)
    }

    /// Solves with factors from `factor(_:dimension:pivots:)` for `columns` right-hand sides stored
    /// row-major (n × columns) at `rhs`, in place.
    public static func solve(factors: UnsafePointer<Double>, dimension n: Int, pivots: UnsafePointer<Int>,
                             rhs: UnsafeMutablePointer<Double>, columns: Int) {
        solveInPlace(factors, rowStride: n, dimension: n, pivots: pivots, rhs: rhs, columns: columns)
    }

    /// Above `blockedThreshold` eliminated columns the right-looking blocked variant is used: panels of
    /// 8 (24 from 96 columns on) columns are factored unblocked, then the rest of the eliminated columns
    /// is updated by a triangular solve (dtrsm) and one matrix product (dgemm), which run at BLAS-3
    /// speed; columns beyond `eliminate` get one such update at the end. Same pivots, same result up
    /// to round-off.
    static func factorInPlace(_ a: UnsafeMutablePointer<Double>, rows: Int, columns: Int, rowStride: Int,
                              eliminate: Int, pivots: UnsafeMutablePointer<Int>) -> Int? {
        if eliminate >= blockedThreshold {
            return factorBlocked(a, rows: rows, columns: columns, rowStride: rowStride, eliminate: eliminate, pivots: pivots)
        }
        return factorPanel(a, rows: rows, columns: columns, rowStride: rowStride, first: 0, last: eliminate,
                           updateColumns: columns, pivots: pivots)
    }

    static let blockedThreshold = 16

    static func factorBlocked(_ a: UnsafeMutablePointer<Double>, rows: Int, columns: Int, rowStride: Int,
                              eliminate: Int, pivots: UnsafeMutablePointer<Int>) -> Int? {
        Parallel.useSingleThreadedBLAS()
        let panelWidth = eliminate >= 1024 ? 48 : eliminate >= 96 ? 24 : 8
        var k0 = 0
        // The eliminated columns first (their trailing updates stay inside them; row interchanges
        // move whole rows), then the columns right of them in one triangular solve and one product,
        // so those see a rank-`eliminate` update instead of a sequence of thin ones.
        while k0 < eliminate {
            let width = min(panelWidth, eliminate - k0)
            let panelEnd = k0 + width
            if let failed = factorPanel(a, rows: rows, columns: columns, rowStride: rowStride, first: k0, last: panelEnd,
                                        updateColumns: panelEnd, pivots: pivots) {
                return failed
            }
            let trailing = eliminate - panelEnd
            if trailing > 0 {
                updateTrailing(a, rows: rows, rowStride: rowStride, first: k0, width: width, columnStart: panelEnd,
                               trailing: trailing)
            }
            k0 = panelEnd
        }
        let rest = columns - eliminate
        if rest > 0 {
            updateTrailing(a, rows: rows, rowStride: rowStride, first: 0, width: eliminate, columnStart: eliminate,
                           trailing: rest)
        }
        return nil
    }

    /// With columns k0..<k0+width factored (multipliers below the diagonal, rows k0..<k0+width the
    /// pivot rows), updates the `trailing` columns starting at `columnStart`: U12 = L11⁻¹ A12 (dtrsm),
    /// then A22 −= L21 U12 (dgemm). Both act column by column, so above `sliceWork` multiply-adds the
    /// columns are cut into slices of `sliceWidth` (a cut that depends on the sizes only, so the
    /// result is the same for any thread count) and the slices run on the worker pool: both cores on
    /// the large Schur complements of the structured collocation (W = 7890, with the Schur assembly:
    /// 7.2 s → 4.0 s).
    @inline(__always)
    static func updateTrailing(_ a: UnsafeMutablePointer<Double>, rows: Int, rowStride: Int, first k0: Int, width: Int,
                               columnStart: Int, trailing: Int) {
        let below = rows - k0 - width
        guard trailing > sliceWidth && below * trailing * width >= sliceWork else {
            updateSlice(a, rows: rows, rowStride: rowStride, first: k0, width: width, columnStart: columnStart, columns: trailing)
            return
        }
        let slices = (trailing + sliceWidth - 1) / sliceWidth, matrix = SharedMutablePointer(a)
        Parallel.forEach(slices) { slice in
            let start = slice * sliceWidth
            updateSlice(matrix.base, rows: rows, rowStride: rowStride, first: k0, width: width, columnStart: columnStart + start,
                        columns: min(sliceWidth, trailing - start))
        }
    }

    static let sliceWidth = 256
    static let sliceWork = 1 << 22

    @inline(__always)
    static func updateSlice(_ a: UnsafeMutablePointer<Double>, rows: Int, rowStride: Int, first k0: Int, width: Int,
                            columnStart: Int, columns: Int) {
        let panelEnd = k0 + width
        let upper = a + k0 * rowStride + columnStart
        cblas_dtrsm(CblasRowMajor, CblasLeft, CblasLower, CblasNoTrans, CblasUnit, Int32(width), Int32(columns), 1,
                    a + k0 * rowStride + k0, Int32(rowStride), upper, Int32(rowStride))
        let below = rows - panelEnd
        if below > 0 {
            cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(below), Int32(columns), Int32(width), -1,
                        a + panelEnd * rowStride + k0, Int32(rowStride), upper, Int32(rowStride), 1,
                        a + panelEnd * rowStride + columnStart, Int32(rowStride))
        }
    }

    /// Unblocked elimination of columns first..<last; the row updates reach column `updateColumns`
    /// (exclusive), whole rows are swapped.
    @inline(__always)
    static func factorPanel(_ a: UnsafeMutablePointer<Double>, rows: Int, columns: Int, rowStride: Int, first: Int,
                            last: Int, updateColumns: Int, pivots: UnsafeMutablePointer<Int>) -> Int? {
        for k in first..<last {
            var best = k
            var bestValue = abs(a[k * rowStride + k])
            var r = k + 1
            while r < rows {
                let v = abs(a[r * rowStride + k])
                if v > bestValue { bestValue = v; best = r }
                r += 1
            }
            pivots[k] = best
            if bestValue == 0 || !bestValue.isFinite { return k }
            if best != k {
                let rowK = a + k * rowStride, rowB = a + best * rowStride
                for c in 0..<columns { let t = rowK[c]; rowK[c] = rowB[c]; rowB[c] = t }
            }
            let pivotRow = a + k * rowStride
            let inverse = 1.0 / pivotRow[k]
            let tail = updateColumns - k - 1
            r = k + 1
            while r < rows {
                let row = a + r * rowStride
                let l = row[k] * inverse
                row[k] = l
                if l != 0 {
                    let dst = row + k + 1, src = pivotRow + k + 1
                    for c in 0..<tail { dst[c] -= l * src[c] }
                }
                r += 1
            }
        }
        return nil
    }

    /// Forward and back substitution with the factors of `factorInPlace` (square case).
    @inline(__always)
    static func solveInPlace(_ a: UnsafePointer<Double>, rowStride: Int, dimension n: Int, pivots: UnsafePointer<Int>,
                             rhs b: UnsafeMutablePointer<Double>, columns m: Int) {
        for k in 0..<n where pivots[k] != k {
            let x = b + k * m, y = b + pivots[k] * m
            for c in 0..<m { let t = x[c]; x[c] = y[c]; y[c] = t }
        }
        for i in 1..<max(n, 1) {
            let row = a + i * rowStride
            let bi = b + i * m
            for k in 0..<i {
                let l = row[k]
                if l != 0 { let bk = b + k * m; for c in 0..<m { bi[c] -= l * bk[c] } }
            }
        }
        for i in stride(from: n - 1, through: 0, by: -1) {
            let row = a + i * rowStride
            let bi = b + i * m
            for k in (i + 1)..<n {
                let u = row[k]
                if u != 0 { let bk = b + k * m; for c in 0..<m { bi[c] -= u * bk[c] } }
            }
            let inverse = 1.0 / row[i]
            for c in 0..<m { bi[c] *= inverse }
        }
    }
}
