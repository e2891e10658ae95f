import Foundation
import NumericCore

/// A training run as an ordered list of stages (Notes/training-pipeline.md): each stage starts from
/// the iterate the previous one left, the first from the network's seeded weights, and the run stops
/// early only when a stage says so (a continuum rung that failed after bisection). The trained network
/// is then evaluated once, whatever the stages were (`TrainingPipeline+Report.swift`).
///
/// A Swift user composes a pipeline from the stage types directly:
///
///     let pipeline = TrainingPipeline([
///         try ReducedActionStage(iterations: 2000),
///         try ContinuumAnnealingStage(initialPrecision: 1e6, steps: 0, solver: ContinuumRungSolver(tolerance: 1e-2)),
///     ])
///     let outcome = try pipeline.run(network: network, split: split, regularization: regularization, seed: 1)
///
/// or takes a named one (`TrainingRecipe`).
public struct TrainingPipeline: Sendable {
    public var stages: [any TrainingStage]

    public init(_ stages: [any TrainingStage]) {
        self.stages = stages
    }

    /// Whether a stage works on the continuum problem (then α is the continuum action's own weight).
    public var hasContinuumStage: Bool { stages.contains { $0.isContinuum } }

    /// The context of a run on `data`: α is scaled by M only in purely discrete pipelines.
    public func context(network: ResidualNetwork, data: Dataset, regularization: Regularization, seed: UInt64) throws -> TrainingContext {
        try TrainingContext(network: network, data: data, regularization: regularization, seed: seed,
                            smoothnessScale: hasContinuumStage ? 1 : Double(data.count))
    }

    /// Runs every stage on `split.train` from the seeded weights and evaluates the result on both sets.
    /// `progress(stage index, stage type, event)` reports rungs and epochs. `labels` name the data set
    /// and the recipe in the report. With `checkpoint`, stage i of a resumable type (Langevin) checkpoints
    /// to `stage-<i>-<name>.ckpt` and resumes from it (Notes/checkpoints.md); the other stages rerun,
    /// deterministically, from the resumed stage's result.
    public func run(network: ResidualNetwork, split: DatasetCatalog.Split, regularization: Regularization, seed: UInt64,
                    labels: (dataset: String, method: String) = ("", ""), checkpoint: CheckpointPolicy? = nil,
                    progress: ((_ stage: Int, _ type: String, _ event: StageEvent) -> Void)? = nil) throws -> TrainingOutcome {
        let context = try context(network: network, data: split.train, regularization: regularization, seed: seed)
        return try run(in: context, from: nil, split: split, labels: labels, checkpoint: checkpoint, progress: progress)
    }

    /// Runs every stage in `context` (from `context(network:data:regularization:seed:)`, possibly with
    /// frozen parameters) from `start`, and evaluates the result on `split` (whose training set is the
    /// context's data). `start`: nil for the seeded weights, or the parameters of a ResNet to start from
    /// (for example a known stationary point), which the stages treat as a trained ResNet. `checkpoint` as
    /// in `run(network:split:regularization:seed:labels:checkpoint:progress:)`.
    public func run(in context: TrainingContext, from start: [Double]?, split: DatasetCatalog.Split,
                    labels: (dataset: String, method: String) = ("", ""), checkpoint: CheckpointPolicy? = nil,
                    progress: ((_ stage: Int, _ type: String, _ event: StageEvent) -> Void)? = nil) throws -> TrainingOutcome {
        guard !stages.isEmpty else { throw InvalidArgument("stages", "[]", "must list at least one stage") }
        if let start { try Validate.count(start.count, context.network.parameterCount, "start") }
        try context.validateFrozenParameters()
        for stage in stages { try stage.check(context) }
        var iterate = TrainingIterate(initialParameters: start ?? context.initialParameters())
        if start != nil { iterate.source = .minibatch }
        var records = [StageRecord]()
        let start = Date()
        for (index, stage) in stages.enumerated() {
            let type = stage.type
            var stageProgress: StageProgress?
            if let progress { stageProgress = { progress(index, type, $0) } }
            var stageContext = context
            stageContext.checkpoint = checkpoint?.part("stage-\(index)-")
            let record = try stage.run(&iterate, in: stageContext, progress: stageProgress)
            records.append(record)
            if record.endsPipeline { break }
        }
        return try outcome(iterate, records: records, context: context, split: split, seconds: Date().timeIntervalSince(start),
                           labels: labels)
    }
}

/// What a pipeline returns: the report (summary, per-stage records), the trained ResNet parameters
/// (for a continuum result θ_n = θ(n h) of its weights; the trained network itself is `report.flow`).
public struct TrainingOutcome: Sendable {
    public var report: TrainingReport
    public let parameters: [Double]

    public init(report: TrainingReport, parameters: [Double]) {
        self.report = report
        self.parameters = parameters
    }
}
