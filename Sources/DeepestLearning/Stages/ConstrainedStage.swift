import Foundation
import NumericCore

/// The exactly constrained rung r_f = ∞ of the discrete action: states = forward pass, costates =
/// backprop, Newton/SQP on the weights of the reduced action V = M·J (`ActionNewtonSolver.solveProjected`,
/// trust region with the reduced Hessian; Notes/deepest-learning-action.md §9b). It starts from the
/// previous discrete stage's network and weights (a refined one when that stage was refined), else from
/// the iterate's weights; its steps are computed at `step-precision` (default: the previous discrete stage's last
/// r_f, else 1e6). Options: `iterations` (reduced Hessian evaluations), `step-precision` (that r_f). Status "constrained-…".
public struct ConstrainedStage: TrainingStage {
    public static let typeName = "constrained"
    public static let keys = ["iterations", "step-precision"]
    public var type: String { Self.typeName }
    public var isContinuum: Bool { false }

    public var iterations: Int
    /// The r_f of the steps (nil: the previous discrete stage's, else 1e6).
    public var precision: Double?

    public init(iterations: Int = 500, precision: Double? = nil) throws {
        try Validate.positive(iterations, "iterations")
        if let precision { try Validate.positive(precision, "step-precision") }
        self.iterations = iterations
        self.precision = precision
    }

    public init(_ options: StageOptionReader) throws {
        let rf = options.value("step-precision") == nil ? nil : try options.positiveDouble("step-precision", default: 1e6)
        try self.init(iterations: try options.int("iterations", default: 500, in: 1...1_000_000), precision: rf)
    }

    public func workEstimate(layers: Int) -> StageWorkEstimate { StageWorkEstimate(gradientEvaluations: iterations) }

    public func run(_ iterate: inout TrainingIterate, in context: TrainingContext, progress: StageProgress?) throws -> StageRecord {
        let start = Date()
        let network = iterate.discrete?.network ?? context.network
        let parameters = iterate.discrete?.parameters ?? iterate.parameters
        let rf = precision ?? iterate.discrete?.precision ?? 1e6
        let action = try TrainingAction(network: network, data: context.data, modelPrecision: rf, inputWeight: .infinity,
                                        outputWeight: 1, regularization: try context.actionRegularization())
        let result = try ActionNewtonSolver(action: action, frozenParameters: context.frozenParameters).solveProjected(
            parameters: parameters, options: ActionNewtonOptions(gradientTolerance: 1e-8, maximumIterations: iterations))
        let rung = AnnealingRung(beta: 0, modelPrecision: rf, action: result.action, parts: result.parts,
                                 gradientNorm: result.gradientNorm, iterations: result.iterations,
                                 evaluations: result.evaluations, status: "constrained-" + result.status.rawValue)
        progress?(.rung(rung))
        let solved = action.parameters(of: result.unknowns)
        iterate.discrete = .init(network: network, unknowns: result.unknowns, parameters: solved, precision: rf)
        iterate.parameters = network.coarsened(solved, to: context.network)
        iterate.source = .discrete
        return StageRecord(type: type, rungs: [rung], seconds: Date().timeIntervalSince(start), evaluations: rung.evaluations,
                           status: rung.status)
    }
}
