@preconcurrency import CGSL

/// LU factorization with partial pivoting of a square banded matrix (lower bandwidth `lower`, upper
/// bandwidth `upper`) through GSL 2.7's `gsl_linalg_LU_band_decomp` / `gsl_linalg_LU_band_solve`.
///
/// Storage (GSL's, the transpose of LAPACK's `dgbtrf` layout): an N × (2·lower + upper + 1) row-major
/// array whose row j holds column j of A, `band[j][lower + upper + i − j] = A[i][j]` for
/// j − upper <= i <= j + lower; the first `lower` slots of each row receive the fill-in of pivoting
/// (U has upper bandwidth lower + upper). Cost O(N · lower · (lower + upper)) to factor, O(N · (2·lower +
/// upper)) per solve. A zero pivot gives `status == .singular` and `solve` returns `nil`.
public struct BandedLU: Sendable {
    public let dimension: Int
    public let lower: Int
    public let upper: Int
    public let status: LinearSolveStatus
    private var band: [Double]
    private var pivots: [UInt32]

    private var width: Int { 2 * lower + upper + 1 }

    /// Factors the banded matrix whose in-band entries are `entry(i, j)` (called once per in-band
    /// position; entries outside the band are zero by definition).
    /// - Throws: `InvalidArgument` for a non-positive dimension or bandwidths outside 0..<dimension;
    ///   `GSLError` if GSL rejects the call.
    public init(dimension: Int, lower: Int, upper: Int, entry: (Int, Int) -> Double) throws {
        try Validate.positive(dimension, "dimension")
        guard lower >= 0, lower < dimension else { throw InvalidArgument("lower", lower, "must be in 0..<\(dimension)") }
        guard upper >= 0, upper < dimension else { throw InvalidArgument("upper", upper, "must be in 0..<\(dimension)") }
        self.dimension = dimension
        self.lower = lower
        self.upper = upper
        let width = 2 * lower + upper + 1
        var band = [Double](repeating: 0, count: dimension * width)
        for j in 0..<dimension {
            for i in max(0, j - upper)...min(dimension - 1, j + lower) {
                band[j * width + lower + upper + i - j] = entry(i, j)
            }
        }
        var pivots = [UInt32](repeating: 0, count: dimension)
        try GSLErrorBridge.call {
            band.withUnsafeMutableBufferPointer { b in
                pivots.withUnsafeMutableBufferPointer { p in
                    var matrix = gsl_matrix_view_array(b.baseAddress, dimension, width)
                    var permutation = gsl_vector_uint_view_array(p.baseAddress, dimension)
                    _ = gsl_linalg_LU_band_decomp(dimension, lower, upper, &matrix.matrix, &permutation.vector)
                }
            }
        }
        var status = LinearSolveStatus.success
        for j in 0..<dimension {
            let pivot = band[j * width + lower + upper]
            if pivot == 0 || !pivot.isFinite { status = .singular(block: 0, column: j); break }
        }
        self.status = status
        self.band = band
        self.pivots = pivots
    }

    /// Factors the in-band part of a dense row-major matrix (entries outside the band are ignored).
    public init(denseMatrix: [Double], dimension: Int, lower: Int, upper: Int) throws {
        try Validate.positive(dimension, "dimension")
        try Validate.count(denseMatrix.count, dimension * dimension, "denseMatrix")
        try self.init(dimension: dimension, lower: lower, upper: upper) { i, j in denseMatrix[i * dimension + j] }
    }

    /// Solves A x = b; `nil` when the matrix is singular or `rhs` has the wrong length.
    public func solve(_ rhs: [Double]) -> [Double]? {
        guard status.isSuccess, rhs.count == dimension else { return nil }
        var x = rhs
        let n = dimension, width = self.width, lower = self.lower, upper = self.upper
        let failed = (try? GSLErrorBridge.call {
            band.withUnsafeBufferPointer { b in
                pivots.withUnsafeBufferPointer { p in
                    x.withUnsafeMutableBufferPointer { v in
                        var matrix = gsl_matrix_const_view_array(b.baseAddress, n, width)
                        var permutation = gsl_vector_uint_const_view_array(p.baseAddress, n)
                        var vector = gsl_vector_view_array(v.baseAddress, n)
                        return gsl_linalg_LU_band_svx(lower, upper, &matrix.matrix, &permutation.vector, &vector.vector)
                    }
                }
            }
        }) == nil
        return failed ? nil : x
    }
}
