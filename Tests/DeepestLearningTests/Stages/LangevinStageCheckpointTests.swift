import Foundation
import NumericCore
import Stochastic
import Testing
@testable import DeepestLearning

/// The Langevin stage (and the langevin pipeline) stopped after k checkpoints and resumed gives bitwise
/// the uninterrupted result; a checkpoint of another seed or start is refused.
@Suite struct LangevinStageCheckpointTests {
    /// `modelPrecision`: nil for the reduced action's flow, r_f for the discrete action's (states too).
    static func setting(seed: UInt64 = 5, modelPrecision: Double? = nil) throws -> (TrainingContext, LangevinStage) {
        let (network, data) = try LangevinFlowTests.smallProblem()
        let context = try TrainingContext(network: network, data: data, regularization: try Regularization(tikhonov: 1e-2, readoutTikhonov: 1e-2),
                                          seed: seed, smoothnessScale: Double(data.count))
        let stage = try LangevinStage(steps: 120, timeStep: 0.01, modelPrecision: modelPrecision, temperature: 0.05, schedule: .geometric,
                                      cooling: 0.5, quench: 20)
        return (context, stage)
    }

    static func run(_ stage: LangevinStage, _ context: TrainingContext, policy: CheckpointPolicy?) throws -> ([Double], StageRecord) {
        var context = context
        context.checkpoint = policy
        var iterate = TrainingIterate(initialParameters: context.initialParameters())
        let record = try stage.run(&iterate, in: context, progress: nil)
        return (iterate.parameters, record)
    }

    static func folder() -> URL { FileManager.default.temporaryDirectory.appendingPathComponent("langevin-checkpoint-\(UUID().uuidString)") }

    @Test(arguments: [1, 3], [nil, 2.0])
    func interruptedAndResumedIsBitwiseTheUninterruptedStage(stopAfter: Int, modelPrecision: Double?) throws {
        let (context, stage) = try Self.setting(modelPrecision: modelPrecision)
        let (expected, record) = try Self.run(stage, context, policy: nil)
        let folder = Self.folder()
        var stopping = try CheckpointPolicy(directory: folder, interval: .steps(25), resume: false)
        stopping.afterWrite = { $0 < stopAfter }
        #expect(throws: CheckpointError.halted(stopAfter)) { _ = try Self.run(stage, context, policy: stopping) }
        let resumed = try Self.run(stage, context, policy: try CheckpointPolicy(directory: folder, interval: .steps(25), resume: true))
        #expect(resumed.0.map(\.bitPattern) == expected.map(\.bitPattern))
        #expect(resumed.1.status == record.status)
        let snapshots = try #require(resumed.1.depthSnapshots), original = try #require(record.depthSnapshots)
        #expect(snapshots.times.map(\.bitPattern) == original.times.map(\.bitPattern))
        #expect(snapshots.norms.flatMap { $0 }.map(\.bitPattern) == original.norms.flatMap { $0 }.map(\.bitPattern))
        #expect(resumed.1.rungs.map(\.action.bitPattern) == record.rungs.map(\.action.bitPattern))
    }

    @Test func pipelineResumesItsLangevinStage() throws {
        let (network, data) = try LangevinFlowTests.smallProblem()
        let split = DatasetCatalog.Split(train: data, test: data)
        let pipeline = TrainingPipeline([try LangevinStage(steps: 60, timeStep: 0.01, temperature: 0.05), try DiscreteLBFGSStage(iterations: 50)])
        let regularization = try Regularization(tikhonov: 1e-2, readoutTikhonov: 1e-2)
        let expected = try pipeline.run(network: network, split: split, regularization: regularization, seed: 3)
        let folder = Self.folder()
        var stopping = try CheckpointPolicy(directory: folder, interval: .steps(20), resume: false)
        stopping.afterWrite = { $0 < 2 }
        #expect(throws: CheckpointError.halted(2)) {
            _ = try pipeline.run(network: network, split: split, regularization: regularization, seed: 3, checkpoint: stopping)
        }
        #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent("stage-0-langevin.ckpt").path))
        let resumed = try pipeline.run(network: network, split: split, regularization: regularization, seed: 3,
                                       checkpoint: try CheckpointPolicy(directory: folder, interval: .steps(20), resume: true))
        #expect(resumed.parameters.map(\.bitPattern) == expected.parameters.map(\.bitPattern))
        #expect(resumed.report.trainLoss.bitPattern == expected.report.trainLoss.bitPattern)
    }

    @Test func anotherSeedIsRefused() throws {
        let (context, stage) = try Self.setting()
        let folder = Self.folder()
        var policy = try CheckpointPolicy(directory: folder, interval: .steps(25), resume: true)
        policy.afterWrite = { _ in false }
        #expect(throws: CheckpointError.halted(1)) { _ = try Self.run(stage, context, policy: policy) }
        policy.afterWrite = nil
        let (other, _) = try Self.setting(seed: 6)
        do {
            _ = try Self.run(stage, other, policy: policy)
            Issue.record("a checkpoint of seed 5 was resumed with seed 6")
        } catch let error as CheckpointError {
            #expect(error.description.contains("seed 5, this run has 6"), "\(error)")
        }
    }
}
