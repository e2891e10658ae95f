import Foundation
import Testing
@testable import DeepestLearning

@Suite struct MinibatchTrainerTests {
    /// Heavy ball on J = ½|P − c|²: the error obeys e_{t+1} = (1 − η + μ)e_t − μ e_{t−1}, e_1 = (1 − η)e_0,
    /// whose solution is A r₁ᵗ + B r₂ᵗ with r the roots of r² − (1 − η + μ)r + μ = 0.
    @Test func momentumFollowsItsLinearRecurrence() {
        let eta = 0.1, mu = 0.2
        var rule = MomentumGradientDescent(learningRate: eta, momentum: mu)
        let c = [1.0, -2.0, 0.5]
        var p = [0.0, 0.0, 0.0]
        let trace = 1 - eta + mu, disc = (trace * trace - 4 * mu).squareRoot()
        let r1 = (trace + disc) / 2, r2 = (trace - disc) / 2
        for t in 1...40 {
            rule.update(parameters: &p, gradient: zip(p, c).map { $0 - $1 })
            for i in c.indices {
                let e0 = -c[i], e1 = (1 - eta) * e0
                let b = (e1 - r1 * e0) / (r2 - r1), a = e0 - b
                let expected = a * pow(r1, Double(t)) + b * pow(r2, Double(t))
                #expect(abs((p[i] - c[i]) - expected) < 1e-13, "t=\(t) i=\(i)")
            }
        }
    }

    /// Adam's bias-corrected first step is −η g/(|g| + ε) in every coordinate.
    @Test func adamFirstStepIsSignedLearningRate() {
        var rule = Adam(learningRate: 0.01)
        var p = [1.0, 2.0, 3.0]
        let g = [0.5, -3.0, 1e-3]
        rule.update(parameters: &p, gradient: g)
        for i in p.indices {
            let expected = [1.0, 2.0, 3.0][i] - 0.01 * g[i] / (abs(g[i]) + 1e-8)
            #expect(abs(p[i] - expected) < 1e-15)
        }
    }

    /// Training is a pure function of the seed: the same seed gives bitwise the same parameters, another
    /// seed another visiting order (so different parameters).
    @Test func trainingIsReproducible() throws {
        let c = ResidualNetworkLossTests.Case(activation: .tanh, antisymmetric: true, classification: true)
        let net = try ResidualNetworkLossTests.network(c)
        let data = try randomDataset(count: 50, inputDimension: 2, classes: 3, seed: 6)
        let loss = try ResidualNetworkLoss(network: net, data: data)
        let p0 = net.initialParameters(seed: 1)
        func run(_ seed: UInt64) throws -> [Double] {
            try MinibatchTrainer.train(loss: loss, initialParameters: p0, optimizer: Adam(learningRate: 0.01),
                                       options: MinibatchOptions(epochs: 3, batchSize: 8, seed: seed)).parameters
        }
        #expect(try run(3) == run(3))
        #expect(try run(3) != run(4))
    }

    /// A realisable regression (y = A x with tanh, so K = 0, b = 0, C = A is a zero of the loss):
    /// full-batch training drives the loss from O(1) to below 1e-4 of its start, and the gradient
    /// evaluations are epochs × ⌈M/B⌉.
    @Test func realisableRegressionIsFitted() throws {
        let field = try ResidualField(width: 3, activation: .tanh)
        let net = try ResidualNetwork(field: field, layers: 3, horizon: 1, lift: .padding(from: 2, to: 3),
                                      readout: .leastSquares(outputs: 1))
        let x = randomVector(40, seed: 77)
        let y: [Double] = (0..<20).map { (k: Int) -> Double in 0.7 * x[2 * k] - 1.2 * x[2 * k + 1] }
        let data = try Dataset(inputs: x, inputDimension: 2, targets: .values(y, dimension: 1))
        let loss = try ResidualNetworkLoss(network: net, data: data)
        let p0 = net.initialParameters(seed: 2, weightScale: 0.3)
        let result = try MinibatchTrainer.train(loss: loss, initialParameters: p0, optimizer: Adam(learningRate: 0.02),
                                                options: MinibatchOptions(epochs: 3000, batchSize: 20, seed: 1))
        #expect(result.status == .success)
        #expect(result.gradientEvaluations == 3000)
        let start = loss.value(parameters: p0), end = loss.value(parameters: result.parameters)
        #expect(end < 1e-4 * start, "loss \(start) -> \(end)")
    }
}
