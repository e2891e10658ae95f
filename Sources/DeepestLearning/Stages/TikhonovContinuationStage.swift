import Foundation
import NumericCore

/// The continuation in the Tikhonov weights of the continuum problem: (λ_j, μ_j) = (max(Mλ, 10^{−j}),
/// max(Mμ, 10^{−j})), j = 0, 1, … while either is above its target (down to 1e-8), at r_f = `rf` and
/// the horizon `initial-horizon` (0: the network's). With λ, μ ≥ 1 the problem is well conditioned near
/// θ = 0 and the first rung converges from the constant guess; each decade is then a small perturbation
/// of the previous solution (Notes/deepest-learning-action.md §9a). Empty when both targets are ≥ 1.
/// Rungs β = j − J. Options: `rf`, `initial-horizon`, and the solver's.
public struct TikhonovContinuationStage: TrainingStage {
    public static let typeName = "tikhonov-continuation"
    public static let keys = ["rf", "initial-horizon"] + ContinuumRungSolver.keys
    public var type: String { Self.typeName }
    public var isContinuum: Bool { true }

    public var precision: Double
    /// The horizon of the decades (0: the network's; the first horizon of a continuation in T after it).
    public var horizon: Double
    public var solver: ContinuumRungSolver

    public init(precision: Double = 1, horizon: Double = 0, solver: ContinuumRungSolver) throws {
        try Validate.positive(precision, "rf")
        guard horizon.isFinite, horizon >= 0 else { throw InvalidArgument("initial-horizon", horizon, "must be >= 0 (0: the horizon)") }
        self.precision = precision
        self.horizon = horizon
        self.solver = solver
    }

    public init(_ options: StageOptionReader) throws {
        try self.init(precision: try options.positiveDouble("rf", default: 1), horizon: try options.double("initial-horizon", default: 0),
                      solver: try ContinuumRungSolver(options))
    }

    /// The smallest Tikhonov level of the continuation (it would never end for a zero target).
    public static let floor = 1e-8

    /// The decades (λ_j, μ_j) for action weights (λ, μ).
    public static func schedule(tikhonov: Double, readoutTikhonov: Double) -> [(Double, Double)] {
        var schedule = [(Double, Double)]()
        var level = 1.0
        while level >= floor && (tikhonov < level || readoutTikhonov < level) {
            schedule.append((max(tikhonov, level), max(readoutTikhonov, level)))
            level /= 10
        }
        return schedule
    }

    public func check(_ context: TrainingContext) throws { try solver.check(context) }

    public func run(_ iterate: inout TrainingIterate, in context: TrainingContext, progress: StageProgress?) throws -> StageRecord {
        let weights = try context.actionRegularization()
        let t = horizon > 0 ? horizon : context.network.horizon
        let points = Self.schedule(tikhonov: weights.tikhonov, readoutTikhonov: weights.readoutTikhonov).map {
            ContinuationPoint(horizon: t, tikhonov: $0.0, readoutTikhonov: $0.1, precision: precision)
        }
        return try solver.climb(points, betas: points.indices.map { $0 - points.count }, type: type, iterate: &iterate,
                                context: context, progress: progress)
    }
}
