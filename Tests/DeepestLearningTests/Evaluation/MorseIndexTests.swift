import Foundation
import Testing
@testable import DeepestLearning
import NumericCore

/// The Morse index against a Hessian built independently: central differences of the exact gradient.
@Suite struct MorseIndexTests {
    /// A small classification problem (12 samples, width 3, 3 layers, antisymmetric off) at a random,
    /// non-stationary point, where the reduced Hessian is indefinite: the exact null-space Hessian and the
    /// central-difference Hessian of V = M·J (its exact gradient by backprop) have the same inertia and
    /// the same smallest eigenvalue to 1e-5 relative.
    @Test func discreteIndexMatchesTheDifferencedHessian() throws {
        let data = try randomDataset(count: 12, inputDimension: 2, classes: 2, seed: 5)
        let field = try ResidualField(width: 3, activation: .tanh)
        let network = try ResidualNetwork(field: field, layers: 3, horizon: 1, lift: try .padding(from: 2, to: 3), readout: data.readout)
        let m = Double(data.count)
        let regularization = try Regularization(tikhonov: 1e-3 * m, smoothness: 0, readoutTikhonov: 1e-3 * m)
        let point = network.initialParameters(seed: 9, weightScale: 2)
        let morse = try #require(try MorseIndex.discrete(network: network, data: data, parameters: point, regularization: regularization))
        let loss = try ResidualNetworkLoss(network: network, data: data, regularization: try Regularization(
            tikhonov: 1e-3, smoothness: 0, readoutTikhonov: 1e-3))
        let p = network.parameterCount
        var hessian = [Double](repeating: 0, count: p * p), plus = [Double](), minus = [Double](), u = point
        for i in 0..<p {
            let step = 1e-5 * max(1, abs(point[i]))
            u[i] = point[i] + step; loss.evaluate(parameters: u, gradient: &plus)
            u[i] = point[i] - step; loss.evaluate(parameters: u, gradient: &minus)
            u[i] = point[i]
            for j in 0..<p { hessian[i * p + j] = m * (plus[j] - minus[j]) / (2 * step) }
        }
        for i in 0..<p { for j in 0..<i { let s = 0.5 * (hessian[i * p + j] + hessian[j * p + i]); hessian[i * p + j] = s; hessian[j * p + i] = s } }
        let reference = try SymmetricEigen(matrix: hessian, dimension: p)
        #expect(morse.index >= 1, "expected an indefinite Hessian at a random point, index \(morse.index)")
        #expect(morse.index == reference.negativeCount(relativeThreshold: 1e-6), "index \(morse.index), reference \(reference.values.prefix(6))")
        #expect(abs(morse.smallestEigenvalue - reference.values[0]) <= 1e-5 * abs(reference.values[0]),
                "λ_min \(morse.smallestEigenvalue) vs \(reference.values[0])")
    }

    /// The symplectic-euler recipe's point on a small sine problem is a certified stationary point with
    /// index 0 (a local minimum: its status stays converged), and an SGD result keeps its status whatever
    /// its index (it is not a certified stationary point).
    @Test func recipesReportTheirIndex() throws {
        var c = try TrainingConfiguration.defaults(dataset: .sine, recipe: "symplectic-euler")
        c.samples = 30; c.layers = 5
        let split = try catalogSplit(.sine)
        let report = try TrainingExperiment.run(c, split: split).report
        #expect(report.morseIndex == 0 && (report.smallestHessianEigenvalue ?? -1) > 0 && report.status == "constrained-converged",
                "index \(String(describing: report.morseIndex)), λ_min \(String(describing: report.smallestHessianEigenvalue)), \(report.status)")
        var sgd = try TrainingConfiguration.defaults(dataset: .sine, recipe: "sgd")
        sgd.samples = 30; sgd.layers = 5
        let trained = try TrainingExperiment.run(sgd, split: split).report
        #expect(trained.morseIndex != nil && trained.status == "success")
    }

    /// The continuum index's eigenpair (central differences of the reduced continuum action's exact
    /// gradient) satisfies the eigen-equation along its vector: (∇V(u + εv) − ∇V(u − εv))/(2ε) = λ v to
    /// 1e-4 relative.
    @Test func continuumEigenpairSatisfiesTheEigenEquation() throws {
        let data = try randomDataset(count: 8, inputDimension: 2, classes: 2, seed: 3)
        let field = try ResidualField(width: 2, activation: .tanh)
        let flow = try ContinuumNetwork(field: field, horizon: 1, intervals: 4, lift: try .padding(from: 2, to: 2), readout: data.readout)
        let action = try ReducedContinuumAction(network: flow, data: data, tikhonov: 0.01, smoothness: 1, readoutTikhonov: 0.01)
        let resnet = try ResidualNetwork(field: field, layers: 4, horizon: 1, lift: try .padding(from: 2, to: 2), readout: data.readout)
        let u = flow.parameters(fromLayers: resnet.initialParameters(seed: 4, weightScale: 2), of: resnet)
        let morse = try #require(MorseIndex.continuum(action: action, parameters: u))
        let v = morse.eigenvector, epsilon = 1e-4
        var plus = [Double](repeating: 0, count: u.count), minus = plus
        _ = action.evaluate(zip(u, v).map { $0 + epsilon * $1 }, gradient: &plus)
        _ = action.evaluate(zip(u, v).map { $0 - epsilon * $1 }, gradient: &minus)
        let scale = max(abs(morse.smallestEigenvalue), 1e-3)
        for i in u.indices {
            let hv = (plus[i] - minus[i]) / (2 * epsilon)
            #expect(abs(hv - morse.smallestEigenvalue * v[i]) <= 1e-4 * scale, "component \(i): Hv \(hv), λv \(morse.smallestEigenvalue * v[i])")
        }
    }
}

