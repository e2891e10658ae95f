import Foundation
import NumericCore

/// Precision annealing of the continuum boundary value problem: rungs r_f = r_f0 · a^β, β = 0..B, at
/// the network's horizon and the target Tikhonov weights, each solved by `solver` warm-started from the
/// previous rung (the first from the iterate: a continuum, discrete, reduced or minibatch result, or the
/// constant-weights flow of the seeded weights; `ContinuumRungSolver.climb`). Options: `rf`,
/// `anneal-factor`, `anneal-steps`, and the solver's (`ContinuumRungSolver.keys`). Cost: B + 1 continuum
/// solves.
public struct ContinuumAnnealingStage: TrainingStage {
    public static let typeName = "continuum-annealing"
    public static let keys = ["rf", "anneal-factor", "anneal-steps"] + ContinuumRungSolver.keys
    public var type: String { Self.typeName }
    public var isContinuum: Bool { true }

    public var initialPrecision: Double
    public var factor: Double
    public var steps: Int
    public var solver: ContinuumRungSolver

    public init(initialPrecision: Double = 1, factor: Double = 2, steps: Int = 10, solver: ContinuumRungSolver) throws {
        try Validate.positive(initialPrecision, "rf")
        guard factor.isFinite, factor > 1 else { throw InvalidArgument("anneal-factor", factor, "must be > 1") }
        try Validate.atLeast(steps, 0, "anneal-steps")
        self.initialPrecision = initialPrecision
        self.factor = factor
        self.steps = steps
        self.solver = solver
    }

    public init(_ options: StageOptionReader) throws {
        try self.init(initialPrecision: try options.positiveDouble("rf", default: 1), factor: try options.double("anneal-factor", default: 2),
                      steps: try options.int("anneal-steps", default: 10, in: 0...60), solver: try ContinuumRungSolver(options))
    }

    /// Rungs × Newton iterations on a mesh of at most 4N + 1 nodes.
    public func workEstimate(layers: Int) -> StageWorkEstimate {
        StageWorkEstimate(gradientEvaluations: checkedProduct(steps + 1, solver.newtonIterations, 4), depthFactor: 4)
    }

    public func check(_ context: TrainingContext) throws { try solver.check(context) }

    public func run(_ iterate: inout TrainingIterate, in context: TrainingContext, progress: StageProgress?) throws -> StageRecord {
        let weights = try context.actionRegularization()
        let points = (0...steps).map {
            ContinuationPoint(horizon: context.network.horizon, tikhonov: weights.tikhonov, readoutTikhonov: weights.readoutTikhonov,
                              precision: initialPrecision * pow(factor, Double($0)))
        }
        return try solver.climb(points, betas: Array(0...steps), type: type, iterate: &iterate, context: context, progress: progress)
    }
}
