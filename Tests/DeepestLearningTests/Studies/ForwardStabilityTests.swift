import Foundation
import Testing
@testable import DeepestLearning
import NumericCore

/// The stability study against closed forms. At x = 0 with b = 0 and tanh (σ(0) = 0, σ'(0) = 1) every
/// state stays 0 and every layer Jacobian is K itself, so the spectra are those of the kernels.
@Suite struct ForwardStabilityTests {
    /// A ResNet of `layers` copies of the kernel θ (stored weights, biases 0) on zero inputs.
    static func constantKernel(_ stored: [Double], width d: Int, layers: Int, horizon: Double, antisymmetric: Bool)
        throws -> (TrainedNetwork, Dataset) {
        let field = try ResidualField(width: d, activation: .tanh, antisymmetric: antisymmetric)
        let network = try ResidualNetwork(field: field, layers: layers, horizon: horizon, lift: try .padding(from: d, to: d),
                                          readout: .softmaxCrossEntropy(classes: 2))
        var parameters = [Double](repeating: 0, count: network.parameterCount)
        for n in 0..<layers { for i in 0..<(d * d) { parameters[network.layerOffset(n) + i] = stored[i] } }
        for i in 0..<d { parameters[network.readoutOffset + i] = 1 }
        let data = try Dataset(inputs: [Double](repeating: 0, count: 2 * d), inputDimension: d,
                               targets: .classes(labels: [0, 1], count: 2))
        return (.resnet(network, parameters: parameters), data)
    }

    /// MATH.md §6.5: the circulant K(θ) has the eigenvalues 0 and −(3/2)(θ1 + θ2) ± i(√3/2)(θ1 − θ2), and
    /// the share outside |1 + hμ| ≤ 1 follows from them.
    @Test(arguments: [(1.0, 1.0, 5), (1.0, 1.0, 100), (0.3, -0.8, 4), (2.0, 0.5, 10)])
    func circulantKernelHasTheClosedFormSpectrum(theta1: Double, theta2: Double, layers: Int) throws {
        let k = [-theta1 - theta2, theta1, theta2, theta2, -theta1 - theta2, theta1, theta1, theta2, -theta1 - theta2]
        let (network, data) = try Self.constantKernel(k, width: 3, layers: layers, horizon: 10, antisymmetric: false)
        let study = try ForwardStability(network: network, data: data)
        let expected = [(0.0, 0.0), (-1.5 * (theta1 + theta2), 3.0.squareRoot() / 2 * (theta1 - theta2)),
                        (-1.5 * (theta1 + theta2), -(3.0.squareRoot() / 2) * (theta1 - theta2))]
        for (re, im) in zip(study.recordedReal, study.recordedImaginary) {
            let distance = expected.map { hypot($0.0 - re, $0.1 - im) }.min()!
            #expect(distance <= 1e-13 * 4 * max(abs(theta1), abs(theta2)), "eigenvalue \(re) + \(im)i")
        }
        let h = 10 / Double(layers)
        let outside = expected.filter { hypot(1 + h * $0.0, h * $0.1) > 1 + 1e-12 }.count
        #expect(study.shareOutsideStabilityRegion == Double(outside) / 3, "h = \(h)")
    }

    /// K = W − Wᵀ has a purely imaginary spectrum ±iω, so every nonzero eigenvalue is outside the disk
    /// (|1 + ihω| > 1), and Π(I + hK) over N equal layers has the singular values (1 + h²ω²)^{N/2}
    /// ((I + hK)ᵀ(I + hK) = I − h²K², K normal).
    @Test func antisymmetricKernelHasAnImaginarySpectrumOutsideTheDisk() throws {
        let d = 4, layers = 8, horizon = 2.0, h = horizon / Double(layers)
        let w = randomVector(d * d, seed: 17)
        let (network, data) = try Self.constantKernel(w, width: d, layers: layers, horizon: horizon, antisymmetric: true)
        let study = try ForwardStability(network: network, data: data)
        let scale = w.reduce(0) { max($0, abs($1)) }
        #expect(study.recordedReal.allSatisfy { abs($0) <= 1e-13 * scale }, "real parts \(study.recordedReal)")
        #expect(study.shareOutsideStabilityRegion == 1)
        // ω from the closed form: the eigenvalues of the symmetric −K² are ω² (each twice).
        var k = [Double](repeating: 0, count: d * d)
        for i in 0..<d { for j in 0..<d { k[i * d + j] = w[i * d + j] - w[j * d + i] } }
        var minusSquare = [Double](repeating: 0, count: d * d)
        for i in 0..<d { for j in 0..<d { for l in 0..<d { minusSquare[i * d + j] -= k[i * d + l] * k[l * d + j] } } }
        let omegaSquared = try SymmetricEigen(matrix: minusSquare, dimension: d).values.reversed()
        let expected = omegaSquared.map { pow(1 + h * h * max($0, 0), Double(layers) / 2) }
        let computed = Array(study.singularValues[0..<d])
        #expect(relativeError(computed, Array(expected)) <= 1e-12, "singular values \(computed) against \(Array(expected))")
        // The costate grows backwards by at most the largest singular value.
        #expect(study.maxCostateNormRatio >= 1 && study.maxCostateNormRatio <= expected[0] * (1 + 1e-12))
    }

    /// A shifted antisymmetric kernel K = W − Wᵀ − γI has the spectrum −γ ± iω: inside the disk exactly
    /// when h ≤ 2γ/(γ² + ω²) (MATH.md §6.5).
    @Test func shiftedAntisymmetricKernelFollowsTheStepBound() throws {
        let gamma = 0.5, omega = 1.0
        // W = [[0, ω/2], [−ω/2, 0]]: W − Wᵀ = [[0, ω], [−ω, 0]], spectrum ±iω.
        let w = [0, omega / 2, -omega / 2, 0]
        let bound = 2 * gamma / (gamma * gamma + omega * omega)
        for (layers, inside) in [(Int((2 / bound).rounded(.up)) + 1, true), (1, false)] {
            let field = try ResidualField(width: 2, activation: .tanh, antisymmetric: true, shift: gamma)
            let resnet = try ResidualNetwork(field: field, layers: layers, horizon: 2, lift: try .padding(from: 2, to: 2),
                                             readout: .softmaxCrossEntropy(classes: 2))
            var parameters = [Double](repeating: 0, count: resnet.parameterCount)
            for n in 0..<layers { for i in 0..<4 { parameters[resnet.layerOffset(n) + i] = w[i] } }
            let data = try Dataset(inputs: [0, 0], inputDimension: 2, targets: .classes(labels: [0], count: 2))
            let study = try ForwardStability(network: .resnet(resnet, parameters: parameters), data: data)
            #expect(study.shareOutsideStabilityRegion == (inside ? 0 : 1), "h = \(resnet.stepSize), bound \(bound)")
        }
    }

    /// A flow's study runs on its K + 1 nodes; its costate ratios at t = T are 1 by definition.
    @Test func flowStudyUsesTheNodesOfTheDepthGrid() throws {
        let network = try StudyFixtures.flow(intervals: 6)
        let data = try randomDataset(count: 4, inputDimension: 2, classes: nil, outputs: 2, seed: 8)
        let study = try ForwardStability(network: network, data: data, recordedSamples: 2)
        #expect(study.points == 7 && study.nodes == 7)
        #expect(study.recordedReal.count == 2 * 7 * network.width)
        for k in 0..<4 { #expect(study.costateNormRatios[k * 7 + 6] == 1) }
        #expect(study.singularValues.allSatisfy { $0 > 0 })
    }
}
