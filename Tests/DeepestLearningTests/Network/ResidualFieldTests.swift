import Foundation
import Testing
@testable import DeepestLearning

@Suite struct ResidualFieldTests {
    static let cases: [(Activation, Bool)] = Activation.allCases.flatMap { [($0, false), ($0, true)] }

    /// (∂ₓF)ᵀp = ∇ₓ(p·F), ∂_θ[p·F] = ∇_θ(p·F), and ∂ₓ[(∂ₓF)ᵀp] = ∇ₓ of (∂ₓF)ᵀp, each against central
    /// differences (MATH.md §1), for plain and antisymmetric K.
    @Test(arguments: cases)
    func derivativeProductsMatchFiniteDifferences(_ sigma: Activation, _ antisymmetric: Bool) throws {
        let d = 4
        let field = try ResidualField(width: d, activation: sigma, antisymmetric: antisymmetric, shift: 0.1)
        let x = randomVector(d, seed: 1), p = randomVector(d, seed: 2)
        let theta = randomVector(field.parameterCount, seed: 3, scale: 0.7)
        func dot(_ a: [Double], _ b: [Double]) -> Double { zip(a, b).reduce(0) { $0 + $1.0 * $1.1 } }

        let gx = centralDifferences(x) { dot(p, field.value(x: $0, theta: theta)) }
        #expect(relativeError(gx, field.transposedJacobianProduct(x: x, theta: theta, costate: p)) < 1e-8)

        let gTheta = centralDifferences(theta) { dot(p, field.value(x: x, theta: $0)) }
        #expect(relativeError(gTheta, field.parameterGradient(x: x, theta: theta, costate: p)) < 1e-8)

        let hessian = field.costateJacobian(x: x, theta: theta, costate: p)
        for b in 0..<d {
            let column = centralDifferences(x) { field.transposedJacobianProduct(x: $0, theta: theta, costate: p)[b] }
            let row = Array(hessian[(b * d)..<((b + 1) * d)])
            #expect(relativeError(column, row) < 1e-7, "row \(b)")
        }
    }

    /// K = W − Wᵀ − γI: K + Kᵀ = −2γI.
    @Test func antisymmetricWeightHasShiftedSkewPart() throws {
        let field = try ResidualField(width: 3, activation: .tanh, antisymmetric: true, shift: 0.25)
        let k = field.weightMatrix(randomVector(field.parameterCount, seed: 9))
        for i in 0..<3 {
            for j in 0..<3 {
                #expect(abs(k[i * 3 + j] + k[j * 3 + i] - (i == j ? -0.5 : 0)) < 1e-15)
            }
        }
    }

    @Test func invalidShapesThrow() {
        #expect(throws: (any Error).self) { try ResidualField(width: 0, activation: .tanh) }
        #expect(throws: (any Error).self) { try InputLift.padding(from: 3, to: 2) }
    }
}
