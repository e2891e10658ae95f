import Foundation
import Testing
@testable import DeepestLearning

@Suite struct ActivationTests {
    /// σ' and σ'' against central differences of σ and σ' (truncation O(ε²) ≈ 1e-10), and the
    /// value forms against the z forms to round-off.
    @Test(arguments: Activation.allCases)
    func derivativesMatchDifferencesAndValueForms(_ sigma: Activation) {
        let eps = 1e-5
        for z in stride(from: -6.0, through: 6.0, by: 0.37) {
            let d1 = (sigma.value(z + eps) - sigma.value(z - eps)) / (2 * eps)
            let d2 = (sigma.derivative(z + eps) - sigma.derivative(z - eps)) / (2 * eps)
            #expect(abs(d1 - sigma.derivative(z)) < 1e-9, "σ' at z=\(z)")
            #expect(abs(d2 - sigma.secondDerivative(z)) < 1e-9, "σ'' at z=\(z)")
            let v = sigma.value(z)
            #expect(abs(sigma.derivative(value: v) - sigma.derivative(z)) < 1e-13, "σ'(value) at z=\(z)")
            #expect(abs(sigma.secondDerivative(value: v) - sigma.secondDerivative(z)) < 1e-13, "σ''(value) at z=\(z)")
        }
    }

    @Test func softplusDoesNotOverflow() {
        #expect(Activation.softplus.value(800) == 800)
        #expect(Activation.softplus.value(-800) == 0)
        #expect(Activation.sigmoid.value(-800) == 0)
    }
}
