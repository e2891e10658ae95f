import Foundation
import NumericCore
import Stochastic

/// Annealed Langevin dynamics of the reduced training action (`LangevinFlow`, an SPDE in depth ×
/// optimisation time on the `Stochastic` engine), or with `langevin-rf` of the discrete action A_h at that model
/// precision (`DiscreteLangevinFlow`: the states are unknowns too): `steps` semi-implicit steps of Δτ = `time-step` with
/// the temperature `schedule`, the last `quench` steps noiseless (the gradient flow). The noise lets the
/// weights leave saddles that deterministic solvers converge to (MATH.md §6.3); a following `lbfgs` and
/// `constrained` stage polishes the end point ("anneal, then polish": the `langevin` recipe).
/// Notes/langevin-flow.md.
///
/// Options: `langevin-steps`, `time-step` (default 0.1/M: the data term's explicit stiffness grows like M;
/// with `langevin-rf`, 0.1/(M·max(1, r_f)) capped at 0.1·h/r_f and 0.1·h/|C|²), `langevin-rf` (the discrete
/// action's r_f, absent: the reduced action; a key of its own, so that the pipeline-wide `rf` of the
/// continuum and discrete-annealing stages does not switch a Langevin stage to the other action),
/// `temperature` (T₀), `schedule` (constant, geometric, logarithmic), `cooling` (geometric factor),
/// `stage-length` (τ per geometric stage), `quench` (noiseless final steps), `seed-index` (the stream
/// index: the reduced flow's noise is `XoshiroRandomStream(seed: run seed, index: seed-index)`; the
/// discrete flow draws its state increments in parallel from per-block streams of a seed made of both,
/// `DiscreteLangevinStepper.step(noiseSeed:)`).
/// Status "langevin-completed", or "langevin-nonFinite" with the last finite state. The rung's
/// `gradientNorm` is max|P∇V| (max|P∇A_h| over states and parameters for the discrete action), the
/// preconditioned drift (the weights' entries scaled by 1/h). After a
/// discrete flow the iterate carries its states, so a following discrete stage starts from them.
/// Cost: one full-batch gradient per step (of V, or of A_h with the states). With `TrainingContext.checkpoint`
/// the stage checkpoints and resumes bitwise (LangevinStage+Checkpoint.swift, Notes/checkpoints.md).
public struct LangevinStage: TrainingStage {
    public static let typeName = "langevin"
    public static let keys = ["langevin-steps", "time-step", "langevin-rf", "temperature", "schedule", "cooling", "stage-length", "quench", "seed-index"]
    public var type: String { Self.typeName }
    public var isContinuum: Bool { false }

    public let steps: Int
    /// Δτ, or nil for 0.1/M.
    public let timeStep: Double?
    public let temperature: Double
    public let schedule: TemperatureSchedule.Kind
    public let cooling: Double
    public let stageLength: Double
    public let quench: Int
    public let seedIndex: UInt64
    /// r_f of the discrete action's flow, or nil for the reduced action (r_f = ∞).
    public let modelPrecision: Double?

    public init(steps: Int = 2000, timeStep: Double? = nil, modelPrecision: Double? = nil, temperature: Double = 1e-3, schedule: TemperatureSchedule.Kind = .geometric,
                cooling: Double = 0.5, stageLength: Double? = nil, quench: Int? = nil, seedIndex: UInt64 = 7) throws {
        try Validate.positive(steps, "steps")
        if let timeStep { try Validate.positive(timeStep, "time-step") }
        if let modelPrecision { try Validate.positive(modelPrecision, "langevin-rf") }
        // Validated by building a schedule with the stage's values.
        _ = try TemperatureSchedule(schedule, initial: temperature, factor: cooling, stageLength: stageLength ?? 1)
        let quenchSteps = quench ?? steps / 10
        guard quenchSteps >= 0, quenchSteps <= steps else { throw InvalidArgument("quench", quenchSteps, "must be in 0...steps = \(steps)") }
        self.steps = steps
        self.timeStep = timeStep
        self.modelPrecision = modelPrecision
        self.temperature = temperature
        self.schedule = schedule
        self.cooling = cooling
        self.stageLength = stageLength ?? .nan
        self.quench = quenchSteps
        self.seedIndex = seedIndex
    }

    public init(_ options: StageOptionReader) throws {
        let steps = try options.int("langevin-steps", default: 2000, in: 1...100_000_000)
        try self.init(steps: steps,
                      timeStep: options.value("time-step") == nil ? nil : try options.positiveDouble("time-step", default: 1),
                      modelPrecision: options.value("langevin-rf") == nil ? nil : try options.positiveDouble("langevin-rf", default: 1),
                      temperature: try options.double("temperature", default: 1e-3),
                      schedule: try options.choice("schedule", default: TemperatureSchedule.Kind.geometric),
                      cooling: try options.double("cooling", default: 0.5),
                      stageLength: options.value("stage-length") == nil ? nil : try options.positiveDouble("stage-length", default: 1),
                      quench: try options.int("quench", default: steps / 10, in: 0...steps),
                      seedIndex: UInt64(try options.int("seed-index", default: 7, in: 0...Int.max)))
    }

    public func workEstimate(layers: Int) -> StageWorkEstimate { StageWorkEstimate(gradientEvaluations: steps) }

