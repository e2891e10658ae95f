import DeepestLearning
import Foundation
import Testing

/// The code of Sources/DeepestLearning/DeepestLearning.docc/GettingStarted.md on y = sin(πx)/2, x in
/// [−1, 1]. Checks against mathematics: the constrained rung ends at a stationary point of J
/// (M·max|∇J| ≤ 1e-8 max(1, M·J)), the recipe is its two stages bit for bit, and every trained network
/// predicts the held-out set better than the best constant, whose RMSE is the standard deviation of y,
/// √(1/8). Plain `import` (no @testable), so the article uses only public API.
@Suite struct GettingStartedExampleTests {
    @Test func trainByARecipeAndByStages() throws {
        // y = sin(πx)/2 on [−1, 1]: 41 evenly spaced training points, the 20 midpoints held out.
        func wave(_ x: [Double]) throws -> Dataset {
            try Dataset(inputs: x, inputDimension: 1, targets: .values(x.map { sin(Double.pi * $0) / 2 }, dimension: 1))
        }
        let split = DatasetCatalog.Split(
            train: try wave((0...40).map { -1 + Double($0) / 20 }),
            test: try wave((0..<20).map { -1 + (Double($0) + 0.5) / 10 }))
        let constantPredictorRMSE = (1.0 / 8).squareRoot()

        var configuration = try TrainingConfiguration.defaults(dataset: nil, dataName: "wave", recipe: "symplectic-euler")
        configuration.layers = 5
        let outcome = try TrainingExperiment.run(configuration, split: split)
        let report = outcome.report
        #expect(report.status == "constrained-converged", "\(report.status)")
        let rmse = try #require(report.testRMSE)
        #expect(rmse < constantPredictorRMSE / 2, "test RMSE \(rmse)")

        let network = try configuration.network(for: split.train)
        let regularization = try Regularization(tikhonov: configuration.tikhonov, smoothness: configuration.smoothness,
                                                readoutTikhonov: configuration.readoutTikhonov)
        let loss = try ResidualNetworkLoss(network: network, data: split.train, regularization: regularization)
        var gradient = [Double]()
        let j = loss.evaluate(parameters: outcome.parameters, gradient: &gradient)
        let m = Double(split.train.count)
        #expect(abs(j - report.trainLoss) <= 1e-12 * max(1, j), "J \(j), report \(report.trainLoss)")
        #expect(m * gradient.map(abs).max()! <= 1e-8 * max(1, m * j), "max|∇J| \(gradient.map(abs).max()!)")
        #expect(j < loss.value(parameters: network.initialParameters(seed: configuration.seed)))

        let pipeline = TrainingPipeline([
            try DiscreteLBFGSStage(iterations: 20_000, gradientTolerance: 1e-8),
            try ConstrainedStage(iterations: 500),
        ])
        let same = try pipeline.run(network: network, split: split, regularization: regularization,
                                    seed: configuration.seed)
        #expect(same.parameters == outcome.parameters)

        let adam = try TrainingPipeline([MinibatchStage(optimizer: .adam, epochs: 300, batch: 8, learningRate: 0.01)])
            .run(network: network, split: split, regularization: regularization, seed: 1)
        #expect(adam.report.lossPerEpoch.count == 300)
        #expect(adam.report.lossPerEpoch.last! < adam.report.lossPerEpoch.first!)
        #expect(try #require(adam.report.testRMSE) < constantPredictorRMSE)

        let continuum = try TrainingPipeline([
            ReducedActionStage(iterations: 500),
            ContinuumAnnealingStage(initialPrecision: 1e6, steps: 0, solver: ContinuumRungSolver()),
        ]).run(network: network, split: split,
               regularization: try Regularization(tikhonov: 1e-4, smoothness: 1, readoutTikhonov: 1e-4), seed: 1)
        #expect(continuum.report.stages.map(\.type) == ["reduced-action", "continuum-annealing"])
        #expect(continuum.report.flow != nil)
        #expect(try #require(continuum.report.testRMSE) < constantPredictorRMSE, "\(continuum.report.status)")
    }
}
