import BoundaryValue
import Foundation
import NumericCore

/// Checkpoints of a continuum rung ladder (`climb`: the `continuum-annealing`, `tikhonov-continuation`
/// and `horizon-continuation` stages; Notes/checkpoints.md): after a target rung, the number of target
/// rungs done, their records, the field evaluations so far, and the accepted solution with its
/// continuation point, in `stage-<i>-rungs.ckpt`. A resumed ladder rebuilds the rung's problem from the
/// point and warm-starts the next rung from the restored solution (every stored field, so the guess and
/// the dense output are bitwise the original's): the later rungs are bitwise those of an uninterrupted
/// run. A rung interrupted mid-solve (or mid-bisection) is solved again from the last checkpoint. The
/// fingerprint covers the ladder's points, the solver's settings, the data, and the iterate the stage
/// started from (its parameters and its discrete, reduced or continuum state).
extension ContinuumRungSolver {
    static let checkpointName = "rungs"
    static let checkpointKind = "continuum-rungs"

    func checkpointFingerprint(_ points: [ContinuationPoint], betas: [Int], type: String, iterate: TrainingIterate,
                               context: TrainingContext, policy: CheckpointPolicy) -> CheckpointFingerprint {
        var hash = StableHash()
        hash.combine("continuum-rungs type=\(type) algorithm=\(algorithm) form=\(form) readout=\(readout) newton=\(newtonIterations) "
                     + "dense=\(denseLimit) betas=\(betas) source=\(iterate.source.rawValue)")
        hash.combine(points.flatMap { [$0.horizon, $0.tikhonov, $0.readoutTikhonov, $0.precision] } + [tolerance])
        let net = context.network, r = context.regularization
        hash.combine("layers=\(net.layers) width=\(net.width) parameters=\(net.parameterCount) frozen=\(context.frozenParameters.sorted())")
        hash.combine([net.horizon, r.tikhonov, r.smoothness, r.readoutTikhonov, context.smoothnessScale])
        hash.combine(context.liftedInputs)
        hash.combine(context.targets)
        hash.combine(iterate.parameters)
        if let discrete = iterate.discrete { hash.combine(discrete.unknowns + [discrete.precision]) }
        if let reduced = iterate.reduced { hash.combine(reduced.parameters) }
        if let continuum = iterate.continuum { hash.combine(continuum.solution.values + continuum.solution.mesh) }
        return CheckpointFingerprint(configuration: hash.hex + "; " + policy.configuration, seed: context.seed)
    }

    /// A ladder's progress: `next` target rungs done, their records, the evaluations, the accepted solve.
    struct SavedClimb {
        var next: Int
        var evaluations: Int
        var rungs: [AnnealingRung]
        var solution: BoundaryValueSolution?
        var point: ContinuationPoint?

        init(next: Int, evaluations: Int, rungs: [AnnealingRung], solution: BoundaryValueSolution?, point: ContinuationPoint?) {
            self.next = next
            self.evaluations = evaluations
            self.rungs = rungs
            self.solution = solution
            self.point = point
        }

        init(_ checkpoint: Checkpoint, file: URL) throws {
            next = try checkpoint.integer("next", file: file)
            evaluations = try checkpoint.integer("evaluations", file: file)
            let counts = try checkpoint.words("rungs.counts", file: file)
            let reals = try checkpoint.reals("rungs.reals", count: counts.count / 3 * 9, file: file)
            let statuses = (checkpoint.texts["rungs.statuses"] ?? "").split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            let count = counts.count / 3
            guard counts.count % 3 == 0, count == 0 || statuses.count == count else { throw CheckpointError.corrupt(file, "section rungs") }
            rungs = (0..<count).map { i in
                let x = Array(reals[(9 * i)..<(9 * i + 9)])
                var rung = AnnealingRung(beta: Int(Int64(bitPattern: counts[3 * i])), modelPrecision: x[0], action: x[1],
                                         parts: ActionParts(dataMisfit: x[2], modelError: x[3], smoothness: x[4], tikhonov: x[5]),
                                         gradientNorm: x[6], iterations: Int(Int64(bitPattern: counts[3 * i + 1])), evaluations: Int(Int64(bitPattern: counts[3 * i + 2])),
                                         status: statuses[i])
                rung.horizon = x[8] == 0 ? nil : x[7]
                return rung
            }
            if checkpoint.words["solution.dimension"] != nil {
                solution = try BoundaryValueSolution(checkpoint: checkpoint, prefix: "solution", file: file)
                let p = try checkpoint.reals("point", count: 4, file: file)
                point = ContinuationPoint(horizon: p[0], tikhonov: p[1], readoutTikhonov: p[2], precision: p[3])
            }
        }

        func checkpoint(_ fingerprint: CheckpointFingerprint) -> Checkpoint {
            var words: [String: [UInt64]] = ["next": [UInt64(next)], "evaluations": [UInt64(evaluations)],
                                              "rungs.counts": rungs.flatMap { [$0.beta, $0.iterations, $0.evaluations].map { UInt64(bitPattern: Int64($0)) } }]
            var reals: [String: [Double]] = ["rungs.reals": rungs.flatMap {
                [$0.modelPrecision, $0.action, $0.parts.dataMisfit, $0.parts.modelError, $0.parts.smoothness, $0.parts.tikhonov,
                 $0.gradientNorm, $0.horizon ?? 0, $0.horizon == nil ? 0 : 1]
            }]
            var texts = ["rungs.statuses": rungs.map(\.status).joined(separator: "\n")]
            if let solution, let point {
                let sections = solution.checkpointSections("solution")
                words.merge(sections.words) { $1 }
                reals.merge(sections.reals) { $1 }
                texts.merge(sections.texts) { $1 }
                reals["point"] = [point.horizon, point.tikhonov, point.readoutTikhonov, point.precision]
            }
            return Checkpoint(kind: ContinuumRungSolver.checkpointKind, fingerprint: fingerprint, words: words, reals: reals, texts: texts)
        }
    }
}
