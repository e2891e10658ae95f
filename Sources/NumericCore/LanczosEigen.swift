/// The smallest eigenvalues of a symmetric linear operator given only by its products A·v: the Lanczos
/// process with full reorthogonalisation (every new vector orthogonalised twice against all previous
/// ones, so the Ritz values do not repeat), its tridiagonal matrix T_j diagonalised by `SymmetricEigen`
/// (Notes/morse-index.md). A Ritz pair (θ, y) has the residual ‖Ay − θy‖ = β_j |s_j| (s_j the last
/// component of T_j's eigenvector), which is the convergence test.
///
/// Extremal eigenvalues converge first, at a rate set by their gap to the rest of the spectrum; the
/// number of converged negative Ritz values is a lower bound on the number of negative eigenvalues
/// (exact once every negative eigenvalue has converged). Cost per iteration: one product, O(n j) for
/// the reorthogonalisation and O(j³) for T_j (checked every 5 iterations); memory n·(iterations + 1).
public struct LanczosEigen: Sendable {
    /// Ritz values in ascending order, their Ritz vectors (n each) and residual norms.
    public let values: [Double]
    public let vectors: [[Double]]
    public let residuals: [Double]
    public let iterations: Int
    /// True when the `count` smallest Ritz pairs met the tolerance (or the Krylov space became invariant).
    public let converged: Bool

    /// Runs up to `maximumIterations` steps from a seeded random start until the `count` smallest Ritz
    /// pairs have residuals ≤ tolerance · max(1, |θ|) (a `count` of n or more runs to the limit or to an
    /// invariant subspace: every eigenvalue the Krylov space resolves). Ritz vectors are formed for the
    /// `vectorCount` smallest (default `count`). `apply(v, result)` writes A·v. Throws `InvalidArgument`
    /// for a dimension or count below 1.
    public init(dimension n: Int, count: Int = 1, vectorCount: Int? = nil, maximumIterations: Int = 300, tolerance: Double = 1e-8,
                seed: UInt64 = 1, apply: (UnsafePointer<Double>, UnsafeMutablePointer<Double>) -> Void) throws {
        try Validate.positive(n, "dimension")
        try Validate.positive(count, "count")
        try Validate.positive(maximumIterations, "maximumIterations")
        let vectorsWanted = vectorCount ?? count
        let limit = min(maximumIterations, n)
        var basis: [[Double]] = []
        var alpha: [Double] = [], beta: [Double] = []
        var v = [Double](repeating: 0, count: n)
        let stream = RandomStream(seed: seed, index: 0)
        stream.fillGaussian(&v)
        Self.normalize(&v)
        var w = [Double](repeating: 0, count: n)
        var result: (values: [Double], vectors: [[Double]], residuals: [Double])? = nil
        var done = false
        var j = 0
        while j < limit && !done {
            basis.append(v)
            v.withUnsafeBufferPointer { vb in w.withUnsafeMutableBufferPointer { apply(vb.baseAddress!, $0.baseAddress!) } }
            let a = Self.dot(v, w)
            alpha.append(a)
            // Full reorthogonalisation, twice ("twice is enough").
            for _ in 0..<2 {
                for q in basis {
                    let c = Self.dot(q, w)
                    for i in 0..<n { w[i] -= c * q[i] }
                }
            }
            let b = Self.dot(w, w).squareRoot()
            j += 1
            let invariant = b <= 1e-14 * max(1, abs(a))
            if j % 5 == 0 || invariant || j == limit {
                let final = invariant || j == limit
                let ritz = try Self.ritz(alpha: alpha, beta: beta, lastBeta: invariant ? 0 : b, basis: basis,
                                         count: final ? vectorsWanted : 0)
                result = ritz
                let wanted = min(count, ritz.values.count)
                done = invariant || (count < n && (0..<wanted).allSatisfy { ritz.residuals[$0] <= tolerance * max(1, abs(ritz.values[$0])) })
                if done && !final {
                    result = try Self.ritz(alpha: alpha, beta: beta, lastBeta: b, basis: basis, count: vectorsWanted)
                }
            }
            if invariant { break }
            beta.append(b)
            for i in 0..<n { v[i] = w[i] / b }
        }
        let final = try result ?? Self.ritz(alpha: alpha, beta: beta, lastBeta: 0, basis: basis, count: vectorsWanted)
        values = final.values
        vectors = final.vectors
        residuals = final.residuals
        iterations = j
        converged = done
    }

    /// The number of Ritz values below −threshold · max(1, max|θ|) whose residual is below
    /// `tolerance` · max(1, |θ|): a lower bound on the number of negative eigenvalues.
    public func convergedNegativeCount(relativeThreshold threshold: Double = 1e-9, tolerance: Double = 1e-6) -> Int {
        let scale = max(1, values.map(abs).max() ?? 0)
        return zip(values, residuals).filter { $0 < -threshold * scale && $1 <= tolerance * max(1, abs($0)) }.count
    }

    static func ritz(alpha: [Double], beta: [Double], lastBeta: Double, basis: [[Double]], count: Int) throws
        -> (values: [Double], vectors: [[Double]], residuals: [Double]) {
        let m = alpha.count, n = basis[0].count
        var t = [Double](repeating: 0, count: m * m)
        for i in 0..<m {
            t[i * m + i] = alpha[i]
            if i + 1 < m { t[i * m + i + 1] = beta[i]; t[(i + 1) * m + i] = beta[i] }
        }
        let eigen = try SymmetricEigen(matrix: t, dimension: m)
        var vectors: [[Double]] = [], residuals: [Double] = []
        // All Ritz values are returned; vectors only for the `count` smallest.
        for k in 0..<m {
            let s = eigen.vector(k)
            residuals.append(abs(lastBeta * s[m - 1]))
            guard k < count else { continue }
            var y = [Double](repeating: 0, count: n)
            for (i, q) in basis.enumerated() { for r in 0..<n { y[r] += s[i] * q[r] } }
            vectors.append(y)
        }
        return (eigen.values, vectors, residuals)
    }

    static func dot(_ a: [Double], _ b: [Double]) -> Double {
        var s = 0.0
        for i in a.indices { s += a[i] * b[i] }
        return s
    }

    static func normalize(_ v: inout [Double]) {
        let norm = dot(v, v).squareRoot()
        for i in v.indices { v[i] /= norm }
    }
}
