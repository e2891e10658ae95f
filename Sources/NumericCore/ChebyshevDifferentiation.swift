import Foundation

/// Differentiation of the polynomial interpolant through the N + 1 Chebyshev–Gauss–Lobatto points of an
/// interval [a, b]:
///   t_j = a + (b − a)(1 − cos(jπ/N))/2,  j = 0...N   (increasing: t_0 = a, t_N = b).
///
/// Two equivalent forms:
/// - `derivative(of:)`: through the DCT-I in O(N log N): values → Chebyshev coefficients (one DCT-I),
///   the derivative recurrence c'_{k−1} = c'_{k+1} + 2k c_k, coefficients → values (one DCT-I).
/// - `matrix`: the dense (N+1)×(N+1) differentiation matrix (Trefethen, Spectral Methods in MATLAB,
///   `cheb`), with the diagonal set to minus the off-diagonal row sum so that constants are
///   differentiated exactly; O(N²) to apply, for Newton-type solvers that need the Jacobian.
///
/// Accuracy: for analytic data the error decays exponentially in N until round-off; the round-off floor
/// grows like N² ε max|f| (largest at the ends). At N = 32 on e^x sin 5x over [−1, 1] both forms are
/// accurate to about 1e-13. Derivation: Notes/chebyshev-differentiation-by-dct.md.
///
/// A value is immutable and `Sendable`; `derivative` allocates two work arrays of N + 1 values per call
/// (use `derivative(_:into:workspace:)` in loops).
public struct ChebyshevDifferentiation: Sendable {
    /// The polynomial degree N (there are N + 1 points).
    public let degree: Int
    public let lowerBound: Double
    public let upperBound: Double
    /// The points t_0 = a < t_1 < ... < t_N = b.
    public let points: [Double]
    @usableFromInline let transform: RealTransform

    /// Interpolation on [a, b] with N = `degree` >= 1 (N + 1 points). Throws `InvalidArgument` for
    /// degree < 1 or an empty or non-finite interval.
    public init(degree: Int, on interval: ClosedRange<Double> = -1...1) throws {
        try Validate.atLeast(degree, 1, "degree")
        try Validate.interval(interval.lowerBound, interval.upperBound)
        self.degree = degree
        lowerBound = interval.lowerBound
        upperBound = interval.upperBound
        transform = try RealTransform(.dctI, count: degree + 1)
        let a = interval.lowerBound, b = interval.upperBound, n = Double(degree)
        // Evaluated as a + (b − a) sin²(jπ/(2N)), which is exact at both ends and symmetric.
        points = (0...degree).map { j in
            if j == 0 { return a }
            if j == degree { return b }
            let s = sin(Double.pi * Double(j) / (2 * n))
            return a + (b - a) * s * s
        }
    }

    /// The standard Chebyshev points x_j = cos(jπ/N) on [−1, 1] in Trefethen's (decreasing) order.
    /// The points of an interval [a, b] are t_j = a + (b − a)(1 − x_j)/2.
    public static func standardPoints(degree n: Int) -> [Double] {
        (0...n).map { j in sin(Double.pi * Double(n - 2 * j) / Double(2 * n)) }
    }

    /// The Chebyshev coefficients c_0...c_N of the interpolant, p(t) = Σ_k c_k T_k(x(t)), where
    /// x(t) = 1 − 2(t − a)/(b − a) (so x = 1 at t = a). One DCT-I.
    public func coefficients(of values: [Double]) throws -> [Double] {
        try Validate.count(values.count, degree + 1, "values")
        var c = values
        c.withUnsafeMutableBufferPointer { buffer in
            transform.apply(buffer)
            let n = Double(degree)
            for k in 0...degree { buffer[k] /= n }
            buffer[0] *= 0.5
            buffer[degree] *= 0.5
        }
        return c
    }

    /// dp/dt at the points, for p the interpolant of `values` (given at `points`). Throws
    /// `InvalidArgument` if `values.count != degree + 1`.
    public func derivative(of values: [Double]) throws -> [Double] {
        try Validate.count(values.count, degree + 1, "values")
        var result = [Double](repeating: 0, count: degree + 1)
        var workspace = [Double](repeating: 0, count: degree + 2)
        values.withUnsafeBufferPointer { v in
            result.withUnsafeMutableBufferPointer { r in
                workspace.withUnsafeMutableBufferPointer { w in derivative(v, into: r, workspace: w) }
            }
        }
        return result
    }

    /// dp/dt at the points, without allocation. `values` and `result` hold N + 1 entries, `workspace` at
    /// least N + 2; `result` may alias `values`. Cost: two DCT-I of N + 1 points and O(N) work.
    @inlinable
    public func derivative(_ values: UnsafeBufferPointer<Double>, into result: UnsafeMutableBufferPointer<Double>,
                           workspace: UnsafeMutableBufferPointer<Double>) {
        let n = degree
        precondition(values.count == n + 1 && result.count == n + 1 && workspace.count >= n + 2,
                     "ChebyshevDifferentiation.derivative: sizes must be N + 1 (values, result), N + 2 (workspace)")
        guard let source = values.baseAddress, let c = workspace.baseAddress, let out = result.baseAddress else { return }
        // Values → coefficients c_k (interpolant Σ c_k T_k with the end terms halved into c_0, c_N).
        transform.apply(source, c)
        let inverseN = 1 / Double(n)
        for k in 0...n { c[k] *= inverseN }
        c[0] *= 0.5
        c[n] *= 0.5
        // Derivative coefficients d_k (in x), computed in place from the top:
        // d_N = 0, d_{N−1} = 2N c_N, d_{k−1} = d_{k+1} + 2k c_k, and d_0 halved.
        var above = 0.0  // d_{k+1}
        var current = 0.0  // d_k
        for k in stride(from: n, through: 1, by: -1) {
            let next = above + 2 * Double(k) * c[k]  // d_{k−1}
            c[k] = current
            above = current
            current = next
        }
        c[0] = 0.5 * current
        // Coefficients → values with one DCT-I: its input is (d_0, d_1/2, ..., d_{N−1}/2, d_N).
        for k in 1..<n { c[k] *= 0.5 }
        // d/dt = −(2/(b − a)) d/dx, since x = 1 − 2(t − a)/(b − a).
        let scale = -2 / (upperBound - lowerBound)
        transform.apply(UnsafePointer(c), out)
        for j in 0...n { out[j] *= scale }
    }
}
