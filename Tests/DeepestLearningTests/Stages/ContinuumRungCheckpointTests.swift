import Foundation
import NumericCore
import Testing
@testable import DeepestLearning

/// A rung ladder (Tikhonov continuation, then precision annealing) stopped after k rungs and resumed
/// gives bitwise the uninterrupted run, with the dense collocation and with Chebyshev collocation (whose
/// dense output is its series); a checkpoint of another ladder is refused.
@Suite struct ContinuumRungCheckpointTests {
    static func setting(_ algorithm: ContinuumRungSolver.Algorithm) throws -> (TrainingPipeline, ResidualNetwork, DatasetCatalog.Split, Regularization) {
        var c = try TrainingConfiguration.defaults(dataset: .sine, recipe: "collocation-continuation")
        c.samples = 3; c.width = 2; c.layers = 16; c.horizon = 0.5; c.smoothness = 10
        c.tikhonov = 1; c.readoutTikhonov = 1
        let split = try TrainingExperiment.trainingSplit(c, of: try catalogSplit(.sine))
        let solver = try ContinuumRungSolver(algorithm: algorithm)
        let pipeline = TrainingPipeline([try TikhonovContinuationStage(solver: solver), try ContinuumAnnealingStage(steps: 3, solver: solver)])
        return (pipeline, try c.network(for: split.train), split,
                try Regularization(tikhonov: c.tikhonov, smoothness: c.smoothness, readoutTikhonov: c.readoutTikhonov))
    }

    static func bits(_ outcome: TrainingOutcome) -> [UInt64] {
        (outcome.parameters + outcome.report.rungs.flatMap { [$0.action, $0.gradientNorm, $0.modelPrecision] } + [outcome.report.trainLoss])
            .map(\.bitPattern) + outcome.report.rungs.map { UInt64($0.iterations) }
    }

    @Test(arguments: [(ContinuumRungSolver.Algorithm.collocation, 1), (.collocation, 3), (.chebyshev, 2)])
    func interruptedAndResumedIsBitwiseTheUninterruptedLadder(algorithm: ContinuumRungSolver.Algorithm, stopAfter: Int) throws {
        let (pipeline, network, split, regularization) = try Self.setting(algorithm)
        let expected = try pipeline.run(network: network, split: split, regularization: regularization, seed: 1)
        #expect(expected.report.rungs.count >= 4 && expected.report.status == "success")
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("rungs-checkpoint-\(UUID().uuidString)")
        var stopping = try CheckpointPolicy(directory: folder, interval: .steps(1), resume: false)
        stopping.afterWrite = { $0 < stopAfter }
        #expect(throws: CheckpointError.halted(stopAfter)) {
            _ = try pipeline.run(network: network, split: split, regularization: regularization, seed: 1, checkpoint: stopping)
        }
        let resumed = try pipeline.run(network: network, split: split, regularization: regularization, seed: 1,
                                       checkpoint: try CheckpointPolicy(directory: folder, interval: .steps(1), resume: true))
        #expect(Self.bits(resumed) == Self.bits(expected))
        #expect(resumed.report.rungs.map(\.status) == expected.report.rungs.map(\.status))
    }

    @Test func anotherLadderIsRefused() throws {
        let (pipeline, network, split, regularization) = try Self.setting(.collocation)
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("rungs-checkpoint-\(UUID().uuidString)")
        var policy = try CheckpointPolicy(directory: folder, interval: .steps(1), resume: true)
        policy.afterWrite = { _ in false }
        #expect(throws: CheckpointError.halted(1)) {
            _ = try pipeline.run(network: network, split: split, regularization: regularization, seed: 1, checkpoint: policy)
        }
        policy.afterWrite = nil
        let other = try Regularization(tikhonov: 0.5, smoothness: 10, readoutTikhonov: 1)
        #expect(throws: CheckpointError.self) {
            _ = try pipeline.run(network: network, split: split, regularization: other, seed: 1, checkpoint: policy)
        }
    }
}
