@preconcurrency import CGSL

/// The eigenvalues of a dense real n × n matrix (row-major, not necessarily symmetric): LAPACK's
/// `dgeev` through OpenBLAS (balancing, Hessenberg reduction, shifted QR). Complex eigenvalues come
/// in conjugate pairs, the one with positive imaginary part first. Backward stable: each computed
/// eigenvalue is exact for a matrix within O(ε)‖A‖ of A, so a simple eigenvalue is accurate to
/// O(ε)‖A‖ times its condition number. Cost about 10n³ flops without eigenvectors.
///
/// Used for the layer Jacobians J = diag(σ'(Kx + b)) K of a trained network, whose spectrum decides
/// whether a forward-Euler layer is stable (Notes/forward-stability-and-robustness.md §1).
public struct GeneralEigen: Sendable {
    public let dimension: Int
    /// Real parts, in LAPACK's order.
    public let real: [Double]
    /// Imaginary parts, in the same order.
    public let imaginary: [Double]
    /// False when the QR iteration did not converge (`real` and `imaginary` are then empty): a status,
    /// not an error, as for `SymmetricEigen`.
    public let converged: Bool

    /// - Throws: `InvalidArgument` for a size mismatch or non-finite entries.
    public init(matrix: [Double], dimension n: Int) throws {
        try Validate.positive(n, "dimension")
        try Validate.count(matrix.count, n * n, "matrix")
        try Validate.finite(matrix, "matrix")
        Parallel.useSingleThreadedBLAS()
        // LAPACK is column-major: hand it the transpose, which has the same eigenvalues.
        var a = matrix
        var wr = [Double](repeating: 0, count: n), wi = wr
        var order = Int32(n), leading = Int32(n), leftLeading: Int32 = 1, rightLeading: Int32 = 1, info: Int32 = 0
        var left = CChar(UInt8(ascii: "N")), right = CChar(UInt8(ascii: "N"))
        var leftVectors = [Double](repeating: 0, count: 1), rightVectors = leftVectors
        var lwork = Int32(max(1, 4 * n)), query: Int32 = -1, optimal = 0.0
        dgeev_(&left, &right, &order, &a, &leading, &wr, &wi, &leftVectors, &leftLeading, &rightVectors, &rightLeading, &optimal, &query, &info)
        lwork = max(lwork, Int32(optimal))
        var work = [Double](repeating: 0, count: Int(lwork))
        info = 0
        dgeev_(&left, &right, &order, &a, &leading, &wr, &wi, &leftVectors, &leftLeading, &rightVectors, &rightLeading, &work, &lwork, &info)
        dimension = n
        converged = info == 0
        real = converged ? wr : []
        imaginary = converged ? wi : []
    }

    /// max |λ|.
    public var spectralRadius: Double {
        zip(real, imaginary).reduce(0) { max($0, ($1.0 * $1.0 + $1.1 * $1.1).squareRoot()) }
    }
}
