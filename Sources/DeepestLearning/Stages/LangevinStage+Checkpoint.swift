import Foundation
import NumericCore
import Stochastic

/// Checkpoints of the Langevin stage (Notes/checkpoints.md): the path's unknowns (the reduced flow's
/// coefficients, or the discrete flow's states and parameters) and step count, the
/// noise stream's four state words, and the recorded weight norms, in `stage-<i>-langevin.ckpt` of the
/// pipeline's `CheckpointPolicy` (`TrainingContext.checkpoint`). A stage resumed from one takes bitwise
/// the steps the uninterrupted stage would have taken: the step reads nothing else, and the stream
/// continues from its saved position. The fingerprint covers the stage's options, the seed, the lifted
/// inputs and targets, the action's r_f, and the action and drift at the start point (one full-batch
/// gradient: it pins the network, its activation, the data, the regularisation and the start weights).
extension LangevinStage {
    static let checkpointName = "langevin"
    static let checkpointKind = "langevin-stage"

    /// The fingerprint of this stage run from `start` in `context` (`path` not yet stepped). Cost: one
    /// full-batch gradient.
    func checkpointFingerprint(path: LangevinPath, start: [Double], timeStep dt: Double, context: TrainingContext,
                               policy: CheckpointPolicy) throws -> CheckpointFingerprint {
        var hash = StableHash()
        hash.combine("langevin-stage steps=\(steps) quench=\(quench) schedule=\(schedule) seed-index=\(seedIndex)"
                     + " langevin-rf=\(modelPrecision.map { "\($0)" } ?? "none")")
        hash.combine([dt, temperature, cooling, stageLength])
        hash.combine("layers=\(context.network.layers) width=\(context.network.width) parameters=\(context.network.parameterCount)")
        hash.combine(context.liftedInputs)
        hash.combine(context.targets)
        hash.combine(start)
        hash.combine(try path.signature())
        hash.combine("frozen=\(context.frozenParameters.sorted())")
        return CheckpointFingerprint(configuration: hash.hex + "; " + policy.configuration, seed: context.seed)
    }

    /// Where a restored stage continues from.
    struct SavedRun {
        var completed: Int
        var unknowns: [Double]
        var stream: [UInt64]
        var times: [Double]
        var norms: [[Double]]

        init(completed: Int, unknowns: [Double], stream: [UInt64], times: [Double], norms: [[Double]]) {
            self.completed = completed
            self.unknowns = unknowns
            self.stream = stream
            self.times = times
            self.norms = norms
        }

        init(_ checkpoint: Checkpoint, file: URL, unknownCount: Int, layers: Int) throws {
            completed = try checkpoint.integer("completed", file: file)
            unknowns = try checkpoint.reals("unknowns", count: unknownCount, file: file)
            stream = try checkpoint.words("stream", count: 4, file: file)
            times = try checkpoint.reals("times", file: file)
            let flat = try checkpoint.reals("norms", count: times.count * layers, file: file)
            norms = (0..<times.count).map { Array(flat[($0 * layers)..<(($0 + 1) * layers)]) }
        }

        func checkpoint(_ fingerprint: CheckpointFingerprint) -> Checkpoint {
            Checkpoint(kind: LangevinStage.checkpointKind, fingerprint: fingerprint,
                       words: ["completed": [UInt64(completed)], "stream": stream],
                       reals: ["unknowns": unknowns, "times": times, "norms": norms.flatMap { $0 }])
        }
    }
}
