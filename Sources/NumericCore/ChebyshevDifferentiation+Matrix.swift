import Foundation

extension ChebyshevDifferentiation {
    /// The dense differentiation matrix D (row-major, (N+1)×(N+1)) on this interval's points:
    /// (D v)_i = p'(t_i) for the interpolant p of v. Same result as `derivative(of:)` up to round-off.
    ///
    /// Built as in Trefethen's `cheb`: D_ij = (c_i/c_j)(−1)^{i+j}/(x_i − x_j) for i ≠ j, with c_0 = c_N = 2
    /// and c_j = 1 otherwise, then scaled by −2/(b − a). The differences x_i − x_j are evaluated as
    /// 2 sin((i + j)π/(2N)) sin((j − i)π/(2N)), which has no cancellation, and each diagonal entry is
    /// minus the sum of its row's off-diagonal entries (the "negative-sum trick"), so D·1 = 0 exactly and
    /// the round-off near the ends stays O(N² ε). Cost O(N²) to build and to apply.
    public var matrix: [Double] {
        let n = degree, size = degree + 1
        let scale = -2 / (upperBound - lowerBound)
        var d = [Double](repeating: 0, count: size * size)
        let halfStep = Double.pi / Double(2 * n)
        for i in 0...n {
            var rowSum = 0.0
            let ci: Double = (i == 0 || i == n) ? 2 : 1
            for j in 0...n where j != i {
                let cj: Double = (j == 0 || j == n) ? 2 : 1
                let sign: Double = (i + j) % 2 == 0 ? 1 : -1
                let difference = 2 * sin(Double(i + j) * halfStep) * sin(Double(j - i) * halfStep)
                let entry = scale * sign * ci / (cj * difference)
                d[i * size + j] = entry
                rowSum += entry
            }
            d[i * size + i] = -rowSum
        }
        return d
    }

    /// Applies a row-major (N+1)×(N+1) matrix (such as `matrix`) to `values`: a plain O(N²) product.
    public static func multiply(_ matrix: [Double], _ values: [Double]) -> [Double] {
        let size = values.count
        precondition(matrix.count == size * size, "matrix must be \(size)×\(size)")
        var result = [Double](repeating: 0, count: size)
        for i in 0..<size {
            var sum = 0.0
            for j in 0..<size { sum += matrix[i * size + j] * values[j] }
            result[i] = sum
        }
        return result
    }
}
