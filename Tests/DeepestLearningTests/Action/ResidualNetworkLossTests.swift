import Foundation
import Testing
@testable import DeepestLearning

@Suite struct ResidualNetworkLossTests {
    struct Case: CustomStringConvertible, Sendable {
        let activation: Activation
        let antisymmetric: Bool
        let classification: Bool
        var description: String { "\(activation) antisymmetric=\(antisymmetric) classes=\(classification)" }
    }

    static let cases: [Case] = Activation.allCases.flatMap { a in
        [false, true].flatMap { s in [true, false].map { Case(activation: a, antisymmetric: s, classification: $0) } }
    }

    static func network(_ c: Case, inputDimension: Int = 2, width: Int = 3, layers: Int = 4) throws -> ResidualNetwork {
        let field = try ResidualField(width: width, activation: c.activation, antisymmetric: c.antisymmetric, shift: 0.05)
        return try ResidualNetwork(field: field, layers: layers, horizon: 1.5,
                                   lift: .padding(from: inputDimension, to: width),
                                   readout: c.classification ? .softmaxCrossEntropy(classes: 3) : .leastSquares(outputs: 2))
    }

    /// MATH.md V5(i): the backprop (discrete costate) gradient of the ResNet loss matches central
    /// differences, relative error < 1e-6, with every regularisation term on, for a full batch and
    /// for a minibatch with repeated indices.
    @Test(arguments: cases)
    func gradientMatchesCentralDifferences(_ c: Case) throws {
        let net = try Self.network(c)
        let data = try randomDataset(count: 11, inputDimension: 2, classes: c.classification ? 3 : nil, seed: 5)
        let reg = try Regularization(tikhonov: 0.03, smoothness: 0.02, readoutTikhonov: 0.01)
        let loss = try ResidualNetworkLoss(network: net, data: data, regularization: reg)
        let p = net.initialParameters(seed: 17, weightScale: 1.5).enumerated().map { $1 + 0.1 * sin(Double($0)) }
        for samples in [nil, [3, 1, 4, 1, 5, 9, 2, 6]] as [[Int]?] {
            var g = [Double]()
            loss.evaluate(parameters: p, samples: samples, gradient: &g)
            var scratch = [Double]()
            let fd = centralDifferences(p) { loss.evaluate(parameters: $0, samples: samples, gradient: &scratch) }
            let error = relativeError(g, fd)
            #expect(error < 1e-6, "\(c) samples=\(String(describing: samples)): relative error \(error)")
        }
    }

    /// The same check for a wide network (d = 16), whose blocks run as matrix–matrix products over the
    /// samples (`BLAS.gemm`), with a minibatch of several sample blocks and repeated indices.
    @Test(arguments: cases)
    func wideGradientMatchesCentralDifferences(_ c: Case) throws {
        let net = try Self.network(c, inputDimension: 3, width: 16, layers: 3)
        let data = try randomDataset(count: 80, inputDimension: 3, classes: c.classification ? 3 : nil, seed: 6)
        let reg = try Regularization(tikhonov: 0.03, smoothness: 0.02, readoutTikhonov: 0.01)
        let loss = try ResidualNetworkLoss(network: net, data: data, regularization: reg)
        #expect(net.width >= loss.minimumBatchedWidth)
        let p = net.initialParameters(seed: 18, weightScale: 1.5).enumerated().map { $1 + 0.1 * sin(Double($0)) }
        let samples = (0..<70).map { ($0 * 7) % 80 }
        var g = [Double]()
        loss.evaluate(parameters: p, samples: samples, gradient: &g)
        var scratch = [Double]()
        let fd = centralDifferences(p) { loss.evaluate(parameters: $0, samples: samples, gradient: &scratch) }
        let error = relativeError(g, fd)
        #expect(error < 1e-6, "\(c): relative error \(error)")
    }

    /// The batched kernels (matrix–matrix) and the per-sample kernels (matrix–vector) compute the same
    /// loss and gradient; only the order of the sums over a block's samples differs (round-off).
    @Test func batchedAndPerSampleKernelsAgree() throws {
        let c = Case(activation: .softplus, antisymmetric: true, classification: true)
        let net = try Self.network(c, inputDimension: 3, width: 20, layers: 5)
        let data = try randomDataset(count: 170, inputDimension: 3, classes: 3, seed: 9)
        let batched = try ResidualNetworkLoss(network: net, data: data)
        let perSample = try ResidualNetworkLoss(network: net, data: data)
        perSample.minimumBatchedWidth = Int.max
        let p = net.initialParameters(seed: 3)
        let samples = (0..<150).map { ($0 * 11) % 170 }
        var g1 = [Double](), g2 = [Double]()
        let a = batched.evaluate(parameters: p, samples: samples, gradient: &g1)
        let b = perSample.evaluate(parameters: p, samples: samples, gradient: &g2)
        #expect(abs(a - b) < 1e-13 * abs(a))
        #expect(relativeError(g1, g2) < 1e-12, "relative difference \(relativeError(g1, g2))")
        // Repeated evaluation is bitwise reproducible (fixed blocks, block-order reduction).
        var g3 = [Double]()
        #expect(batched.evaluate(parameters: p, samples: samples, gradient: &g3) == a)
        #expect(g3 == g1)
    }

    /// The loss of a minibatch equals the loss of the same samples as a data set of their own
    /// (the index list only selects samples), and the mean loss is the mean over samples.
    @Test func minibatchSelectsSamples() throws {
        let c = Case(activation: .tanh, antisymmetric: true, classification: true)
        let net = try Self.network(c)
        let data = try randomDataset(count: 40, inputDimension: 2, classes: 3, seed: 8)
        let p = net.initialParameters(seed: 4)
        let batch = [7, 3, 3, 21, 39, 0]
        var g1 = [Double](), g2 = [Double]()
        let a = try ResidualNetworkLoss(network: net, data: data).evaluate(parameters: p, samples: batch, gradient: &g1)
        let b = try ResidualNetworkLoss(network: net, data: data.subset(batch)).evaluate(parameters: p, gradient: &g2)
        #expect(abs(a - b) < 1e-14 * max(1, abs(a)))
        #expect(relativeError(g1, g2) < 1e-14)
    }

    /// Zero weights and readout: every output is 0, so the cross-entropy is log(classes).
    @Test func zeroNetworkHasUniformPrediction() throws {
        let net = try Self.network(Case(activation: .sigmoid, antisymmetric: false, classification: true))
        let data = try randomDataset(count: 9, inputDimension: 2, classes: 3, seed: 2)
        let loss = try ResidualNetworkLoss(network: net, data: data)
        #expect(abs(loss.value(parameters: [Double](repeating: 0, count: net.parameterCount)) - log(3)) < 1e-14)
    }
}
