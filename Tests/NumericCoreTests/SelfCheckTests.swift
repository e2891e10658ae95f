import Foundation
import Testing
@testable import NumericCore

@Suite struct SelfCheckTests {
    @Test func chebyshevDerivativeDecaysExponentiallyToRoundOff() throws {
        let result = try SelfCheck.chebyshevDerivative()
        #expect(result.rate.order < -0.5, "rate \(result.rate)")                 // spectral, not algebraic
        #expect(result.maxErrors.last! < 1e-12, "errors \(result.maxErrors)")   // N = 32
    }

    @Test func finiteDifferencePoissonIsSecondOrder() throws {
        let result = try SelfCheck.finiteDifferencePoisson()
        #expect(abs(result.order.order - 2) < 0.15, "h \(result.steps) errors \(result.maxErrors) \(result.order)")
    }

    @Test func monteCarloMeanAgreesWithTheClosedFormAndIsReproducible() {
        let a = SelfCheck.lognormalMean(seed: 7)
        #expect(abs(a.estimate - a.exact) < 5 * a.standardError, "\(a.estimate) ± \(a.standardError)")
        let b = SelfCheck.lognormalMean(seed: 7)
        #expect(a.estimate == b.estimate)
    }
}
