/// A vector polynomial y(t) = Σ_k c_k T_k(x(t)), x(t) = 1 − 2(t − a)/(b − a), evaluated by Clenshaw's
/// recurrence (backward stable, O(N) per component). The dense output of `ChebyshevCollocation`.
public struct ChebyshevSeries: Sendable {
    public let dimension: Int
    public let start: Double
    public let end: Double
    /// Coefficients, row-major (N + 1) × n: row k holds c_k of every component.
    public let coefficients: [Double]
    /// Coefficients of dy/dx (same layout), for the derivative.
    let derivativeCoefficients: [Double]

    public var degree: Int { coefficients.count / dimension - 1 }

    init(dimension: Int, start: Double, end: Double, coefficients: [Double]) {
        self.dimension = dimension
        self.start = start
        self.end = end
        self.coefficients = coefficients
        let n = dimension, degree = coefficients.count / dimension - 1
        var d = [Double](repeating: 0, count: coefficients.count)
        if degree >= 1 {
            for component in 0..<n {
                // d_{k−1} = d_{k+1} + 2k c_k, d_N = 0, then d_0 halved.
                var above = 0.0, current = 0.0
                for k in stride(from: degree, through: 1, by: -1) {
                    let next = above + 2 * Double(k) * coefficients[k * n + component]
                    d[k * n + component] = current
                    above = current
                    current = next
                }
                d[component] = 0.5 * current
            }
        }
        derivativeCoefficients = d
    }

    private func clenshaw(_ c: [Double], _ x: Double) -> [Double] {
        let n = dimension, degree = c.count / n - 1
        var result = [Double](repeating: 0, count: n)
        for component in 0..<n {
            var b1 = 0.0, b2 = 0.0
            var k = degree
            while k >= 1 {
                let b0 = 2 * x * b1 - b2 + c[k * n + component]
                b2 = b1
                b1 = b0
                k -= 1
            }
            result[component] = x * b1 - b2 + c[component]
        }
        return result
    }

    private func x(_ t: Double) -> Double { 1 - 2 * (t - start) / (end - start) }

    public func value(at t: Double) -> [Double] { clenshaw(coefficients, x(t)) }

    /// dy/dt = −2/(b − a) · dy/dx.
    public func derivative(at t: Double) -> [Double] {
        let scale = -2 / (end - start)
        return clenshaw(derivativeCoefficients, x(t)).map { $0 * scale }
    }
}
