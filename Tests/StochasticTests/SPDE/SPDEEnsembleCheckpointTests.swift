import Foundation
import NumericCore
import Stochastic
import Testing

/// A checkpointed SPDE ensemble stopped after k blocks (the test hook) and resumed gives bitwise the
/// statistics of an uninterrupted run; a checkpoint of another seed or configuration is refused.
@Suite struct SPDEEnsembleCheckpointTests {
    static func problem() throws -> SemilinearSPDE {
        try SemilinearSPDE(boundaries: [.periodic], lengths: [6], linearPart: SpectralOperator(diffusion: 0.2, decay: 0),
                           nonlinearity: .allenCahn, noise: SPDENoise(amplitude: 0.3))
    }

    static func ensemble(seed: UInt64 = 9) throws -> SPDEEnsemble {
        try SPDEEnsemble(scheme: .semiImplicit, modes: [16], timeStep: 0.01, steps: 40, paths: 23, seed: seed,
                         functionals: [.integral()], snapshotInterval: 10)
    }

    static func bits(_ r: SPDEEnsembleResult) -> [UInt64] {
        ([r.energy.mean, r.energy.standardError] + r.energy.quantiles + r.modeSecondMoments + r.modeStandardErrors
         + r.functionals.flatMap { [$0.mean, $0.standardError] } + r.snapshots.flatMap { $0 } + r.snapshotTimes).map(\.bitPattern)
            + [UInt64(r.failedPaths)]
    }

    @Test(arguments: [1, 2])
    func interruptedAndResumedIsBitwiseTheUninterruptedRun(stopAfter: Int) throws {
        let problem = try Self.problem(), ensemble = try Self.ensemble()
        let expected = try solve(problem, ensemble)
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("spde-checkpoint-\(UUID().uuidString)")
        var stopping = try CheckpointPolicy(directory: folder, interval: .steps(5), resume: false, configuration: "allen-cahn test")
        stopping.afterWrite = { $0 < stopAfter }
        #expect(throws: CheckpointError.halted(stopAfter)) { _ = try solve(problem, ensemble, checkpoint: stopping) }
        let file = stopping.file(SPDEEnsemble.checkpointName)
        let saved = try Checkpoint(decoding: Data(contentsOf: file), file: file)
        #expect(try saved.integer("paths-done", file: folder) == 5 * stopAfter)
        let resuming = try CheckpointPolicy(directory: folder, interval: .steps(5), resume: true, configuration: "allen-cahn test")
        let resumed = try solve(problem, ensemble, checkpoint: resuming)
        #expect(Self.bits(resumed) == Self.bits(expected))
        // The finished run's checkpoint gives the result again without running a path.
        #expect(Self.bits(try solve(problem, ensemble, checkpoint: resuming)) == Self.bits(expected))
        // Seconds: blocks of 16 paths per worker, one checkpoint per block at interval 0.
        let bySeconds = try CheckpointPolicy(directory: folder.appendingPathComponent("s"), interval: .seconds(0), resume: true)
        #expect(Self.bits(try solve(problem, ensemble, checkpoint: bySeconds)) == Self.bits(expected))
    }

    @Test func anotherSeedOrConfigurationIsRefused() throws {
        let problem = try Self.problem()
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("spde-checkpoint-\(UUID().uuidString)")
        var policy = try CheckpointPolicy(directory: folder, interval: .steps(5), resume: true, configuration: "allen-cahn test")
        policy.afterWrite = { _ in false }
        #expect(throws: CheckpointError.halted(1)) { _ = try solve(problem, try Self.ensemble(), checkpoint: policy) }
        policy.afterWrite = nil
        #expect(throws: CheckpointError.self) { _ = try solve(problem, try Self.ensemble(seed: 10), checkpoint: policy) }
        let other = try CheckpointPolicy(directory: folder, interval: .steps(5), resume: true, configuration: "another problem")
        #expect(throws: CheckpointError.self) { _ = try solve(problem, try Self.ensemble(), checkpoint: other) }
        let longer = try SPDEEnsemble(scheme: .semiImplicit, modes: [16], timeStep: 0.01, steps: 41, paths: 23, seed: 9,
                                      functionals: [.integral()], snapshotInterval: 10)
        #expect(throws: CheckpointError.self) { _ = try solve(problem, longer, checkpoint: policy) }
    }
}
