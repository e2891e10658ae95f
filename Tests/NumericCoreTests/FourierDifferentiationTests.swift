import Foundation
import Testing
@testable import NumericCore

@Suite struct FourierDifferentiationTests {
    /// A trigonometric polynomial of degree < n/2 is differentiated exactly (to round-off).
    @Test(arguments: [16, 17])
    func trigonometricPolynomialIsExact(n: Int) throws {
        let period = 3.0, w = 2 * Double.pi / period
        let x = (0..<n).map { Double($0) * period / Double(n) }
        let f = x.map { 1 + 2 * sin(w * $0) - 0.5 * cos(3 * w * $0) + 0.25 * sin(7 * w * $0) }
        let exact = x.map { 2 * w * cos(w * $0) + 1.5 * w * sin(3 * w * $0) + 1.75 * w * cos(7 * w * $0) }
        let exactSecond = x.map { -2 * w * w * sin(w * $0) + 4.5 * w * w * cos(3 * w * $0) - 12.25 * w * w * sin(7 * w * $0) }
        let d = try FourierDifferentiation(count: n, period: period)
        let first = try d.derivative(of: f)
        let second = try d.derivative(of: f, order: 2)
        let e1 = zip(first, exact).reduce(0) { max($0, abs($1.0 - $1.1)) }
        let e2 = zip(second, exactSecond).reduce(0) { max($0, abs($1.0 - $1.1)) }
        #expect(e1 < 1e-12, "n = \(n): first derivative error \(e1)")
        #expect(e2 < 1e-11, "n = \(n): second derivative error \(e2)")
    }

    /// exp(sin x) is periodic and analytic: spectral accuracy at n = 32, exponential decay in n.
    @Test func smoothPeriodicFunction() throws {
        let sizes = [6, 8, 10, 12, 14, 16]
        var errors: [Double] = []
        for n in sizes + [32] {
            let x = (0..<n).map { 2 * Double.pi * Double($0) / Double(n) }
            let d = try FourierDifferentiation(count: n).derivative(of: x.map { exp(sin($0)) })
            errors.append(zip(d, x).reduce(0) { max($0, abs($1.0 - cos($1.1) * exp(sin($1.1)))) })
        }
        #expect(errors[sizes.count] < 1e-13, "n = 32: error \(errors[sizes.count])")
        let fit = try OrderFit.exponentialRate(n: sizes.map(Double.init), errors: Array(errors.prefix(sizes.count)))
        #expect(fit.order < -1, "sizes \(sizes), errors \(errors), rate \(fit)")
    }
}
