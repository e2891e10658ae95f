import Foundation
import NumericCore

/// One rung of precision annealing: the model precision used, the action split at the rung's
/// solution, and the solver's statistics.
public struct AnnealingRung: Sendable, Codable {
    public let beta: Int
    public let modelPrecision: Double
    public let action: Double
    public let parts: ActionParts
    public let gradientNorm: Double
    public let iterations: Int
    public let evaluations: Int
    public let status: String
}

/// The outcome of precision annealing: the final unknowns (states and parameters) and every rung.
public struct AnnealingResult: Sendable {
    public let unknowns: [Double]
    public let parameters: [Double]
    public let rungs: [AnnealingRung]
}

/// Precision annealing (varanneal's schedule, MATH.md §5): r_f = r_f0 · a^β for β = 0..B, each rung
/// solving the stationarity conditions of the discrete action A_h (`ActionNewtonSolver`, the symplectic
/// Euler BVP) warm-started from the previous rung's solution. At small r_f the states fit the data at
/// both ends almost freely and the weights see a smooth, nearly convex problem; raising r_f enforces
/// the model x_{n+1} = x_n + hF step by step, so the final rung is close to an exactly trained ResNet
/// (Notes/deepest-learning-action.md §9). Cost: B + 1 Newton solves.
public enum PrecisionAnnealing {
    /// - Parameters: `initialParameters` start the first rung through their forward pass (zero model
    ///   error); `progress(β, rung)` is called after each rung.
    /// - Throws: `InvalidArgument` for r_f0 ≤ 0, a ≤ 1, B < 0 or data that do not fit the network.
    public static func run(network: ResidualNetwork, data: Dataset, initialParameters: [Double],
                           initialPrecision: Double, factor: Double, steps: Int, inputWeight: Double = .infinity,
                           outputWeight: Double = 1, regularization: Regularization,
                           options: ActionNewtonOptions = ActionNewtonOptions(),
                           progress: ((Int, AnnealingRung) -> Void)? = nil) throws -> AnnealingResult {
        try Validate.positive(initialPrecision, "rf")
        guard factor.isFinite, factor > 1 else { throw InvalidArgument("anneal-factor", factor, "must be > 1") }
        try Validate.atLeast(steps, 0, "anneal-steps")
        try Validate.count(initialParameters.count, network.parameterCount, "initialParameters")
        var unknowns: [Double]? = nil
        var rungs = [AnnealingRung]()
        var parameters = initialParameters
        for beta in 0...steps {
            let precision = initialPrecision * pow(factor, Double(beta))
            let action = try TrainingAction(network: network, data: data, modelPrecision: precision, inputWeight: inputWeight,
                                            outputWeight: outputWeight, regularization: regularization)
            let start = unknowns ?? action.unknowns(parameters: parameters)
            let result = ActionNewtonSolver(action: action).solve(from: start, options: options)
            unknowns = result.unknowns
            parameters = action.parameters(of: result.unknowns)
            let rung = AnnealingRung(beta: beta, modelPrecision: precision, action: result.action, parts: result.parts,
                                     gradientNorm: result.gradientNorm, iterations: result.iterations,
                                     evaluations: result.evaluations, status: result.status.rawValue)
            rungs.append(rung)
            progress?(beta, rung)
        }
        return AnnealingResult(unknowns: unknowns ?? [], parameters: parameters, rungs: rungs)
    }
}
