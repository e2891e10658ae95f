import Foundation
import NumericCore
import Testing
@testable import DeepestLearning

@Suite struct ReducedContinuumActionTests {
    static func network(antisymmetric: Bool, classification: Bool, intervals: Int, horizon: Double = 1.5) throws -> ContinuumNetwork {
        let field = try ResidualField(width: 3, activation: .tanh, antisymmetric: antisymmetric, shift: 0.05)
        return try ContinuumNetwork(field: field, horizon: horizon, intervals: intervals, lift: try .padding(from: 2, to: 3),
                                    readout: classification ? .softmaxCrossEntropy(classes: 3) : .leastSquares(outputs: 2))
    }

    /// MATH.md V5: the discrete RK4 adjoint gradient of V matches central differences (relative error
    /// < 1e-6) with every regularisation term on, for both readouts and both weight parametrisations,
    /// on more samples than one parallel block holds.
    @Test(arguments: [(false, true), (true, true), (false, false), (true, false)])
    func gradientMatchesCentralDifferences(_ antisymmetric: Bool, _ classification: Bool) throws {
        let net = try Self.network(antisymmetric: antisymmetric, classification: classification, intervals: 5)
        let data = try randomDataset(count: 37, inputDimension: 2, classes: classification ? 3 : nil, seed: 3)
        let action = try ReducedContinuumAction(network: net, data: data, tikhonov: 0.3, smoothness: 0.2, readoutTikhonov: 0.1)
        let u = randomVector(action.parameterCount, seed: 9, scale: 0.8)
        var g = [Double](repeating: 0, count: u.count), scratch = g
        _ = action.evaluate(u, gradient: &g)
        let fd = centralDifferences(u) { action.evaluate($0, gradient: &scratch) }
        let error = relativeError(g, fd)
        #expect(error < 1e-6, "relative error \(error)")
        // The misfit is Σφ of the network's outputs (its forward flow, computed separately), and the
        // parts add up to V.
        let parts = action.parts(u)
        let outputs = net.outputs(parameters: u, inputs: data.inputs)
        var misfit = 0.0
        switch data.targets {
        case .classes(let labels, let classes):
            for k in labels.indices {
                let o = outputs[(k * classes)..<((k + 1) * classes)]
                let largest = o.max()!
                misfit += log(o.reduce(0) { $0 + exp($1 - largest) }) + largest - o[k * classes + labels[k]]
            }
        case .values(let y, _):
            for i in y.indices { misfit += 0.5 * (outputs[i] - y[i]) * (outputs[i] - y[i]) }
        }
        #expect(abs(parts.dataMisfit - misfit) <= 1e-12 * max(1, misfit), "misfit \(parts.dataMisfit) against \(misfit)")
        #expect(abs(parts.total - action.evaluate(u, gradient: &scratch)) < 1e-12 * max(1, abs(parts.total)))
        #expect(parts.modelError == 0)
    }

    /// The flow is fourth order: for fixed linear-in-t weights (exactly represented on every mesh) the
    /// final states converge with fitted order 4 ± 0.3 against a 1024-interval reference.
    @Test func flowIsFourthOrder() throws {
        let q = 12
        let reference = try Self.network(antisymmetric: false, classification: false, intervals: 1024, horizon: 2)
        func parameters(_ net: ContinuumNetwork) -> [Double] {
            let a = randomVector(q, seed: 1, scale: 0.9), b = randomVector(q, seed: 2, scale: 0.9)
            var u = [Double](repeating: 0, count: net.parameterCount)
            for node in 0...net.intervals {
                let s = Double(node) / Double(net.intervals)
                for i in 0..<q { u[node * q + i] = a[i] + s * b[i] }
            }
            return u
        }
        let inputs = randomVector(2 * 6, seed: 4)
        let exact = reference.finalStates(parameters: parameters(reference), inputs: inputs)
        var steps = [Double](), errors = [Double]()
        for intervals in [4, 8, 16, 32] {
            let net = try Self.network(antisymmetric: false, classification: false, intervals: intervals, horizon: 2)
            let x = net.finalStates(parameters: parameters(net), inputs: inputs)
            steps.append(net.stepSize)
            errors.append(zip(x, exact).map { abs($0 - $1) }.max()!)
        }
        let fit = try OrderFit.fit(steps: steps, errors: errors)
        #expect(abs(fit.order - 4) < 0.3, "fitted order \(fit.order), errors \(errors)")
    }

    /// The costates returned for the continuum guess are −∂Σφ/∂x_n: checked at node 0, where perturbing
    /// an input coordinate (a lifted component; the padded one is always 0) changes Σφ by −p_0·δx to
    /// first order (central differences, 1e-7 relative), for every sample.
    @Test func costatesAreTheAdjointOfTheFlow() throws {
        let net = try Self.network(antisymmetric: true, classification: true, intervals: 6)
        let data = try randomDataset(count: 5, inputDimension: 2, classes: 3, seed: 8)
        let u = randomVector(net.parameterCount, seed: 10, scale: 0.7)
        let action = try ReducedContinuumAction(network: net, data: data, tikhonov: 0, smoothness: 0, readoutTikhonov: 0)
        let (_, costates) = action.trajectories(u)
        let parts = action.parts(u)
        for k in 0..<data.count {
            for i in 0..<2 {
                var shifted = data.inputs
                let epsilon = 1e-6
                shifted[k * 2 + i] += epsilon
                let plus = try ReducedContinuumAction(network: net, data: Dataset(inputs: shifted, inputDimension: 2, targets: data.targets),
                                                      tikhonov: 0, smoothness: 0, readoutTikhonov: 0).parts(u).dataMisfit
                shifted[k * 2 + i] -= 2 * epsilon
                let minus = try ReducedContinuumAction(network: net, data: Dataset(inputs: shifted, inputDimension: 2, targets: data.targets),
                                                       tikhonov: 0, smoothness: 0, readoutTikhonov: 0).parts(u).dataMisfit
                let derivative = (plus - minus) / (2 * epsilon)
                #expect(abs(derivative + costates[k * 3 + i]) < 1e-7 * max(1, abs(derivative)),
                        "sample \(k) component \(i): \(derivative) against p_0 = \(costates[k * 3 + i]), misfit \(parts.dataMisfit)")
            }
        }
    }
}
