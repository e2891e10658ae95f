@preconcurrency import CGSL

/// The eigen-decomposition A = V diag(λ) Vᵀ of a dense symmetric n × n matrix (row-major; only the
/// lower triangle is read): LAPACK's divide-and-conquer `dsyevd` through OpenBLAS. Eigenvalues in
/// ascending order, each with an orthonormal eigenvector; backward stable (each λ within O(ε)‖A‖ of
/// an eigenvalue of A). Cost about 9n³ flops with vectors; the inertia of a Hessian (its Morse index)
/// is the count of eigenvalues below −threshold.
public struct SymmetricEigen: Sendable {
    public let dimension: Int
    /// Ascending.
    public let values: [Double]
    /// Row-major n × n: row k is the unit eigenvector of `values[k]`.
    public let vectors: [Double]
    /// False when LAPACK's iteration did not converge (`values` and `vectors` are then empty): a status,
    /// not an error, as for the factorisations.
    public let converged: Bool

    /// - Throws: `InvalidArgument` for a size mismatch or non-finite entries.
    public init(matrix: [Double], dimension n: Int) throws {
        try Validate.positive(n, "dimension")
        try Validate.count(matrix.count, n * n, "matrix")
        try Validate.finite(matrix, "matrix")
        Parallel.useSingleThreadedBLAS()
        // The row-major lower triangle is the column-major upper one; LAPACK returns the eigenvectors as
        // the columns of its column-major matrix, i.e. the rows of our row-major one.
        var a = matrix, w = [Double](repeating: 0, count: n)
        var order = Int32(n), leading = Int32(n), info: Int32 = 0
        var jobz = CChar(UInt8(ascii: "V")), upper = CChar(UInt8(ascii: "U"))
        var lwork = Int32(1 + 6 * n + 2 * n * n), liwork = Int32(3 + 5 * n)
        var work = [Double](repeating: 0, count: Int(lwork)), iwork = [Int32](repeating: 0, count: Int(liwork))
        dsyevd_(&jobz, &upper, &order, &a, &leading, &w, &work, &lwork, &iwork, &liwork, &info)
        dimension = n
        converged = info == 0
        values = converged ? w : []
        vectors = converged ? a : []
    }

    /// The number of eigenvalues below −threshold · max(1, max|λ|) (the Morse index of a Hessian at a
    /// stationary point, with eigenvalues within the threshold counted as zero).
    public func negativeCount(relativeThreshold threshold: Double) -> Int {
        let scale = max(1, values.map(abs).max() ?? 0)
        return values.filter { $0 < -threshold * scale }.count
    }

    /// The unit eigenvector of the k-th smallest eigenvalue.
    public func vector(_ k: Int) -> [Double] { Array(vectors[(k * dimension)..<((k + 1) * dimension)]) }
}
