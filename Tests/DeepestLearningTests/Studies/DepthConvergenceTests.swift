import Foundation
import Testing
@testable import DeepestLearning
import NumericCore

@Suite struct DepthConvergenceTests {
    /// ResNets whose weights sample a smooth θ(t) at the cell midpoints: the interpolants differ by the
    /// linear interpolation error, O(h²), so the fitted order of D_N is 2 within ±0.15.
    @Test func sampledSmoothWeightsConvergeWithOrderTwo() throws {
        let field = try ResidualField(width: 2, activation: .tanh)
        let horizon = 3.0
        func smooth(_ t: Double, _ i: Int) -> Double { sin(t + Double(i)) + 0.3 * cos(2 * t * Double(i + 1)) }
        let ladder = try [8, 16, 32, 64, 128].map { layers -> TrainedNetwork in
            let resnet = try ResidualNetwork(field: field, layers: layers, horizon: horizon, lift: try .padding(from: 2, to: 2),
                                             readout: .softmaxCrossEntropy(classes: 2))
            var parameters = [Double](repeating: 0, count: resnet.parameterCount)
            for n in 0..<layers { for i in 0..<6 { parameters[resnet.layerOffset(n) + i] = smooth((Double(n) + 0.5) * resnet.stepSize, i) } }
            return .resnet(resnet, parameters: parameters)
        }
        let (distances, fit) = try DepthConvergence.fittedOrder(ladder)
        let order = try #require(fit).order
        #expect(abs(order - 2) <= 0.15, "distances \(distances), fitted order \(order)")
    }

    /// i.i.d. weights per layer (no continuum limit): the distance does not decay (order near 0).
    @Test func independentWeightsDoNotConverge() throws {
        let field = try ResidualField(width: 2, activation: .tanh)
        let ladder = try [8, 16, 32, 64].map { layers -> TrainedNetwork in
            let resnet = try ResidualNetwork(field: field, layers: layers, horizon: 1, lift: try .padding(from: 2, to: 2),
                                             readout: .softmaxCrossEntropy(classes: 2))
            return .resnet(resnet, parameters: resnet.initialParameters(seed: UInt64(layers)))
        }
        let (_, fit) = try DepthConvergence.fittedOrder(ladder)
        #expect(abs(try #require(fit).order) <= 0.3)
    }

    /// A flow's θ(t) is its own nodal interpolant; the distance to itself is 0, and the Euler ResNet of
    /// its nodal weights approaches its outputs as N grows (first order: the gap at least halves from
    /// N to 4N). The flow's nodal weights sample a smooth θ(t) on 48 intervals, so RK4 resolves the ODE
    /// to O(h⁴), far below these gaps.
    @Test func flowInterpolationAndEulerGap() throws {
        let rough = try StudyFixtures.flow(intervals: 6)
        #expect(try DepthConvergence.distance(rough, rough) == 0)
        let theta = rough.parameters, q = rough.field.parameterCount
        let mid = DepthConvergence.weights(of: rough, at: 1.5 * rough.stepSize)
        for i in 0..<q { #expect(abs(mid[i] - 0.5 * (theta[q + i] + theta[2 * q + i])) <= 1e-15) }
        guard case .flow(let shape) = try StudyFixtures.flow(intervals: 48) else { return }
        var parameters = shape.parameters
        for j in 0...48 { for i in 0..<q { parameters[j * q + i] = 0.6 * sin(Double(j) * shape.network.stepSize * 2 + Double(i)) } }
        let network = TrainedNetwork.flow(TrainedFlow(network: shape.network, parameters: parameters))
        let inputs = randomVector(10, seed: 3)
        let gaps = try [24, 96, 384].map { try DepthConvergence.eulerFlowGap(network, inputs: inputs, layers: $0) }
        #expect(gaps[1] <= 0.5 * gaps[0] && gaps[2] <= 0.5 * gaps[1], "gaps \(gaps) at N = 24, 96, 384")
    }
}
