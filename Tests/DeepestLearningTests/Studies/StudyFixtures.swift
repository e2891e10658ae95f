import Testing
import Foundation
@testable import DeepestLearning
import NumericCore

/// Small random networks of both kinds for the studies' tests: a ResNet with zero-padding lift and a
/// flow with a linear (replication) lift, tanh, random weights of order one.
enum StudyFixtures {
    static func resnet(width: Int = 4, layers: Int = 6, inputDimension: Int = 2, classes: Int = 3, antisymmetric: Bool = false,
                       seed: UInt64 = 3) throws -> TrainedNetwork {
        let field = try ResidualField(width: width, activation: .tanh, antisymmetric: antisymmetric)
        let network = try ResidualNetwork(field: field, layers: layers, horizon: 1.5, lift: try .padding(from: inputDimension, to: width),
                                          readout: .softmaxCrossEntropy(classes: classes))
        var parameters = randomVector(network.parameterCount, seed: seed, scale: 0.8)
        for n in 0..<layers { for i in 0..<width { parameters[network.layerOffset(n) + width * width + i] *= 0.3 } }
        return .resnet(network, parameters: parameters)
    }

    static func flow(width: Int = 5, intervals: Int = 5, inputDimension: Int = 2, outputs: Int = 2, seed: UInt64 = 4) throws -> TrainedNetwork {
        let field = try ResidualField(width: width, activation: .tanh)
        let network = try ContinuumNetwork(field: field, horizon: 1.2, intervals: intervals, lift: try .replication(from: inputDimension, to: width),
                                           readout: .leastSquares(outputs: outputs))
        return .flow(TrainedFlow(network: network, parameters: randomVector(network.parameterCount, seed: seed, scale: 0.7)))
    }

    /// The per-sample loss φ of one input and target row, from the network's outputs (softmax
    /// cross-entropy or least squares written out here, independently of `Readout.loss`).
    static func loss(_ network: TrainedNetwork, input: [Double], target: [Double]) -> Double {
        let o = network.outputs(inputs: input)
        switch network.readout {
        case .softmaxCrossEntropy:
            let largest = o.max()!
            return log(o.reduce(0) { $0 + exp($1 - largest) }) + largest - o[Int(target[0])]
        case .leastSquares:
            return 0.5 * zip(o, target).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }
        }
    }

    static func targetRow(_ data: Dataset, _ k: Int) -> [Double] {
        switch data.targets {
        case .classes(let labels, _): return [Double(labels[k])]
        case .values(let values, let dimension): return Array(values[(k * dimension)..<((k + 1) * dimension)])
        }
    }
}

/// The fixtures' per-sample loss, written out independently of `Readout.loss`, against the library's
/// losses of the same networks (the costate sweep's φ_k) for both readouts: they must agree to rounding,
/// or every study test built on the fixtures would compare with a wrong reference.
@Suite struct StudyFixturesTests {
    @Test func independentLossAgreesWithTheLibrarysPerSampleLoss() throws {
        let classification = try randomDataset(count: 7, inputDimension: 2, classes: 3, seed: 8)
        let regression = try randomDataset(count: 7, inputDimension: 2, classes: nil, outputs: 2, seed: 9)
        for (network, data) in [(try StudyFixtures.resnet(), classification), (try StudyFixtures.flow(), regression)] {
            let losses = try network.costates(data: data).losses
            for k in 0..<data.count {
                let input = Array(data.inputs[(k * 2)..<((k + 1) * 2)])
                let fixture = StudyFixtures.loss(network, input: input, target: StudyFixtures.targetRow(data, k))
                #expect(abs(fixture - losses[k]) <= 1e-12 * max(1, abs(losses[k])), "sample \(k): \(fixture) vs \(losses[k])")
            }
        }
    }
}
