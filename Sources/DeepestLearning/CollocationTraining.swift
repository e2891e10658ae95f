import BoundaryValue
import Foundation
import NumericCore

/// Training by collocation of the continuum boundary value problem (version b, Hamiltonian or
/// Lagrangian form) with precision annealing: r_f = r_f0 · a^β, β = 0..B, each rung solved by the
/// BoundaryValue module's adaptive Lobatto IIIA collocation warm-started from the previous rung.
/// Exact inputs (R_in = ∞), R_out = 1, a trained readout (μ = readout Tikhonov), α = smoothness > 0.
///
/// Cost: the generic collocation factors dense (2n + k)-blocks per interval, n = Md + q, so a rung is
/// O(nodes · n³): only small M. Problems with more than `maximumDimension` unknowns per node are
/// refused; the per-sample Schur complement (Notes/deepest-learning-action.md §9) is what would make
/// it linear in M. The trained network is read out as the ResNet of the configuration with
/// θ_n = θ(n h).
public enum CollocationTraining {
    public static let maximumDimension = 600

    public static func run(_ c: TrainingConfiguration, split: DatasetCatalog.Split,
                           rungProgress: ((Int, AnnealingRung) -> Void)? = nil) throws -> (report: TrainingReport, parameters: [Double]) {
        try c.validate()
        let net = try TrainingExperiment.network(c, data: split.train)
        let field = net.field, d = net.width, q = field.parameterCount, k = net.readoutParameterCount
        let m = split.train.count
        let dimension = 2 * (m * d + q) + k
        guard dimension <= maximumDimension else {
            throw MethodUnavailable(description: "method collocation: \(m) samples give \(dimension) unknowns per node, above \(maximumDimension) for the dense-block collocation (the per-sample Schur-complement collocation is not written yet); use symplectic-euler, sgd or adam")
        }
        try Validate.positive(c.smoothness, "smoothness")
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
        var rungs = [AnnealingRung]()
        var evaluations = 0
        var lastProblem: ContinuousTrainingProblem<ResidualField>?
        for beta in 0...c.annealSteps {
            let precision = c.modelPrecision * pow(c.annealFactor, Double(beta))
            let problem = try ContinuousTrainingProblem(
                field: field, horizon: c.horizon, inputs: inputs, readout: net.readout, targets: targets,
                readoutParameters: .trained(tikhonov: c.readoutTikhonov), modelPrecision: precision,
                smoothness: c.smoothness, tikhonov: c.tikhonov, inputWeight: .infinity, outputWeight: 1)
            lastProblem = problem
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
            let solution = try solve(try built.boundaryValueProblem(), Collocation(scheme: .lobatto3, tolerance: 1e-6,
                                                                                maxNodes: 2000,
                                                                                maxNewtonIterations: c.newtonIterations), initialGuess: guess)
            evaluations += solution.stats.fieldEvaluations
            let action = continuumAction(problem, layout: layout, form: c.form, solution: solution)
            let rung = AnnealingRung(beta: beta, modelPrecision: precision, action: action.total, parts: action,
                                     gradientNorm: solution.maxResidual, iterations: solution.stats.newtonIterations,
                                     evaluations: solution.stats.fieldEvaluations, status: solution.status.rawValue)
            rungs.append(rung)
            rungProgress?(beta, rung)
            if !solution.succeeded && previous != nil { break }
            previous = solution
        }
        let seconds = Date().timeIntervalSince(start)
        // The ResNet of the configuration with θ_n = θ(n h) and the trained readout.
        var parameters = initial
        if let solution = previous, let problem = lastProblem {
            let layout = c.form == .hamiltonian ? try problem.hamiltonianForm().layout : try problem.lagrangianForm().layout
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

    /// A = Σ_k φ_k(x_k(T)) + ∫ Σ_k |p_k|²/(2r_f) + |π|²/(2α) + (λ/2)|θ|² dt (using r_f|ẋ − F|² = |p|²/r_f and
    /// α|θ'|² = |π|²/α), the integral by the trapezoid rule on the solution's mesh, split like `ActionParts`.
    static func continuumAction(_ problem: ContinuousTrainingProblem<ResidualField>, layout: TrainingStateLayout,
                                form: BoundaryValueForm, solution: BoundaryValueSolution) -> ActionParts {
        let d = layout.width, m = layout.samples, q = layout.weights, n = layout.dimension
        var model = 0.0, smooth = 0.0, tikhonov = 0.0
        var previous: (Double, Double, Double)?
        var fx = [Double](repeating: 0, count: d)
        for (index, t) in solution.mesh.enumerated() {
            let y = Array(solution.values[(index * n)..<((index + 1) * n)])
            let theta = Array(y[layout.weightOffset..<(layout.weightOffset + q)])
            var a = 0.0, b = 0.0, c = 0.0
            for s in 0..<m {
                for i in 0..<d {
                    var p = y[layout.secondOffset + s * d + i]
                    if form == .lagrangian {
                        problem.field.value(x: Array(y[(s * d)..<((s + 1) * d)]), theta: theta, into: &fx)
                        p = problem.modelPrecision * (p - fx[i])
                    }
                    a += p * p / (2 * problem.modelPrecision)
                }
            }
            for i in 0..<q {
                let conjugate = y[layout.conjugateOffset + i] * (form == .lagrangian ? problem.smoothness : 1)
                b += conjugate * conjugate / (2 * problem.smoothness)
                c += 0.5 * problem.tikhonov * theta[i] * theta[i]
            }
            if let (pa, pb, pc) = previous {
                let h = t - solution.mesh[index - 1]
                model += 0.5 * h * (pa + a)
                smooth += 0.5 * h * (pb + b)
                tikhonov += 0.5 * h * (pc + c)
            }
            previous = (a, b, c)
        }
        var misfit = 0.0
        let end = solution.value(at: problem.horizon)
        let readoutValues: [Double]
        switch problem.readoutParameters {
        case .fixed(let v): readoutValues = v
        case .trained(let mu):
            readoutValues = Array(end[layout.readoutOffset..<n])
            tikhonov += 0.5 * mu * readoutValues.reduce(0) { $0 + $1 * $1 }
        }
        var grad = [Double](repeating: 0, count: d), gp = [Double](repeating: 0, count: readoutValues.count)
        var scratch = [Double](repeating: 0, count: problem.readout.outputs)
        let w = problem.readout.targetWidth
        for s in 0..<m {
            let x = Array(end[(s * d)..<((s + 1) * d)])
            let target = Array(problem.targets[(s * w)..<((s + 1) * w)])
            misfit += problem.outputWeight * problem.readout.loss(
                x: x, parameters: readoutValues, width: d, target: target, weight: 1, gradX: &grad,
                gradParameters: &gp, scratch: &scratch)
        }
        return ActionParts(dataMisfit: misfit, modelError: model, smoothness: smooth, tikhonov: tikhonov)
    }
}
