/// One step of a training pipeline (Notes/training-pipeline.md): it starts from the iterate the
/// previous stage left (the initial seeded weights for the first stage), advances it, and returns a
/// record of what it did. A new training method is a new stage type; the driver (`TrainingPipeline`)
/// never changes for it.
///
/// Stage types of the package: `DiscreteAnnealingStage` (penalty rungs of the discrete action,
/// symplectic Euler), `ConstrainedStage` (the exactly constrained rung r_f = ∞), `ReducedActionStage`
/// (L-BFGS on the reduced continuum action), `TikhonovContinuationStage`, `HorizonContinuationStage`
/// and `ContinuumAnnealingStage` (continuum rungs solved by a named BVP algorithm in a named form), and
/// `MinibatchStage` (SGD, Adam).
public protocol TrainingStage: Sendable {
    /// The stage's type name: the `type` key of a YAML `stages:` entry and the `stage` column of stages.csv.
    var type: String { get }
    /// Whether the stage works on the continuum problem (reduced action or continuum BVP). In a pipeline
    /// with such a stage, α is the continuum action's own weight; otherwise it is a per-sample weight
    /// scaled by M like λ and μ (`TrainingContext.actionRegularization`).
    var isContinuum: Bool { get }
    /// Advances `iterate` in `context`. Throws only for invalid input (sizes a dense method refuses, a
    /// continuum stage with α = 0); numerical failure is the record's status.
    func run(_ iterate: inout TrainingIterate, in context: TrainingContext, progress: StageProgress?) throws -> StageRecord
    /// Checks, before any stage runs, what can be checked from the context alone (sizes a dense method
    /// refuses, α > 0 for the continuum stages), so that a pipeline fails before its first stage's work.
    func check(_ context: TrainingContext) throws
    /// An upper estimate of the stage's work from its options alone, for a network of `layers` layers:
    /// full-batch gradient evaluations (nil when it overflows), and the factor by which it refines the
    /// depth grid (states held per sample), so that a run can be refused before it allocates.
    func workEstimate(layers: Int) -> StageWorkEstimate
}

/// See `TrainingStage.workEstimate(layers:)`.
public struct StageWorkEstimate: Sendable {
    public var gradientEvaluations: Int?
    public var depthFactor: Int

    public init(gradientEvaluations: Int?, depthFactor: Int = 1) {
        self.gradientEvaluations = gradientEvaluations
        self.depthFactor = depthFactor
    }
}

extension TrainingStage {
    public func check(_ context: TrainingContext) throws {}
    /// A stage that does not estimate itself counts as 100 gradient evaluations.
    public func workEstimate(layers: Int) -> StageWorkEstimate { StageWorkEstimate(gradientEvaluations: 100) }
}

/// Overflow-checked product of non-negative counts (nil on overflow).
func checkedProduct(_ factors: Int...) -> Int? {
    var result = 1
    for factor in factors {
        let (product, overflow) = result.multipliedReportingOverflow(by: factor)
        if overflow { return nil }
        result = product
    }
    return result
}

/// Progress of a running stage: the stage's rung or epoch record so far.
public typealias StageProgress = (_ event: StageEvent) -> Void

/// What a stage reports while it runs.
public enum StageEvent: Sendable {
    /// A rung (or a provisional rung of a long solve) finished.
    case rung(AnnealingRung)
    /// An epoch of a minibatch stage finished, with its mean loss.
    case epoch(Int, loss: Double)
}

/// What one stage did: its rungs (one per solve it recorded), the minibatch loss per epoch, its
/// time, its total evaluations (every attempt, also bisection midpoints not recorded as rungs) and
/// its status (the last rung's, or the minibatch trainer's).
public struct StageRecord: Sendable {
    public let type: String
    public var rungs: [AnnealingRung]
    public var lossPerEpoch: [Double]
    public var seconds: Double
    public var evaluations: Int
    public var status: String
    /// The stage failed in a way that ends the pipeline (a continuum rung that failed after bisection).
    public var endsPipeline: Bool
    /// A stage that evolves the weights in an optimisation time τ (`LangevinStage`): the norm |θ_n| of
    /// each layer's weights at a few τ, for the (τ, t) heat map; nil for other stages.
    public var depthSnapshots: DepthSnapshots?

    public init(type: String, rungs: [AnnealingRung] = [], lossPerEpoch: [Double] = [], seconds: Double = 0,
                evaluations: Int, status: String, endsPipeline: Bool = false) {
        self.type = type
        self.rungs = rungs
        self.lossPerEpoch = lossPerEpoch
        self.seconds = seconds
        self.evaluations = evaluations
        self.status = status
        self.endsPipeline = endsPipeline
    }
}

/// |θ_n(τ)| of every layer n at the times `times`: `norms[i][n]` at τ = times[i], depth t = `depth[n]`
/// (the layer midpoints).
public struct DepthSnapshots: Sendable {
    public let times: [Double]
    public let depth: [Double]
    public let norms: [[Double]]
}
