import Foundation
import Testing
@testable import NumericCore

@Suite struct ChebyshevDifferentiationTests {
    static func f(_ x: Double) -> Double { exp(x) * sin(5 * x) }
    static func fPrime(_ x: Double) -> Double { exp(x) * (sin(5 * x) + 5 * cos(5 * x)) }

    static func maxError(_ computed: [Double], _ points: [Double], _ exact: (Double) -> Double) -> Double {
        zip(computed, points).reduce(0) { max($0, abs($1.0 - exact($1.1))) }
    }

    /// The acceptance figure: max error < 1e-12 at N = 32 on e^x sin 5x over [−1, 1].
    @Test func dctDerivativeOfExpSinFiveXAtThirtyTwoIsBelowOneEMinusTwelve() throws {
        let cheb = try ChebyshevDifferentiation(degree: 32)
        let derivative = try cheb.derivative(of: cheb.points.map(Self.f))
        let error = Self.maxError(derivative, cheb.points, Self.fPrime)
        #expect(error < 1e-12, "N = 32, max |p' − f'| = \(error)")
        let viaMatrix = ChebyshevDifferentiation.multiply(cheb.matrix, cheb.points.map(Self.f))
        let matrixError = Self.maxError(viaMatrix, cheb.points, Self.fPrime)
        #expect(matrixError < 1e-12, "N = 32 (matrix), max |Dv − f'| = \(matrixError)")
    }

    /// Spectral convergence: the error decays exponentially in N (fitted rate clearly negative) until
    /// it reaches round-off.
    @Test func errorDecaysExponentiallyInTheDegree() throws {
        let degrees = [8, 10, 12, 14, 16, 18]
        let errors = try degrees.map { n -> Double in
            let cheb = try ChebyshevDifferentiation(degree: n)
            return Self.maxError(try cheb.derivative(of: cheb.points.map(Self.f)), cheb.points, Self.fPrime)
        }
        let fit = try OrderFit.exponentialRate(n: degrees.map(Double.init), errors: errors)
        #expect(fit.order < -1.5, "degrees \(degrees), errors \(errors), rate \(fit)")
    }

    /// On [a, b] the points are increasing, the ends are exact, and d/dt includes the factor 2/(b − a).
    @Test func derivativeOnAGeneralInterval() throws {
        let cheb = try ChebyshevDifferentiation(degree: 40, on: 0...3)
        #expect(cheb.points.first == 0 && cheb.points.last == 3)
        #expect(zip(cheb.points, cheb.points.dropFirst()).allSatisfy { $0 < $1 })
        let g = { (t: Double) in exp(-t) * cos(4 * t) }
        let gPrime = { (t: Double) in -exp(-t) * (cos(4 * t) + 4 * sin(4 * t)) }
        let error = Self.maxError(try cheb.derivative(of: cheb.points.map(g)), cheb.points, gPrime)
        #expect(error < 1e-11, "[0, 3], N = 40: max error \(error)")
    }

    /// Polynomials of degree <= N are differentiated exactly (to round-off) and constants to zero (to round-off).
    @Test func polynomialsAreDifferentiatedExactly() throws {
        let n = 9
        let cheb = try ChebyshevDifferentiation(degree: n, on: -2...1)
        let p = { (t: Double) in pow(t, 9) - 3 * pow(t, 4) + t }
        let pPrime = { (t: Double) in 9 * pow(t, 8) - 12 * pow(t, 3) + 1 }
        let error = Self.maxError(try cheb.derivative(of: cheb.points.map(p)), cheb.points, pPrime)
        #expect(error < 1e-11, "t^9 − 3t^4 + t on [−2, 1]: max error \(error)")
        let constant = ChebyshevDifferentiation.multiply(cheb.matrix, [Double](repeating: 7, count: n + 1))
        #expect(constant.allSatisfy { abs($0) < 1e-12 }, "matrix times a constant: \(constant)")
    }

    @Test func matrixAndTransformAgree() throws {
        for n in [4, 16, 33, 64] {
            let cheb = try ChebyshevDifferentiation(degree: n, on: -1...2)
            let v = cheb.points.map { sin(2 * $0) + $0 * $0 }
            let a = try cheb.derivative(of: v)
            let b = ChebyshevDifferentiation.multiply(cheb.matrix, v)
            let difference = zip(a, b).reduce(0) { max($0, abs($1.0 - $1.1)) }
            #expect(difference < 1e-10, "N = \(n): max |DCT − matrix| = \(difference)")
        }
    }

    @Test func coefficientsOfAChebyshevPolynomialAreAUnitVector() throws {
        let cheb = try ChebyshevDifferentiation(degree: 6)
        // On [−1, 1], x(t) = −t, so T_3(x) = T_3(−t) = −T_3(t) = −(4t³ − 3t).
        let c = try cheb.coefficients(of: cheb.points.map { -(4 * pow($0, 3) - 3 * $0) })
        for (k, value) in c.enumerated() { #expect(abs(value - (k == 3 ? 1 : 0)) < 1e-14, "c_\(k) = \(value)") }
    }

    @Test func invalidInputThrows() throws {
        #expect(throws: InvalidArgument.self) { try ChebyshevDifferentiation(degree: 0) }
        #expect(throws: InvalidArgument.self) { try ChebyshevDifferentiation(degree: 4, on: 1...1) }
        let cheb = try ChebyshevDifferentiation(degree: 4)
        #expect(throws: InvalidArgument.self) { try cheb.derivative(of: [1, 2, 3]) }
    }
}
