import Testing
import DeepestLearning

/// A stage type defined outside the package (plain `import DeepestLearning`, no `@testable`) runs in a
/// pipeline with no change to the driver: it sees the previous stage's weights and its record is the
/// pipeline's last.
@Suite struct CustomStageTests {
    struct ReadoutScaling: TrainingStage {
        var type: String { "readout-scaling" }
        var isContinuum: Bool { false }
        func run(_ iterate: inout TrainingIterate, in context: TrainingContext, progress: StageProgress?) throws -> StageRecord {
            for i in context.network.readoutOffset..<iterate.parameters.count { iterate.parameters[i] *= 2 }
            iterate.source = .minibatch
            return StageRecord(type: type, evaluations: 0, status: "scaled")
        }
    }

    @Test func aNewStageTypeNeedsNoDriverChange() throws {
        var c = try TrainingConfiguration.defaults(dataset: .sine, recipe: "sgd")
        c.samples = 30; c.layers = 5
        let split = try TrainingExperiment.trainingSplit(c, of: try DatasetCatalog.sine.load(from: dataDirectory))
        let network = try c.network(for: split.train)
        let regularization = try Regularization(tikhonov: c.tikhonov, readoutTikhonov: c.readoutTikhonov)
        let sgd = try MinibatchStage(optimizer: .sgd, epochs: 3, batch: 10, learningRate: 0.05)
        let trained = try TrainingPipeline([sgd]).run(network: network, split: split, regularization: regularization, seed: 1)
        let scaled = try TrainingPipeline([sgd, ReadoutScaling()]).run(network: network, split: split, regularization: regularization, seed: 1)
        var expected = trained.parameters
        for i in network.readoutOffset..<expected.count { expected[i] *= 2 }
        #expect(scaled.parameters == expected && scaled.report.status == "scaled")
        #expect(scaled.report.stages.map(\.type) == ["sgd", "readout-scaling"] && scaled.report.epochs == 3)
    }
}
