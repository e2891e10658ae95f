import NumericCore

/// How a network is trained: the boundary value methods of the training action, or minibatch
/// gradient methods on the discrete ResNet.
public enum TrainingMethod: String, CaseIterable, Sendable, Codable {
    case collocation
    case multipleShooting = "multiple-shooting"
    case chebyshev
    /// The discrete boundary value problem of the action (symplectic Euler, Notes/deepest-learning-action.md
    /// §4) solved by Newton with the per-sample Schur complement, inside precision annealing.
    case symplecticEuler = "symplectic-euler"
    case sgd
    case adam

    /// Whether the method solves the boundary value problem of the action (rather than SGD/Adam).
    public var isBoundaryValueMethod: Bool { self != .sgd && self != .adam }
}

/// The form in which the stationarity conditions of the action are posed as a boundary value problem.
public enum BoundaryValueForm: String, CaseIterable, Sendable, Codable {
    case hamiltonian, lagrangian
}

/// Every setting of a training run (the `deepest train` options and config-file keys), with the
/// defaults of each data set filled in by `resolved()`.
public struct TrainingConfiguration: Sendable, Codable, Hashable {
    public var dataset: DatasetCatalog
    public var method: TrainingMethod
    public var form: BoundaryValueForm
    public var horizon: Double
    public var layers: Int
    public var width: Int
    public var activation: Activation
    public var antisymmetric: Bool
    /// γ of K = W − Wᵀ − γI.
    public var shift: Double
    /// r_f, the model precision of the action (BVP methods).
    public var modelPrecision: Double
    public var annealSteps: Int
    public var annealFactor: Double
    public var epochs: Int
    public var batch: Int
    public var learningRate: Double
    public var momentum: Double
    public var tikhonov: Double
    public var smoothness: Double
    public var readoutTikhonov: Double
    public var seed: UInt64
    /// Train on `samples` evenly spaced training samples (index i·M/samples; 0: all); the held-out set is unchanged.
    public var samples: Int = 0
    /// Newton iterations per annealing rung (symplectic-euler) or per collocation solve.
    public var newtonIterations: Int = 30
    /// Newton iterations of the final, exactly constrained rung (r_f → ∞, states = forward pass;
    /// symplectic-euler, and the discrete start of the continuum methods; 0: none).
    public var constrainedIterations: Int = 0
    /// Restart every annealing rung from the forward pass of the previous rung's weights (symplectic-euler).
    public var reproject: Bool = false
    /// Continuation in T: rungs at r_f0 on horizons from `initialHorizon` up to `horizon` before the
    /// annealing schedule (0: none).
    public var horizonSteps: Int = 0
    /// T_0 of the continuation in T (0: horizon / 10).
    public var initialHorizon: Double = 0
    /// T_0 with the default filled in.
    public var resolvedInitialHorizon: Double { initialHorizon > 0 ? initialHorizon : horizon / 10 }
    /// Continuum methods: start from the stationary point of the discrete action at r_f0 (symplectic
    /// Euler, `BoundaryValueTraining.discreteStart`) instead of the Tikhonov and horizon continuations
    /// from the constant-weights flow (Notes/deepest-learning-action.md §9c).
    public var discreteStart: Bool = false
    /// The discrete start solves the discrete action on `discreteRefinement`·N layers (its distance to
    /// the continuum solution is O(h/r)).
    public var discreteRefinement: Int = 1
    /// Newton iterations of the discrete start's penalty rung at r_f0 (then the constrained rung when
    /// `constrainedIterations` > 0; its point must be close to stationary for the continuum Newton to
    /// converge from it; one discrete iteration costs far less than a continuum one).
    public var discreteIterations: Int = 200
    /// Continuum methods: when > 0, start from a stationary point of the reduced continuum action
    /// (`ReducedContinuumAction`: RK4 flow on `reducedIntervals` intervals, L-BFGS, at most this many
    /// iterations) at the target weights, instead of the discrete start (Notes/deepest-learning-action.md §9e).
    public var reducedIterations: Int = 0
    /// Intervals K of the reduced start's flow and of the continuum guess (0: 2N).
    public var reducedIntervals: Int = 0
    /// K with the default filled in.
    public var resolvedReducedIntervals: Int { reducedIntervals > 0 ? reducedIntervals : 2 * layers }
    /// Readout of the boundary value methods: unknowns of the BVP (trained) or eliminated (projected).
    public var readout: ReadoutTreatment = .trained
    /// Residual tolerance of method collocation: every mesh interval's relative residual of the cubic
    /// output ends below tol/2 (Notes/mesh-refinement.md). 0: the solver's default,
    /// `CollocationTraining.defaultTolerance` for the dense-block collocation and
    /// `StructuredCollocationTraining.defaultTolerance` for the structured one.
    public var tolerance: Double = 0

