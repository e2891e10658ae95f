import Foundation
import Testing
@testable import DeepestLearning
import NumericCore

@Suite struct LocalLipschitzTests {
    /// The input–output Jacobian against central differences of the outputs, and its power-iteration
    /// norm against the largest eigenvalue of JᵀJ from the symmetric eigen-decomposition.
    @Test func jacobianAndSpectralNormAgreeWithIndependentComputations() throws {
        for network in [try StudyFixtures.resnet(), try StudyFixtures.flow()] {
            let m = network.inputDimension, l = network.readout.outputs
            let input = randomVector(m, seed: 51)
            let jacobian = LocalLipschitz.inputOutputJacobian(network: network, input: input)
            for j in 0..<m {
                var plus = input, minus = input
                plus[j] += 1e-6
                minus[j] -= 1e-6
                let difference = zip(network.outputs(inputs: plus), network.outputs(inputs: minus)).map { ($0 - $1) / 2e-6 }
                let column = (0..<l).map { jacobian[$0 * m + j] }
                #expect(relativeError(column, difference) <= 1e-7, "column \(j) (flow: \(network.isFlow))")
            }
            var gram = [Double](repeating: 0, count: m * m)
            for a in 0..<m { for b in 0..<m { for r in 0..<l { gram[a * m + b] += jacobian[r * m + a] * jacobian[r * m + b] } } }
            let largest = try SymmetricEigen(matrix: gram, dimension: m).values.last!.squareRoot()
            let estimate = LocalLipschitz.estimate(network: network, input: input)
            #expect(abs(estimate - largest) <= 1e-8 * largest, "power iteration \(estimate), eigen-decomposition \(largest)")
        }
    }

    /// For the identity depth map and a readout C, the Lipschitz constant is ‖C‖₂: for C = diag(3, −1, 2)
    /// (padded), 3.
    @Test func identityDepthMapGivesTheReadoutNorm() throws {
        let field = try ResidualField(width: 3, activation: .tanh)
        let network = try ResidualNetwork(field: field, layers: 2, horizon: 1, lift: try .padding(from: 3, to: 3),
                                          readout: .softmaxCrossEntropy(classes: 3))
        var parameters = [Double](repeating: 0, count: network.parameterCount)
        for (i, c) in [3.0, -1, 2].enumerated() { parameters[network.readoutOffset + i * 3 + i] = c }
        let estimate = LocalLipschitz.estimate(network: .resnet(network, parameters: parameters), input: [0.1, 0.2, -0.3])
        #expect(abs(estimate - 3) <= 1e-10)
    }
}
