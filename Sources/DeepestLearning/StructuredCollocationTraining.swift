import BoundaryValue
import Foundation
import NumericCore

/// Training by collocation of the continuum Hamiltonian boundary value problem with precision annealing,
/// each rung solved by `StructuredCollocation` (per-sample elimination and Schur complement onto the
/// weights; Notes/structured-collocation.md) on the fixed uniform mesh of the configuration's layers
/// (N = layers intervals, so θ at node n is layer n's weights). The schedule is that of
/// `BoundaryValueTraining`: r_f = r_f0 · a^β, β = 0..B, exact inputs, R_out = 1, trained readout,
/// α = smoothness > 0; the first rung starts from the flow of the inputs under θ0, each later rung from
/// the previous solution; a rung that fails after the first ends the schedule. Cost per Newton
/// iteration O(M N² d (d² + d q + q²) + (2Pq + k)³), linear in the number of samples M.
public enum StructuredCollocationTraining {
    public static func run(_ c: TrainingConfiguration, split: DatasetCatalog.Split,
                           scheme: Collocation.Scheme = .lobatto3,
                           rungProgress: ((Int, AnnealingRung) -> Void)? = nil) throws -> (report: TrainingReport, parameters: [Double]) {
        try c.validate()
        try Validate.positive(c.smoothness, "smoothness")
        let net = try TrainingExperiment.network(c, data: split.train)
        let field = net.field, d = net.width, q = field.parameterCount, k = net.readoutParameterCount
        let m = split.train.count, mIn = net.inputDimension
        var inputs = [Double](repeating: 0, count: m * d)
        for s in 0..<m {
            let lifted = net.lift.apply(Array(split.train.inputs[(s * mIn)..<((s + 1) * mIn)]))
            for i in 0..<d { inputs[s * d + i] = lifted[i] }
        }
        let targets = try net.targetRows(split.train)
        let initial = net.initialParameters(seed: c.seed)
        let theta0 = Array(initial[0..<q]), readout0 = Array(initial[net.readoutOffset...])
        let mesh = (0...net.layers).map { $0 == net.layers ? c.horizon : Double($0) * net.stepSize }
        let algorithm = StructuredCollocation(scheme: scheme, maxNewtonIterations: c.newtonIterations)
        let start = Date()
        var previous: BoundaryValueSolution?
        var layout: TrainingStateLayout?
        var rungs = [AnnealingRung]()
        var evaluations = 0
        for beta in 0...c.annealSteps {
            let precision = c.modelPrecision * pow(c.annealFactor, Double(beta))
            let problem = try ContinuousTrainingProblem(
                field: field, horizon: c.horizon, inputs: inputs, readout: net.readout, targets: targets,
                readoutParameters: .trained(tikhonov: c.readoutTikhonov), modelPrecision: precision,
                smoothness: c.smoothness, tikhonov: c.tikhonov, inputWeight: .infinity, outputWeight: 1)
            let rungLayout = try problem.hamiltonianForm().layout
            let guess = previous.map { InitialGuess.solution($0) } ?? BoundaryValueTraining.firstGuess(
                field: field, inputs: inputs, theta: theta0, readout: readout0, layout: rungLayout, horizon: c.horizon,
                nodes: net.layers + 1)
            let solution = try algorithm.solve(problem, mesh: mesh, initialGuess: guess)
            evaluations += solution.stats.fieldEvaluations
            let action = BoundaryValueTraining.continuumAction(problem, layout: rungLayout, form: .hamiltonian, solution: solution)
            let rung = AnnealingRung(beta: beta, modelPrecision: precision, action: action.total, parts: action,
                                     gradientNorm: solution.maxResidual, iterations: solution.stats.newtonIterations,
                                     evaluations: solution.stats.fieldEvaluations, status: solution.status.rawValue)
            rungs.append(rung)
            rungProgress?(beta, rung)
            if !solution.succeeded && previous != nil { break }
            previous = solution
            layout = rungLayout
        }
        let seconds = Date().timeIntervalSince(start)
        var parameters = initial
        if let solution = previous, let layout {
            let n = layout.dimension
            for layer in 0..<net.layers {
                for i in 0..<q { parameters[net.layerOffset(layer) + i] = solution.values[layer * n + layout.weightOffset + i] }
            }
            for i in 0..<k { parameters[net.readoutOffset + i] = solution.values[net.layers * n + layout.readoutOffset + i] }
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
