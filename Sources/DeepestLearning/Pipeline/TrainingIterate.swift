import BoundaryValue

/// The point a pipeline hands from stage to stage: the ResNet parameters of the context's network
/// (always present), and the richer state of the last stage of each kind, from which the next stage
/// builds its warm start (a continuum stage's guess from a discrete solution's states and costates,
/// from the reduced flow, or from the previous continuum solution).
public struct TrainingIterate {
    /// The kind of stage that produced the iterate.
    public enum Source: String, Sendable {
        case initial, discrete, reduced, continuum, minibatch
    }

    /// A stage sets it to the kind of result it leaves (a stage defined outside the package that moves
    /// the weights sets `.minibatch`: its result is a ResNet).
    public var source: Source
    /// θ_0..θ_{N−1}, C, c of the context's network (`ResidualNetwork` layout).
    public var parameters: [Double]
    /// The last discrete solve (penalty rungs or the constrained rung).
    public internal(set) var discrete: DiscreteSolution?
    /// The last reduced-action solve.
    public internal(set) var reduced: ReducedSolution?
    /// The last accepted continuum solve.
    public internal(set) var continuum: ContinuumSolution?

    /// The seeded start of a pipeline.
    public init(initialParameters: [Double]) {
        source = .initial
        parameters = initialParameters
    }

    /// A discrete stationary point: the unknowns (states x_{k,1..N}, then parameters) of the discrete
    /// action on `network` (the context's, or a refined one) at model precision `precision`.
    public struct DiscreteSolution: Sendable {
        public let network: ResidualNetwork
        public let unknowns: [Double]
        public let parameters: [Double]
        public let precision: Double
    }

    /// A reduced-action point: nodal weights θ_0..θ_K and readout of `action`'s flow.
    public struct ReducedSolution {
        public let action: ReducedContinuumAction
        public let parameters: [Double]
    }

    /// An accepted continuum solve with the problem it solved, its state layout, its form and its
    /// continuation point (horizon, Tikhonov weights, r_f).
    public struct ContinuumSolution: Sendable {
        public let solution: BoundaryValueSolution
        public let problem: ContinuousTrainingProblem<ResidualField>
        public let layout: TrainingStateLayout
        public let form: BoundaryValueForm
        public let point: ContinuationPoint
    }
}

/// One point of a continuum continuation: the horizon, the action's Tikhonov weights and the model
/// precision of a solve.
public struct ContinuationPoint: Sendable, Equatable {
    public var horizon: Double, tikhonov: Double, readoutTikhonov: Double, precision: Double

    public init(horizon: Double, tikhonov: Double, readoutTikhonov: Double, precision: Double) {
        self.horizon = horizon
        self.tikhonov = tikhonov
        self.readoutTikhonov = readoutTikhonov
        self.precision = precision
    }

    /// The geometric midpoint between two points (each coordinate's step halved in log scale).
    public func midpoint(_ other: ContinuationPoint) -> ContinuationPoint {
        ContinuationPoint(horizon: (horizon * other.horizon).squareRoot(), tikhonov: (tikhonov * other.tikhonov).squareRoot(),
                          readoutTikhonov: (readoutTikhonov * other.readoutTikhonov).squareRoot(),
                          precision: (precision * other.precision).squareRoot())
    }
}