    /// The defaults of a data set (architecture and optimiser settings that reach the targets).
    public static func defaults(dataset: DatasetCatalog, method: TrainingMethod) -> TrainingConfiguration {
        var c = TrainingConfiguration(
            dataset: dataset, method: method, form: .hamiltonian, horizon: 5, layers: 20, width: dataset.defaultWidth,
            activation: .tanh, antisymmetric: false, shift: 0, modelPrecision: 1, annealSteps: 10, annealFactor: 2,
            epochs: 200, batch: 32, learningRate: method == .sgd ? 0.05 : 0.01, momentum: 0.9,
            tikhonov: 1e-4, smoothness: 0, readoutTikhonov: 1e-4, seed: 1)
        switch dataset {
        case .spirals:
            c.horizon = 10; c.layers = 16; c.antisymmetric = true; c.shift = 0.01; c.epochs = 400; c.batch = 32
            if method == .sgd { c.learningRate = 0.005 }
            if method == .adam { c.learningRate = 0.003 }
        case .circles:
            c.horizon = 5; c.layers = 10; c.epochs = 100
        case .sine:
            c.horizon = 5; c.layers = 20; c.epochs = 500; c.batch = 100
            c.learningRate = method == .sgd ? 0.1 : 5e-3
        case .digits:
            // Width 12 on the leading 12 principal directions of the pixels (TrainingExperiment.network):
            // the Schur complement onto W = N(d² + d) + 10(d + 1) weights stays small for the BVP method.
            c.width = 12; c.horizon = 1; c.layers = 2; c.epochs = 30; c.batch = 64
        }
        if method == .symplecticEuler {
            // The first rung at r_f0 = 1e6 from the forward pass of the initial weights (it stays within
            // O(1/r_f) of the dynamics), then the exactly constrained rung: lower r_f0 lets the states
            // fit the data with weights whose forward pass is expansive (Notes/deepest-learning-action.md §9b).
            // The constrained rung's trust-region Newton iteration needs, from the seeded random weights,
            // 256–387 (spirals, seeds 1–3), 195–237 (sine) and 87–92 (digits) iterations to reach
            // ‖∇V‖_∞ ≤ 1e-8 max(1, V), most of them in the nonconvex global phase (§9c); the budget is only
            // a cap (a converged rung stops at the tolerance).
            c.modelPrecision = 1e6; c.annealSteps = 0; c.newtonIterations = 1
            c.constrainedIterations = dataset == .digits ? 150 : 500
        }
        if method == .collocation || method == .multipleShooting || method == .chebyshev {
            // The continuum forms need α > 0 (θ' = π/α); they start from the discrete (symplectic-Euler)
            // stationary point at the first Tikhonov decade (Notes/deepest-learning-action.md §9c); the
            // continuation in T (from T/10, 4 steps) is used with --no-discrete-start (§9a). The
            // constrained discrete start (--rf 1e6 --anneal-steps 0 --discrete-iterations 1
            // --constrained-iterations 500) converges on sine in 6 continuum iterations (RMSE 8.4e-3,
            // 18.8 s against 10-13 s for this schedule) and does not carry spirals or digits (§9d).
            c.smoothness = 1
            c.horizonSteps = 4
            c.discreteStart = true
        }
        if method == .collocation && (dataset == .spirals || dataset == .digits) {
            // The Euler networks that fit spirals and digits are not discretisations of their flows (§9d):
            // start from the reduced continuum action's stationary point at the target weights, then one
            // continuum rung at r_f = 1e6 (§9e). The residual is the Euclidean norm over all 2Md sample
            // components, so a tolerance means about tol/√(2Md) per component: 1e-2 on spirals (M = 513,
            // d = 4) is 1.6e-4 and 0.1 on digits (M = 1437, d = 12) is 5.4e-4.
            c.reducedIterations = 5000; c.modelPrecision = 1e6; c.annealSteps = 0
            c.tolerance = dataset == .spirals ? 1e-2 : 1e-1
        }
        return c
    }

    /// Throws `InvalidArgument` naming the first setting out of range.
    public func validate() throws {
        try Validate.positive(horizon, "horizon")
        try Validate.positive(layers, "layers")
        try Validate.positive(width, "width")
        try Validate.positive(modelPrecision, "rf")
        try Validate.atLeast(annealSteps, 0, "anneal-steps")
        guard annealFactor.isFinite, annealFactor > 1 else { throw InvalidArgument("anneal-factor", annealFactor, "must be > 1") }
        try Validate.atLeast(samples, 0, "samples")
        try Validate.positive(newtonIterations, "newton-iterations")
        guard tolerance.isFinite, tolerance >= 0 else { throw InvalidArgument("tol", tolerance, "must be > 0 (or 0 for the solver's default)") }
        try Validate.atLeast(constrainedIterations, 0, "constrained-iterations")
        try Validate.atLeast(horizonSteps, 0, "horizon-steps")
        try Validate.positive(discreteRefinement, "discrete-refinement")
        try Validate.positive(discreteIterations, "discrete-iterations")
        try Validate.atLeast(reducedIterations, 0, "reduced-iterations")
        try Validate.atLeast(reducedIntervals, 0, "reduced-intervals")
        if horizonSteps > 0 {
            guard initialHorizon == 0 || (initialHorizon.isFinite && initialHorizon > 0 && initialHorizon < horizon) else {
                throw InvalidArgument("initial-horizon", initialHorizon, "must be in (0, horizon \(horizon)) with --horizon-steps")
            }
        }
        try Validate.positive(epochs, "epochs")
        try Validate.positive(batch, "batch")
        try Validate.positive(learningRate, "lr")
        guard momentum.isFinite, momentum >= 0, momentum < 1 else { throw InvalidArgument("momentum", momentum, "must be in [0, 1)") }
        guard shift.isFinite, shift >= 0 else { throw InvalidArgument("shift", shift, "must be >= 0") }
        _ = try Regularization(tikhonov: tikhonov, smoothness: smoothness, readoutTikhonov: readoutTikhonov)
    }
}
