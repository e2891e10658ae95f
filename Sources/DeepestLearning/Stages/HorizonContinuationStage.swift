import Foundation
import NumericCore

/// The continuation in the horizon of the continuum problem: T_j = T_0 (T/T_0)^{j/J}, j = 0..J−1, at
/// r_f = `rf` and the target Tikhonov weights, each solve's guess the previous solution rescaled in
/// depth (Notes/deepest-learning-action.md §9a). Rungs β = j − J, recorded with their horizon. Options:
/// `horizon-steps` J, `initial-horizon` T_0 (0: T/10), `rf`, and the solver's.
public struct HorizonContinuationStage: TrainingStage {
    public static let typeName = "horizon-continuation"
    public static let keys = ["horizon-steps", "initial-horizon", "rf"] + ContinuumRungSolver.keys
    public var type: String { Self.typeName }
    public var isContinuum: Bool { true }

    public var steps: Int
    public var initialHorizon: Double
    public var precision: Double
    public var solver: ContinuumRungSolver

    public init(steps: Int = 4, initialHorizon: Double = 0, precision: Double = 1, solver: ContinuumRungSolver) throws {
        try Validate.positive(steps, "horizon-steps")
        guard initialHorizon.isFinite, initialHorizon >= 0 else {
            throw InvalidArgument("initial-horizon", initialHorizon, "must be >= 0 (0: T/10)")
        }
        try Validate.positive(precision, "rf")
        self.steps = steps
        self.initialHorizon = initialHorizon
        self.precision = precision
        self.solver = solver
    }

    public init(_ options: StageOptionReader) throws {
        try self.init(steps: try options.int("horizon-steps", default: 4, in: 1...1000),
                      initialHorizon: try options.double("initial-horizon", default: 0),
                      precision: try options.positiveDouble("rf", default: 1), solver: try ContinuumRungSolver(options))
    }

    public func check(_ context: TrainingContext) throws { try solver.check(context) }

    public func run(_ iterate: inout TrainingIterate, in context: TrainingContext, progress: StageProgress?) throws -> StageRecord {
        let weights = try context.actionRegularization()
        let t = context.network.horizon, t0 = initialHorizon > 0 ? initialHorizon : t / 10
        guard t0 < t else { throw InvalidArgument("initial-horizon", t0, "must be below the horizon \(t)") }
        let points = (0..<steps).map {
            ContinuationPoint(horizon: t0 * pow(t / t0, Double($0) / Double(steps)), tikhonov: weights.tikhonov,
                              readoutTikhonov: weights.readoutTikhonov, precision: precision)
        }
        return try solver.climb(points, betas: points.indices.map { $0 - steps }, type: type, iterate: &iterate,
                                context: context, progress: progress)
    }
}
