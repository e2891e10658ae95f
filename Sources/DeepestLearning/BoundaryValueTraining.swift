import BoundaryValue
import Foundation
import NumericCore

/// Training by a BoundaryValue solver of the continuum boundary value problem (version b, Hamiltonian
/// or Lagrangian form) with precision annealing: r_f = r_f0 · a^β, β = 0..B, each rung solved by the
/// given algorithm warm-started from the previous rung's solution (its dense output is the guess).
/// Exact inputs (R_in = ∞), R_out = 1, a trained readout (μ = readout Tikhonov), α = smoothness > 0.
/// The first rung starts from the lifted inputs, the initial weights and readout, zero momenta.
/// A rung that fails after the first ends the schedule (its record keeps the failure status); the
/// network is read out from the last successful rung as the ResNet of the configuration with
/// θ_n = θ(n h). The shared engine of `CollocationTraining`, `MultipleShootingTraining` and
/// `ChebyshevTraining` (Notes/deepest-learning-action.md §9).
public enum BoundaryValueTraining {
    /// Unknowns per depth of the boundary value state, n = 2(M d + q) + k, in both forms.
    public static func stateDimension(_ c: TrainingConfiguration, split: DatasetCatalog.Split) throws -> Int {
        let net = try TrainingExperiment.network(c, data: split.train)
        return 2 * (split.train.count * net.width + net.field.parameterCount) + net.readoutParameterCount
    }

    /// Runs the annealing schedule of `c` with `algorithm` on every rung.
    public static func run<Algorithm: BoundaryValueAlgorithm>(
        _ c: TrainingConfiguration, split: DatasetCatalog.Split, algorithm: Algorithm,
        rungProgress: ((Int, AnnealingRung) -> Void)? = nil
    ) throws -> (report: TrainingReport, parameters: [Double]) {
        try c.validate()
        try Validate.positive(c.smoothness, "smoothness")
        let net = try TrainingExperiment.network(c, data: split.train)
        let field = net.field, d = net.width, q = field.parameterCount, k = net.readoutParameterCount
        let m = split.train.count
        var inputs = [Double](repeating: 0, count: m * d)
        let mIn = net.inputDimension
        for s in 0..<m {
            let lifted = net.lift.apply(Array(split.train.inputs[(s * mIn)..<((s + 1) * mIn)]))
            for i in 0..<d { inputs[s * d + i] = lifted[i] }
        }
        let targets = try net.targetRows(split.train)
        let initial = net.initialParameters(seed: c.seed)
        let theta0 = Array(initial[0..<q]), readout0 = Array(initial[net.readoutOffset...])
        let start = Date()
        var previous: BoundaryValueSolution?
        var previousLayout: TrainingStateLayout?
        var rungs = [AnnealingRung]()
        var evaluations = 0
        for beta in 0...c.annealSteps {
            let precision = c.modelPrecision * pow(c.annealFactor, Double(beta))
            let problem = try ContinuousTrainingProblem(
                field: field, horizon: c.horizon, inputs: inputs, readout: net.readout, targets: targets,
                readoutParameters: .trained(tikhonov: c.readoutTikhonov), modelPrecision: precision,
                smoothness: c.smoothness, tikhonov: c.tikhonov, inputWeight: .infinity, outputWeight: 1)
            let built = c.form == .hamiltonian ? try problem.hamiltonianForm() : try problem.lagrangianForm()
            let layout = built.layout
            let guess: InitialGuess
            if let previous {
                guess = .solution(previous)
            } else {
                var y = [Double](repeating: 0, count: layout.dimension)
                for i in 0..<(m * d) { y[i] = inputs[i] }
                for i in 0..<q { y[layout.weightOffset + i] = theta0[i] }
                for i in 0..<k { y[layout.readoutOffset + i] = readout0[i] }
                let constant = y
                guess = .function({ _ in constant }, nodes: max(net.layers + 1, 5))
            }
            let solution = try solve(try built.boundaryValueProblem(), algorithm, initialGuess: guess)
            evaluations += solution.stats.fieldEvaluations
            let action = continuumAction(problem, layout: layout, form: c.form, solution: solution)
            let rung = AnnealingRung(beta: beta, modelPrecision: precision, action: action.total, parts: action,
                                     gradientNorm: solution.maxResidual, iterations: solution.stats.newtonIterations,
                                     evaluations: solution.stats.fieldEvaluations, status: solution.status.rawValue)
            rungs.append(rung)
            rungProgress?(beta, rung)
            if !solution.succeeded && previous != nil { break }
            previous = solution
            previousLayout = layout
        }
        let seconds = Date().timeIntervalSince(start)
        var parameters = initial
        if let solution = previous, let layout = previousLayout {
            for n in 0..<net.layers {
                let y = solution.value(at: Double(n) * net.stepSize)
                for i in 0..<q { parameters[net.layerOffset(n) + i] = y[layout.weightOffset + i] }
            }
            let y = solution.value(at: c.horizon)
            for i in 0..<k { parameters[net.readoutOffset + i] = y[layout.readoutOffset + i] }
        }
        let reg = try Regularization(tikhonov: c.tikhonov, smoothness: c.smoothness, readoutTikhonov: c.readoutTikhonov)
        let loss = try ResidualNetworkLoss(network: net, data: split.train, regularization: reg)
        let classification = split.train.isClassification
        let report = TrainingReport(
            dataset: c.dataset.rawValue, method: c.method.rawValue, trainLoss: loss.value(parameters: parameters),
            trainAccuracy: classification ? Metrics.accuracy(network: net, parameters: parameters, data: split.train) : nil,
            testAccuracy: classification ? Metrics.accuracy(network: net, parameters: parameters, data: split.test) : nil,
            testRMSE: classification ? nil : Metrics.rootMeanSquareError(network: net, parameters: parameters, data: split.test),
            action: rungs.last?.action, annealingRungs: rungs.count, epochs: nil, seconds: seconds,
            gradientEvaluations: evaluations, lossPerEpoch: [], status: rungs.last?.status ?? "none", rungs: rungs)
        return (report, parameters)
    }
}
