/// The orthonormal DCT-II and its inverse, the orthonormal DCT-III, on n points:
///   forward  y_k = s_k Σ_j x_j cos(π (j + 1/2) k / n),   s_0 = sqrt(1/n), s_k = sqrt(2/n) (k >= 1),
///   inverse  x_j = Σ_k s_k y_k cos(π (j + 1/2) k / n).
/// The matrix is orthogonal, so Σ x_j² = Σ y_k² and i.i.d. N(0, σ²) values map to i.i.d. N(0, σ²)
/// coefficients. Its columns diagonalise the free-end (Neumann) path-graph Laplacian, with eigenvalues
/// 4 sin²(π k/(2n)) (MATH.md §2.3). Cost O(n log n), thread-safe, no allocation.
public struct OrthonormalCosineTransform: Sendable {
    public let count: Int
    @usableFromInline let forwardTransform: RealTransform
    @usableFromInline let inverseTransform: RealTransform
    @usableFromInline let firstScale: Double
    @usableFromInline let otherScale: Double

    /// Throws `InvalidArgument` for count < 1.
    public init(count: Int) throws {
        forwardTransform = try RealTransform(.dctII, count: count)
        inverseTransform = try RealTransform(.dctIII, count: count)
        self.count = count
        firstScale = (1 / Double(4 * count)).squareRoot()
        otherScale = (1 / Double(2 * count)).squareRoot()
    }

    /// Values at the cell centres (j + 1/2)/n to orthonormal cosine coefficients, in place.
    @inlinable
    public func forward(_ values: UnsafeMutableBufferPointer<Double>) {
        forwardTransform.apply(values)
        values[0] *= firstScale
        for k in 1..<count { values[k] *= otherScale }
    }

    /// Orthonormal cosine coefficients to values at the cell centres, in place.
    @inlinable
    public func inverse(_ coefficients: UnsafeMutableBufferPointer<Double>) {
        coefficients[0] *= 2 * firstScale
        for k in 1..<count { coefficients[k] *= otherScale }
        inverseTransform.apply(coefficients)
    }

    public func forward(_ values: [Double]) -> [Double] {
        var copy = values
        copy.withUnsafeMutableBufferPointer { forward($0) }
        return copy
    }

    public func inverse(_ coefficients: [Double]) -> [Double] {
        var copy = coefficients
        copy.withUnsafeMutableBufferPointer { inverse($0) }
        return copy
    }
}

/// The orthonormal DST-I on n points, its own inverse:
///   y_k = sqrt(2/(n + 1)) Σ_j x_j sin(π (j + 1)(k + 1)/(n + 1)).
/// Its columns diagonalise the Dirichlet path-graph Laplacian on the n interior nodes of a uniform grid,
/// with eigenvalues 4 sin²(π (k + 1)/(2(n + 1))). Cost O(n log n), thread-safe, no allocation.
public struct OrthonormalSineTransform: Sendable {
    public let count: Int
    @usableFromInline let transform: RealTransform
    @usableFromInline let scale: Double

    /// Throws `InvalidArgument` for count < 1.
    public init(count: Int) throws {
        transform = try RealTransform(.dstI, count: count)
        self.count = count
        scale = (1 / Double(2 * (count + 1))).squareRoot()
    }

    /// Applies the (self-inverse) transform in place.
    @inlinable
    public func apply(_ values: UnsafeMutableBufferPointer<Double>) {
        transform.apply(values)
        for k in 0..<count { values[k] *= scale }
    }

    public func callAsFunction(_ values: [Double]) -> [Double] {
        var copy = values
        copy.withUnsafeMutableBufferPointer { apply($0) }
        return copy
    }
}
