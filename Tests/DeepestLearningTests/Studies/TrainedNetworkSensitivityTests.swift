import Foundation
import Testing
@testable import DeepestLearning
import NumericCore

/// The input–output Jacobian and the costates of both kinds of trained network against central
/// finite differences of the forward pass (the variational equation and the adjoint are exact
/// derivatives of the discrete maps, so they agree to the O(ε²) truncation error).
@Suite struct TrainedNetworkSensitivityTests {
    static func networks() throws -> [TrainedNetwork] {
        [try StudyFixtures.resnet(), try StudyFixtures.resnet(antisymmetric: true, seed: 9), try StudyFixtures.flow()]
    }

    @Test func stateJacobianMatchesFiniteDifferencesOfTheFinalState() throws {
        for network in try Self.networks() {
            let d = network.width
            let x0 = randomVector(network.inputDimension, seed: 21)
            let jacobian = network.stateJacobian(input: x0)
            // Differentiate x(T) with respect to x(0) through a padding lift of the full state: run the
            // depth map from a lifted start perturbed in each coordinate.
            let start = network.lift.apply(x0)
            let square = try Self.stateMap(network)
            for column in 0..<d {
                var plus = start, minus = start
                let step = 1e-6
                plus[column] += step
                minus[column] -= step
                let difference = zip(square.finalStates(inputs: plus), square.finalStates(inputs: minus)).map { ($0 - $1) / (2 * step) }
                let exact = (0..<d).map { jacobian[$0 * d + column] }
                let error = relativeError(exact, difference)
                #expect(error <= 1e-7, "column \(column) of ∂x(T)/∂x(0): relative error \(error) (flow: \(network.isFlow))")
            }
        }
    }

    /// The same network with the identity lift on its full width: its final state as a function of x(0).
    static func stateMap(_ network: TrainedNetwork) throws -> TrainedNetwork {
        let d = network.width, lift = try InputLift.padding(from: d, to: d)
        switch network {
        case .resnet(let n, let p):
            return .resnet(try ResidualNetwork(field: n.field, layers: n.layers, horizon: n.horizon, lift: lift, readout: n.readout), parameters: p)
        case .flow(let f):
            let net = try ContinuumNetwork(field: f.network.field, horizon: f.network.horizon, intervals: f.network.intervals, lift: lift,
                                           readout: f.network.readout)
            return .flow(TrainedFlow(network: net, parameters: f.parameters))
        }
    }

    @Test func inputGradientsFromTheCostateMatchFiniteDifferencesOfTheLoss() throws {
        for network in try Self.networks() {
            let data = try randomDataset(count: 5, inputDimension: network.inputDimension,
                                         classes: network.readout.targetWidth == 1 ? network.readout.outputs : nil,
                                         outputs: network.readout.outputs, seed: 31)
            let (losses, gradients) = try network.inputGradients(data: data)
            let m = data.inputDimension
            for k in 0..<data.count {
                let input = Array(data.inputs[(k * m)..<((k + 1) * m)]), target = StudyFixtures.targetRow(data, k)
                let value = StudyFixtures.loss(network, input: input, target: target)
                #expect(abs(losses[k] - value) <= 1e-12 * max(1, abs(value)), "loss of sample \(k): \(losses[k]) against \(value)")
                let difference = centralDifferences(input, epsilon: 1e-6) { StudyFixtures.loss(network, input: $0, target: target) }
                let error = relativeError(Array(gradients[(k * m)..<((k + 1) * m)]), difference)
                #expect(error <= 1e-6, "sample \(k): input gradient relative error \(error) (flow: \(network.isFlow))")
            }
        }
    }

    /// The costate at every node is the gradient of the loss with respect to the state there: at t = 0
    /// through the lift (above), and at the last node p(T) = −∇φ(x(T)).
    @Test func finalCostateIsMinusTheReadoutGradient() throws {
        let network = try StudyFixtures.resnet()
        let data = try randomDataset(count: 3, inputDimension: 2, classes: 3, seed: 5)
        let trajectories = try network.costates(data: data)
        guard case .resnet(let resnet, let parameters) = network else { return }
        let final = resnet.finalStates(parameters: parameters, inputs: data.inputs)
        let d = network.width
        for k in 0..<data.count {
            let x = Array(final[(k * d)..<((k + 1) * d)])
            // φ as a function of x(T), differentiated numerically.
            let target = StudyFixtures.targetRow(data, k)
            let readoutOnly: ([Double]) -> Double = { state in
                var o = [Double](repeating: 0, count: 3)
                for i in 0..<3 {
                    o[i] = parameters[resnet.readoutOffset + 3 * d + i]
                    for j in 0..<d { o[i] += parameters[resnet.readoutOffset + i * d + j] * state[j] }
                }
                let largest = o.max()!
                return log(o.reduce(0) { $0 + exp($1 - largest) }) + largest - o[Int(target[0])]
            }
            let gradient = centralDifferences(x, epsilon: 1e-6, readoutOnly)
            let costate = (0..<d).map { -trajectories.costates[((trajectories.nodes - 1) * data.count + k) * d + $0] }
            #expect(relativeError(costate, gradient) <= 1e-7)
        }
    }
}
