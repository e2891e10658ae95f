import Foundation
import NumericCore
import Stochastic

/// Annealed Langevin dynamics of the reduced training action (`LangevinFlow`, an SPDE in depth ×
/// optimisation time on the `Stochastic` engine): `steps` semi-implicit steps of Δτ = `time-step` with
/// the temperature `schedule`, the last `quench` steps noiseless (the gradient flow). The noise lets the
/// weights leave saddles that deterministic solvers converge to (MATH.md §6.3); a following `lbfgs` and
/// `constrained` stage polishes the end point ("anneal, then polish": the `langevin` recipe).
/// Notes/langevin-flow.md.
///
/// Options: `langevin-steps`, `time-step` (default 0.1/M: the data term's explicit stiffness grows like M),
/// `temperature` (T₀), `schedule` (constant, geometric, logarithmic), `cooling` (geometric factor),
/// `stage-length` (τ per geometric stage), `quench` (noiseless final steps), `seed-index` (the stream
/// index: the noise is `XoshiroRandomStream(seed: run seed, index: seed-index)`).
/// Status "langevin-completed", or "langevin-nonFinite" with the last finite state. The rung's
/// `gradientNorm` is max|P∇V|, the preconditioned drift (the weights' entries scaled by 1/h).
/// Cost: one full-batch gradient per step. With `TrainingContext.checkpoint` the stage checkpoints and
/// resumes bitwise (LangevinStage+Checkpoint.swift, Notes/checkpoints.md).
public struct LangevinStage: TrainingStage {
    public static let typeName = "langevin"
    public static let keys = ["langevin-steps", "time-step", "temperature", "schedule", "cooling", "stage-length", "quench", "seed-index"]
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

    public init(steps: Int = 2000, timeStep: Double? = nil, temperature: Double = 1e-3, schedule: TemperatureSchedule.Kind = .geometric,
                cooling: Double = 0.5, stageLength: Double? = nil, quench: Int? = nil, seedIndex: UInt64 = 7) throws {
        try Validate.positive(steps, "steps")
        if let timeStep { try Validate.positive(timeStep, "time-step") }
        // Validated by building a schedule with the stage's values.
        _ = try TemperatureSchedule(schedule, initial: temperature, factor: cooling, stageLength: stageLength ?? 1)
        let quenchSteps = quench ?? steps / 10
        guard quenchSteps >= 0, quenchSteps <= steps else { throw InvalidArgument("quench", quenchSteps, "must be in 0...steps = \(steps)") }
        self.steps = steps
        self.timeStep = timeStep
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

    public func run(_ iterate: inout TrainingIterate, in context: TrainingContext, progress: StageProgress?) throws -> StageRecord {
        let start = Date()
        let m = Double(context.samples)
        let dt = timeStep ?? 0.1 / m
        let readoutOffset = context.network.readoutOffset
        guard context.frozenParameters.allSatisfy({ $0 >= readoutOffset }) else {
            throw InvalidArgument("frozenParameters", context.frozenParameters.min() ?? 0, "the langevin stage freezes readout parameters only")
        }
        let flow = try LangevinFlow(network: context.network, data: context.data, regularization: try context.actionRegularization(),
                                    schedule: try temperatureSchedule(timeStep: dt),
                                    frozenReadout: Set(context.frozenParameters.map { $0 - readoutOffset }))
        let stepper = try SPDEStepper(try flow.equation(start: iterate.parameters), modes: [context.network.layers],
                                      scheme: .semiImplicit, timeStep: dt)
        var stream = XoshiroRandomStream(seed: context.seed, index: seedIndex)
        var increments = [Double](repeating: 0, count: stepper.noiseCount)
        let root = dt.squareRoot(), noisy = temperature > 0
        var completed = 0
        var finite = true
        // |θ_n| per layer at about 100 times, for the (τ, t) heat map.
        let network = context.network, q = network.layerParameterCount, every = max(1, steps / 100)
        var times: [Double] = [], norms: [[Double]] = []
        func snapshot() {
            let p = flow.parameters(of: stepper)
            times.append(stepper.time)
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
            let stamp = try checkpointFingerprint(flow: flow, start: iterate.parameters, timeStep: dt, context: context, policy: policy)
            if let saved = try policy.restore(Self.checkpointName, kind: Self.checkpointKind, fingerprint: stamp) {
                let run = try SavedRun(saved, file: policy.file(Self.checkpointName), unknownCount: stepper.noiseCount, layers: network.layers)
                try stepper.restore(unknowns: run.unknowns, stepCount: run.completed)
                stream = try XoshiroRandomStream(seed: context.seed, index: seedIndex, stateWords: run.stream)
                (completed, times, norms) = (run.completed, run.times, run.norms)
            }
            schedule = CheckpointSchedule(policy, name: Self.checkpointName, progress: completed)
            fingerprint = stamp
        }
        if times.isEmpty { snapshot() }
        while completed < steps {
            let ok = increments.withUnsafeMutableBufferPointer { buffer -> Bool in
                if noisy { stream.fillGaussian(buffer, standardDeviation: root) }
                return stepper.step(increments: noisy ? UnsafePointer(buffer.baseAddress!) : nil)
            }
            guard ok else { finite = false; break }
            completed += 1
            if completed % every == 0 || completed == steps { snapshot() }
            if let schedule, let fingerprint, completed == steps || schedule.isDue(at: completed) {
                try schedule.write(at: completed) {
                    SavedRun(completed: completed, unknowns: stepper.savedUnknowns, stream: stream.stateWords, times: times, norms: norms)
                        .checkpoint(fingerprint)
                }
            }
            if completed % 200 == 0, let progress {
                let (action, _) = try flow.actionAndDrift(flow.parameters(of: stepper))
                progress(.epoch(completed, loss: action / m))
            }
        }
        let parameters = flow.parameters(of: stepper)
        let (action, drift) = try flow.actionAndDrift(parameters)
        let gradientNorm = drift.reduce(0) { max($0, abs($1)) }
        let parts = ActionParts(dataMisfit: .nan, modelError: 0, smoothness: .nan, tikhonov: .nan)
        let rung = AnnealingRung(beta: 0, modelPrecision: .infinity, action: action, parts: parts, gradientNorm: gradientNorm,
                                 iterations: completed, evaluations: completed, status: finite ? "langevin-completed" : "langevin-nonFinite")
        progress?(.rung(rung))
        iterate.parameters = parameters
        iterate.discrete = nil
        iterate.source = .minibatch
        var record = StageRecord(type: type, rungs: [rung], seconds: Date().timeIntervalSince(start), evaluations: completed, status: rung.status)
        let h = network.stepSize
        record.depthSnapshots = DepthSnapshots(times: times, depth: (0..<network.layers).map { (Double($0) + 0.5) * h }, norms: norms)
        return record
    }
}