/// The Lanczos route (large problems) against the dense decomposition on a problem small enough for both.
@Suite struct MorseIndexLanczosTests {
    /// At a random point of a small classification problem the smallest eigenvalue of ∇²V from Lanczos on
    /// differenced Hessian-vector products matches the dense exact reduced Hessian's to 1e-5 relative,
    /// and the converged negative count is a lower bound that here finds every negative eigenvalue.
    @Test func lanczosMatchesTheDenseIndexAndEigenvalue() throws {
        let data = try randomDataset(count: 12, inputDimension: 2, classes: 2, seed: 5)
        let network = try ResidualNetwork(field: try ResidualField(width: 3, activation: .tanh), layers: 3, horizon: 1,
                                          lift: try .padding(from: 2, to: 3), readout: data.readout)
        let m = Double(data.count)
        let regularization = try Regularization(tikhonov: 1e-3 * m, smoothness: 0, readoutTikhonov: 1e-3 * m)
        let point = network.initialParameters(seed: 9, weightScale: 2)
        let dense = try #require(try MorseIndex.discrete(network: network, data: data, parameters: point, regularization: regularization))
        let loss = try ResidualNetworkLoss(network: network, data: data, regularization: try Regularization(tikhonov: 1e-3, readoutTikhonov: 1e-3))
        let lanczos = try #require(MorseIndex.lanczos(parameters: point) { u, g in
            let value = loss.evaluate(parameters: u, gradient: &g)
            for i in g.indices { g[i] *= m }  // ∇V = M ∇J
            return m * value
        })
        #expect(lanczos.indexIsLowerBound && !dense.indexIsLowerBound)
        #expect(abs(lanczos.smallestEigenvalue - dense.smallestEigenvalue) <= 1e-5 * abs(dense.smallestEigenvalue),
                "Lanczos \(lanczos.smallestEigenvalue), dense \(dense.smallestEigenvalue)")
        #expect(lanczos.index <= dense.index)
        #expect(lanczos.index == dense.index, "Lanczos \(lanczos.index), dense \(dense.index)")
    }

    /// With frozen parameters Lanczos works on the free block alone: where that block is positive definite
    /// (a large Tikhonov weight) its smallest eigenvalue is the dense free block's, not a spurious 0 of the
    /// frozen coordinates, and the eigenvector is zero there.
    @Test func lanczosWithFrozenParametersSeesTheFreeBlockOnly() throws {
        let data = try randomDataset(count: 12, inputDimension: 2, classes: 2, seed: 5)
        let network = try ResidualNetwork(field: try ResidualField(width: 3, activation: .tanh), layers: 3, horizon: 1,
                                          lift: try .padding(from: 2, to: 3), readout: data.readout)
        let m = Double(data.count)
        let regularization = try Regularization(tikhonov: 5 * m, smoothness: 0, readoutTikhonov: 5 * m)
        let point = network.initialParameters(seed: 9, weightScale: 0.5)
        let frozen: Set<Int> = [0, 5, network.readoutOffset]
        let dense = try #require(try MorseIndex.discrete(network: network, data: data, parameters: point, regularization: regularization,
                                                         frozen: frozen))
        #expect(dense.index == 0 && dense.smallestEigenvalue > 0)
        let loss = try ResidualNetworkLoss(network: network, data: data, regularization: try Regularization(tikhonov: 5, readoutTikhonov: 5))
        let lanczos = try #require(MorseIndex.lanczos(parameters: point, frozen: frozen) { u, g in
            let value = loss.evaluate(parameters: u, gradient: &g)
            for i in g.indices { g[i] *= m }
            return m * value
        })
        #expect(abs(lanczos.smallestEigenvalue - dense.smallestEigenvalue) <= 1e-5 * abs(dense.smallestEigenvalue),
                "Lanczos \(lanczos.smallestEigenvalue), dense \(dense.smallestEigenvalue)")
        #expect(lanczos.index == 0)
        for i in frozen { #expect(lanczos.eigenvector[i] == 0) }
        #expect(abs(lanczos.eigenvector.reduce(0) { $0 + $1 * $1 } - 1) < 1e-9)
    }
}