    /// The schedule of a run with step Δτ: geometric stages default to a tenth of the noisy time each.
    public func temperatureSchedule(timeStep dt: Double) throws -> TemperatureSchedule {
        let noisyTime = Double(steps - quench) * dt
        return try TemperatureSchedule(schedule, initial: temperature, factor: cooling,
                                       stageLength: stageLength.isNaN ? max(noisyTime / 10, dt) : stageLength, quenchTime: noisyTime)
    }

    /// Δτ: the option, else 0.1/M for the reduced action, 0.1/(M·max(1, r_f)) capped at 0.1·h/r_f and
    /// 0.1·h/|C|² for the discrete one (the explicit data and cross terms' stiffness, DiscreteLangevinFlow).
    /// `readoutNormSquared` |C|²_F of the starting readout bounds the discrete action's explicit data term on
    /// x_N, whose rate is about |C|²/h.
    public func defaultTimeStep(samples: Int, stepSize h: Double, readoutNormSquared: Double = 0) -> Double {
        if let timeStep { return timeStep }
        let m = Double(samples)
        guard let rf = modelPrecision else { return 0.1 / m }
        return min(0.1 / (m * max(1, rf)), 0.1 * h / rf, 0.1 * h / max(readoutNormSquared, 1e-12))
    }

    public func run(_ iterate: inout TrainingIterate, in context: TrainingContext, progress: StageProgress?) throws -> StageRecord {
        let start = Date()
        let network = context.network
        // |C|²: the readout's weights (its last `outputs` parameters are the biases c).
        let readout = iterate.parameters[network.readoutOffset..<(network.parameterCount - network.readout.outputs)]
        let dt = defaultTimeStep(samples: context.samples, stepSize: network.stepSize,
                                 readoutNormSquared: readout.reduce(0) { $0 + $1 * $1 })
        let path: LangevinPath = try modelPrecision.map { rf in
            try DiscreteLangevinPath(stage: self, context: context, iterate: iterate, modelPrecision: rf, timeStep: dt)
        } ?? ReducedLangevinPath(stage: self, context: context, parameters: iterate.parameters, timeStep: dt)
        var stream = XoshiroRandomStream(seed: context.seed, index: seedIndex)
        let noisy = temperature > 0
        var completed = 0
        var finite = true
        // |θ_n| per layer at about 100 times, for the (τ, t) heat map.
        let q = network.layerParameterCount, every = max(1, steps / 100)
        var times: [Double] = [], norms: [[Double]] = []
        func snapshot() {
            let p = path.parameters
            times.append(path.time)
            norms.append((0..<network.layers).map { n in
                var sum = 0.0
                for i in 0..<q { sum += p[n * q + i] * p[n * q + i] }
                return sum.squareRoot()
            })
        }
        // With a checkpoint policy: continue from the saved run, and save it every interval (LangevinStage+Checkpoint).
        var schedule: CheckpointSchedule?
        var fingerprint: CheckpointFingerprint?
        if let policy = context.checkpoint {
            let stamp = try checkpointFingerprint(path: path, start: iterate.parameters, timeStep: dt, context: context, policy: policy)
            if let saved = try policy.restore(Self.checkpointName, kind: Self.checkpointKind, fingerprint: stamp) {
                let run = try SavedRun(saved, file: policy.file(Self.checkpointName), unknownCount: path.savedUnknowns.count,
                                       layers: network.layers)
                try path.restore(unknowns: run.unknowns, stepCount: run.completed)
                stream = try XoshiroRandomStream(seed: context.seed, index: seedIndex, stateWords: run.stream)
                (completed, times, norms) = (run.completed, run.times, run.norms)
            }
            schedule = CheckpointSchedule(policy, name: Self.checkpointName, progress: completed)
            fingerprint = stamp
        }
        if times.isEmpty { snapshot() }
        while completed < steps {
            guard path.step(noisy: noisy, stream: &stream) else { finite = false; break }
            completed += 1
            if completed % every == 0 || completed == steps { snapshot() }
            if let schedule, let fingerprint, completed == steps || schedule.isDue(at: completed) {
                try schedule.write(at: completed) {
                    SavedRun(completed: completed, unknowns: path.savedUnknowns, stream: stream.stateWords, times: times, norms: norms)
                        .checkpoint(fingerprint)
                }
            }
            if completed % 200 == 0, let progress {
                progress(.epoch(completed, loss: try path.actionAndDriftNorm().action / Double(context.samples)))
            }
        }
        let (action, gradientNorm, parts) = try path.actionAndDriftNorm()
        let rung = AnnealingRung(beta: 0, modelPrecision: modelPrecision ?? .infinity, action: action, parts: parts,
                                 gradientNorm: gradientNorm, iterations: completed, evaluations: completed,
                                 status: finite ? "langevin-completed" : "langevin-nonFinite")
        progress?(.rung(rung))
        path.finish(&iterate)
        var record = StageRecord(type: type, rungs: [rung], seconds: Date().timeIntervalSince(start), evaluations: completed, status: rung.status)
        let h = network.stepSize
        record.depthSnapshots = DepthSnapshots(times: times, depth: (0..<network.layers).map { (Double($0) + 0.5) * h }, norms: norms)
        return record
    }
}
