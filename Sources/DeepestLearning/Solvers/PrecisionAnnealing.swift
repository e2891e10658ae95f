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
    /// The horizon of a continuation-in-T rung (nil: the network's horizon).
    public var horizon: Double? = nil
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
    ///   `reprojectBetweenRungs`: start every rung from the forward pass of the previous rung's weights
    ///   (model error zero) instead of its states.
    ///   `constrainedIterations` > 0 (exact inputs only): after the last rung, one more rung, the exactly
    ///   constrained limit r_f → ∞ (`ActionNewtonSolver.solveProjected`, steps computed at the last r_f),
    ///   recorded with β = B + 1 and status "constrained-…".
    ///   `initialHorizon` T_0 < T with `horizonSteps` J > 0: continuation in T before the schedule,
    ///   J rungs at r_f0 on the horizons T_j = T_0 (T/T_0)^{j/J}, j = 0..J−1 (same N, so h_j = T_j/N), each
    ///   warm-started from the previous one; the layer-indexed unknowns are the previous solution
    ///   rescaled in depth. Recorded with β = j − J < 0 and their horizon; rung β = 0 is then solved at T.
    /// - Throws: `InvalidArgument` for r_f0 ≤ 0, a ≤ 1, B < 0 or data that do not fit the network.
    public static func run(network: ResidualNetwork, data: Dataset, initialParameters: [Double],
                           initialPrecision: Double, factor: Double, steps: Int, inputWeight: Double = .infinity,
                           outputWeight: Double = 1, regularization: Regularization,
                           options: ActionNewtonOptions = ActionNewtonOptions(),
                           reprojectBetweenRungs: Bool = false, constrainedIterations: Int = 0,
                           initialHorizon: Double? = nil, horizonSteps: Int = 0, frozenParameters: Set<Int> = [],
                           progress: ((Int, AnnealingRung) -> Void)? = nil) throws -> AnnealingResult {
        try Validate.positive(initialPrecision, "rf")
        guard factor.isFinite, factor > 1 else { throw InvalidArgument("anneal-factor", factor, "must be > 1") }
        try Validate.atLeast(steps, 0, "anneal-steps")
        try Validate.count(initialParameters.count, network.parameterCount, "initialParameters")
        try Validate.atLeast(constrainedIterations, 0, "constrainedIterations")
        try Validate.atLeast(horizonSteps, 0, "horizonSteps")
        var unknowns: [Double]? = nil
        var rungs = [AnnealingRung]()
        var parameters = initialParameters
        if horizonSteps > 0, let initialHorizon {
            guard initialHorizon.isFinite, initialHorizon > 0, initialHorizon < network.horizon else {
                throw InvalidArgument("initialHorizon", initialHorizon, "must be in (0, \(network.horizon))")
            }
            // Continuation in T at r_f0: T_j = T_0 (T/T_0)^{j/J}, j = 0..J−1, same N; the unknowns are
            // indexed by layer, so the previous solution is the warm start rescaled in depth (t = n T_j/N).
            for j in 0..<horizonSteps {
                let horizon = initialHorizon * pow(network.horizon / initialHorizon, Double(j) / Double(horizonSteps))
                let short = try ResidualNetwork(field: network.field, layers: network.layers, horizon: horizon,
                                                lift: network.lift, readout: network.readout)
                let action = try TrainingAction(network: short, data: data, modelPrecision: initialPrecision,
                                                inputWeight: inputWeight, outputWeight: outputWeight,
                                                regularization: regularization)
                let result = ActionNewtonSolver(action: action, frozenParameters: frozenParameters).solve(from: unknowns ?? action.unknowns(parameters: parameters),
                                                                      options: options)
                unknowns = result.unknowns
                parameters = action.parameters(of: result.unknowns)
                let rung = AnnealingRung(beta: j - horizonSteps, modelPrecision: initialPrecision, action: result.action,
                                         parts: result.parts, gradientNorm: result.gradientNorm,
                                         iterations: result.iterations, evaluations: result.evaluations,
                                         status: result.status.rawValue, horizon: horizon)
                rungs.append(rung)
                progress?(j - horizonSteps, rung)
            }
        }
        for beta in 0...steps {
            let precision = initialPrecision * pow(factor, Double(beta))
            let action = try TrainingAction(network: network, data: data, modelPrecision: precision, inputWeight: inputWeight,
                                            outputWeight: outputWeight, regularization: regularization)
            let start = reprojectBetweenRungs ? action.unknowns(parameters: parameters) : unknowns ?? action.unknowns(parameters: parameters)
            let result = ActionNewtonSolver(action: action, frozenParameters: frozenParameters).solve(from: start, options: options)
            unknowns = result.unknowns
            parameters = action.parameters(of: result.unknowns)
            let rung = AnnealingRung(beta: beta, modelPrecision: precision, action: result.action, parts: result.parts,
                                     gradientNorm: result.gradientNorm, iterations: result.iterations,
                                     evaluations: result.evaluations, status: result.status.rawValue)
            rungs.append(rung)
            progress?(beta, rung)
        }
        if constrainedIterations > 0 && inputWeight == .infinity {
            let precision = initialPrecision * pow(factor, Double(steps))
            let action = try TrainingAction(network: network, data: data, modelPrecision: precision, inputWeight: inputWeight,
                                            outputWeight: outputWeight, regularization: regularization)
            var constrainedOptions = options
            constrainedOptions.maximumIterations = constrainedIterations
            let result = try ActionNewtonSolver(action: action, frozenParameters: frozenParameters).solveProjected(parameters: parameters, options: constrainedOptions)
            unknowns = result.unknowns
            parameters = action.parameters(of: result.unknowns)
            let rung = AnnealingRung(beta: steps + 1, modelPrecision: precision, action: result.action, parts: result.parts,
                                     gradientNorm: result.gradientNorm, iterations: result.iterations,
                                     evaluations: result.evaluations, status: "constrained-" + result.status.rawValue)
            rungs.append(rung)
            progress?(steps + 1, rung)
        }
        return AnnealingResult(unknowns: unknowns ?? [], parameters: parameters, rungs: rungs)
    }
}
