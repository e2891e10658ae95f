import BoundaryValue
import Foundation
import NumericCore

/// Training by a BoundaryValue solver of the continuum boundary value problem (version b, Hamiltonian
/// or Lagrangian form) with precision annealing: r_f = r_f0 · a^β, β = 0..B, each rung solved by the
/// given algorithm warm-started from the previous rung's solution (its dense output is the guess),
/// preceded (rungs β < 0, at r_f0) by a continuation in the Tikhonov weights (`regularizationSchedule`)
/// when λ or μ is below 1, and by the continuation in T of the configuration (horizons
/// T_j = T_0 (T/T_0)^{j/J}, j = 0..J−1, each guess the previous solution rescaled in depth). A stage
/// whose solve fails is approached through up to `maximumBisections` geometric midpoints from the
/// last solved stage before the schedule gives up.
/// Exact inputs (R_in = ∞), R_out = 1, the readout trained or projected (`c.readout`), action weights
/// M·λ and M·μ (the options are per-sample weights of the mean loss, as in symplectic-euler),
/// α = smoothness > 0.
/// With `c.discreteStart` (the default of the continuum methods) the first stage starts from the
/// stationary point of the discrete action at its r_f0 and the full horizon, solved on
/// `c.discreteRefinement`·N layers (`discreteStart`, `discreteGuess`: states, costates by backprop;
/// recorded as the first rungs, status "discrete-…"), and there is no continuation in T. With
/// `c.constrainedIterations` = 0 that is the penalty stationary point at the first Tikhonov decade
/// (λ_0, μ_0), and the decades follow in the continuum (Notes/deepest-learning-action.md §9c); with
/// `c.constrainedIterations` > 0 it is the symplectic-euler recipe (penalty rung, then the exactly
/// constrained rung) at the target (λ, μ), and there are no decades (§9d: the constrained rung converges
/// at the target weights, the penalty rung at r_f0 = 1 does not). That start is meant for the
/// Hamiltonian form: in the Lagrangian form the unknown v = F + p/r_f fixes p only to r_f times the error
/// of v, and at r_f0 = 1e6 its first continuum rung ended noConvergence on the tiny sine problem
/// (success at r_f0 = 1e3 and 10).
/// With `c.reducedIterations` > 0 the first stage starts instead from the stationary point of the
/// reduced continuum action at the target weights (`reducedStart`, `reducedGuess`: L-BFGS on the RK4
/// flow of piecewise-linear weights on K intervals, recorded as rung β = −1, status "reduced-…"), with
/// no decades and no continuation in T (§9e).
/// Without either, the first stage starts from the flow ẋ_k = F(x_k, θ0) of the lifted inputs under the
/// first layer's initial weights θ0 (constant in depth), zero momenta, the initial readout.
/// A rung that fails after the first ends the schedule (its record keeps the failure status). The
/// report evaluates the trained network, the flow ẋ = F(x, θ(t)) of the last successful rung's
/// weights (`ContinuumNetwork`, RK4); the returned parameters are the ResNet of the configuration with
/// θ_n = θ(n h) (for the figures of `compare`). The shared engine of `CollocationTraining`, `MultipleShootingTraining` and
/// `ChebyshevTraining` (Notes/deepest-learning-action.md §9).
public enum BoundaryValueTraining {
    /// Unknowns per depth of the boundary value state, n = 2(M d + q) + k, in both forms.
    public static func stateDimension(_ c: TrainingConfiguration, split: DatasetCatalog.Split) throws -> Int {
        let net = try TrainingExperiment.network(c, data: split.train)
        return 2 * (split.train.count * net.width + net.field.parameterCount) + (c.readout == .trained ? net.readoutParameterCount : 0)
    }

    /// Runs the annealing schedule of `c` with `algorithm` on every rung.
    public static func run<Algorithm: BoundaryValueAlgorithm>(
        _ c: TrainingConfiguration, split: DatasetCatalog.Split, algorithm: Algorithm,
        rungProgress: ((Int, AnnealingRung) -> Void)? = nil
    ) throws -> (report: TrainingReport, parameters: [Double]) {
        try run(c, split: split, rungProgress: rungProgress) { _, built, guess in
            try solve(try built.boundaryValueProblem(), algorithm, initialGuess: guess)
        }
    }

    /// Runs the annealing schedule of `c`, each rung solved by `solveRung(problem, its built form,
    /// guess)` (`StructuredCollocationTraining` passes the structured collocation here).
    static func run(
        _ c: TrainingConfiguration, split: DatasetCatalog.Split, rungProgress: ((Int, AnnealingRung) -> Void)?,
        solveRung: (ContinuousTrainingProblem<ResidualField>, TrainingBoundaryValueProblem, InitialGuess) throws -> BoundaryValueSolution
    ) throws -> (report: TrainingReport, parameters: [Double]) {
        try c.validate()
        try Validate.positive(c.smoothness, "smoothness")
        let net = try TrainingExperiment.network(c, data: split.train)
        let field = net.field, d = net.width, q = field.parameterCount, k = net.readoutParameterCount
        let m = split.train.count
        // The action sums the readout loss over the M samples where the ResNet loss J (SGD, Adam) averages
        // it: the Tikhonov weights are M·(λ, μ), so the exactly constrained limit minimises M·J (as in
        // symplectic-euler); α is the action's own smoothness weight.
        let tikhonov = c.tikhonov * Double(m), readoutTikhonov = c.readoutTikhonov * Double(m)
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
        var rungs = [AnnealingRung]()
        var evaluations = 0
        var previous: BoundaryValueSolution?
        var previousLayout: TrainingStateLayout?
        var previousProblem: ContinuousTrainingProblem<ResidualField>?
        // Stages before the schedule (β < 0): the Tikhonov decades at the first horizon, then the
        // continuation in T at the target weights; then the annealing rungs β = 0..B at T.
        let horizons = c.horizonSteps > 0
            ? (0..<c.horizonSteps).map { c.resolvedInitialHorizon * pow(c.horizon / c.resolvedInitialHorizon, Double($0) / Double(c.horizonSteps)) }
            : []
        // The Tikhonov decades (not after a constrained discrete start, which is solved at the target
        // weights), then (without the discrete start) the continuation in T.
        let reducedStart = c.reducedIterations > 0
        let constrainedStart = (c.discreteStart && c.constrainedIterations > 0) || reducedStart
        var stages = constrainedStart ? [] : regularizationSchedule(tikhonov: tikhonov, readoutTikhonov: readoutTikhonov)
            .map { Stage(horizon: c.discreteStart ? c.horizon : horizons.first ?? c.horizon, tikhonov: $0.0,
                         readoutTikhonov: $0.1, precision: c.modelPrecision) }
        if !c.discreteStart && !reducedStart {
            stages += horizons.map { Stage(horizon: $0, tikhonov: tikhonov, readoutTikhonov: readoutTikhonov, precision: c.modelPrecision) }
        }
        // The discrete start (Notes/deepest-learning-action.md §9c, §9d): the symplectic-Euler stationary
        // point at the first stage's (λ, μ), r_f0 and the full horizon (the exactly constrained one at the
        // target weights when `constrainedIterations` > 0) is the first stage's guess; it replaces the
        // constant-weights flow and the continuation in T.
        var discreteGuess: InitialGuess?
        if reducedStart {
            // The reduced start (§9e): the stationary point of the reduced continuum action at the target
            // weights, from the seeded weights (scaled) of layer ⌊jN/K⌋ at node j.
            let flow = try ContinuumNetwork(field: field, horizon: c.horizon, intervals: c.resolvedReducedIntervals,
                                            lift: net.lift, readout: net.readout)
            let action = try ReducedContinuumAction(network: flow, data: split.train, tikhonov: tikhonov,
                                                    smoothness: c.smoothness, readoutTikhonov: readoutTikhonov)
            // The seeded readout does not depend on the weight scale (the same draws follow the weights').
            let start = flow.parameters(fromLayers: net.initialParameters(seed: c.seed, weightScale: reducedStartWeightScale),
                                        of: net)
            let reduced = try BoundaryValueTraining.reducedStart(action: action, initialParameters: start,
                                                                 iterations: c.reducedIterations, precision: c.modelPrecision,
                                                                 progress: { rungProgress?($0.beta, $0) })
            rungs.append(reduced.rung)
            rungProgress?(reduced.rung.beta, reduced.rung)
            evaluations += reduced.rung.evaluations
            let layout = TrainingStateLayout(samples: m, width: d, weights: q, readoutParameters: c.readout == .trained ? k : 0,
                                             hasWeightBlocks: true)
            discreteGuess = reducedGuess(action: action, parameters: reduced.parameters, layout: layout, form: c.form,
                                         precision: c.modelPrecision, smoothness: c.smoothness)
        } else if c.discreteStart {
            let first = stages.first ?? Stage(horizon: c.horizon, tikhonov: tikhonov, readoutTikhonov: readoutTikhonov,
                                              precision: c.modelPrecision)
            let reg = try Regularization(tikhonov: first.tikhonov, smoothness: c.smoothness, readoutTikhonov: first.readoutTikhonov)
            // The discrete problem on N·r layers (r = `discreteRefinement`): its distance to the continuum
            // solution is O(h/r); the initial weights of layer n are repeated on its r sublayers.
            let r = c.discreteRefinement
            let fine = try ResidualNetwork(field: field, layers: net.layers * r, horizon: c.horizon, lift: net.lift,
                                           readout: net.readout)
            var fineInitial = [Double](repeating: 0, count: fine.parameterCount)
            for n in 0..<fine.layers { for i in 0..<q { fineInitial[fine.layerOffset(n) + i] = initial[net.layerOffset(n / r) + i] } }
            for i in 0..<k { fineInitial[fine.readoutOffset + i] = initial[net.readoutOffset + i] }
            let discrete = try discreteStart(network: fine, data: split.train, initialParameters: fineInitial,
                                             precision: c.modelPrecision, regularization: reg, iterations: c.discreteIterations,
                                             constrainedIterations: c.constrainedIterations)
            for discreteRung in discrete.rungs {
                // Numbered before the Tikhonov decades (β < 0 in the order they ran).
                let rung = AnnealingRung(beta: discreteRung.beta - stages.count, modelPrecision: discreteRung.modelPrecision,
                                         action: discreteRung.action, parts: discreteRung.parts,
                                         gradientNorm: discreteRung.gradientNorm, iterations: discreteRung.iterations,
                                         evaluations: discreteRung.evaluations, status: discreteRung.status)
                rungs.append(rung)
                rungProgress?(rung.beta, rung)
                evaluations += rung.evaluations
            }
            let layout = TrainingStateLayout(samples: m, width: d, weights: q, readoutParameters: c.readout == .trained ? k : 0,
                                             hasWeightBlocks: true)
            discreteGuess = BoundaryValueTraining.discreteGuess(network: fine, data: split.train, unknowns: discrete.unknowns,
                                                                layout: layout, form: c.form, precision: c.modelPrecision,
                                                                smoothness: c.smoothness)
        }
        let preStages = stages.count
        stages += (0...c.annealSteps).map {
            Stage(horizon: c.horizon, tikhonov: tikhonov, readoutTikhonov: readoutTikhonov,
                  precision: c.modelPrecision * pow(c.annealFactor, Double($0)))
        }
        var previousStage = stages[0]
        // Solves one stage from the previous solution (rescaled in depth when the horizon changed).
        func attempt(_ stage: Stage) throws -> (BoundaryValueSolution, TrainingStateLayout, ActionParts, ContinuousTrainingProblem<ResidualField>) {
            let problem = try ContinuousTrainingProblem(
                field: field, horizon: stage.horizon, inputs: inputs, readout: net.readout, targets: targets,
                readoutParameters: c.readout.parameters(tikhonov: stage.readoutTikhonov), modelPrecision: stage.precision,
                smoothness: c.smoothness, tikhonov: stage.tikhonov, inputWeight: .infinity, outputWeight: 1)
            let built = c.form == .hamiltonian ? try problem.hamiltonianForm() : try problem.lagrangianForm()
            let layout = built.layout
            let guess: InitialGuess
            if let previous, stage.horizon == previousStage.horizon {
                guess = .solution(previous)
            } else if let previous {
                // Continuation in T: the previous solution rescaled in depth, y(t) = y_prev(t T_prev / T).
                let ratio = stage.horizon / previousStage.horizon
                guess = .mesh(previous.mesh.map { $0 * ratio }, values: previous.values)
            } else if let discreteGuess {
                guess = discreteGuess
            } else {
                guess = firstGuess(field: field, inputs: inputs, theta: theta0, readout: readout0, layout: layout,
                                   horizon: stage.horizon, nodes: max(net.layers + 1, 5), form: c.form)
            }
            let solution = try solveRung(problem, built, guess)
            evaluations += solution.stats.fieldEvaluations
            return (solution, layout, continuumAction(problem, layout: layout, form: c.form, solution: solution), problem)
        }
        for (index, target) in stages.enumerated() {
            let beta = index - preStages
            // Adaptive continuation: a stage that fails is approached through geometric midpoints
            // (in r_f, T, λ, μ) from the last solved stage, at most `maximumBisections` times.
            var pending = [target]
            var bisections = 0
            var failed = false
            while let stage = pending.last {
                let (solution, layout, action, problem) = try attempt(stage)
                if solution.succeeded || previous == nil {
                    if solution.succeeded || stage == target {
                        let rung = AnnealingRung(beta: beta, modelPrecision: stage.precision, action: action.total, parts: action,
                                                 gradientNorm: solution.maxResidual, iterations: solution.stats.newtonIterations,
                                                 evaluations: solution.stats.fieldEvaluations, status: solution.status.rawValue,
                                                 horizon: stage.horizon == c.horizon ? nil : stage.horizon)
                        if stage == target { rungs.append(rung); rungProgress?(beta, rung) }
                    }
                    if solution.succeeded || previous == nil {
                        previous = solution
                        previousLayout = layout
                        previousProblem = problem
                        previousStage = stage
                    }
                    pending.removeLast()
                } else if bisections < maximumBisections {
                    bisections += 1
                    pending.append(previousStage.midpoint(stage))
                } else {
                    // The failed stage's own r_f and T (a midpoint when bisection was tried), with its record.
                    let rung = AnnealingRung(beta: beta, modelPrecision: stage.precision, action: action.total, parts: action,
                                             gradientNorm: solution.maxResidual, iterations: solution.stats.newtonIterations,
                                             evaluations: solution.stats.fieldEvaluations, status: solution.status.rawValue,
                                             horizon: stage.horizon == c.horizon ? nil : stage.horizon)
                    rungs.append(rung)
                    rungProgress?(beta, rung)
                    failed = true
                    break
                }
            }
            if failed { break }
        }
        let seconds = Date().timeIntervalSince(start)
        var parameters = initial
        if let solution = previous, let layout = previousLayout, let problem = previousProblem {
            // A schedule that stopped during the continuation in T is read out rescaled in depth.
            let depthScale = previousStage.horizon / c.horizon
            for n in 0..<net.layers {
                let y = solution.value(at: Double(n) * net.stepSize * depthScale)
                for i in 0..<q { parameters[net.layerOffset(n) + i] = y[layout.weightOffset + i] }
            }
            let y = solution.value(at: previousStage.horizon)
            let readoutValues = problem.readoutValues(atEnd: y, layout: layout)
            for i in 0..<k { parameters[net.readoutOffset + i] = readoutValues[i] }
        }
        // The trained network is the flow ẋ = F(x, θ(t)) (§9e) on the last solved stage's horizon: θ from
        // the dense output on a uniform grid, the RK4 flow on it; the train loss is its reduced action per
        // sample, V/M with the action's weights (M·λ, α, M·μ), i.e. mean φ + (λ/2)∫|θ|² + (α/2M)∫|θ'|² + (μ/2)|(C, c)|².
        let trainedHorizon = previous == nil ? c.horizon : previousStage.horizon
        let flow = try ContinuumNetwork(field: field, horizon: trainedHorizon, intervals: evaluationIntervals(c, mesh: previous?.mesh),
                                        lift: net.lift, readout: net.readout)
        // Without a solved stage: the ResNet's (initial) weights, piecewise constant in depth.
        var flowParameters = flow.parameters(fromLayers: parameters, of: net)
        if let solution = previous, let layout = previousLayout {
            for node in 0...flow.intervals {
                let y = solution.value(at: node == flow.intervals ? trainedHorizon : Double(node) * flow.stepSize)
                for i in 0..<q { flowParameters[node * q + i] = y[layout.weightOffset + i] }
            }
        }
        let flowAction = try ReducedContinuumAction(network: flow, data: split.train, tikhonov: tikhonov,
                                                    smoothness: c.smoothness, readoutTikhonov: readoutTikhonov)
        let classification = split.train.isClassification
        let trainOutputs = flow.outputs(parameters: flowParameters, inputs: split.train.inputs)
        let testOutputs = flow.outputs(parameters: flowParameters, inputs: split.test.inputs)
        var report = TrainingReport(
            dataset: c.dataset.rawValue, method: c.method.rawValue,
            trainLoss: flowAction.parts(flowParameters).total / Double(m),
            trainAccuracy: classification ? Metrics.accuracy(outputs: trainOutputs, data: split.train) : nil,
            testAccuracy: classification ? Metrics.accuracy(outputs: testOutputs, data: split.test) : nil,
            testRMSE: classification ? nil : Metrics.rootMeanSquareError(outputs: testOutputs, data: split.test),
            action: rungs.last?.action, annealingRungs: rungs.count, epochs: nil, seconds: seconds,
            gradientEvaluations: evaluations, lossPerEpoch: [], status: rungs.last?.status ?? "none", rungs: rungs)
        report.flow = TrainedFlow(network: flow, parameters: flowParameters)
        return (report, parameters)
    }

    /// Intervals of the RK4 flow a trained network is evaluated with: 16 per layer, and at least four per
    /// interval of the solution's mesh (θ is interpolated linearly between the samples of the dense
    /// output, second order in this step; the RK4 flow of the interpolant is fourth order).
    static func evaluationIntervals(_ c: TrainingConfiguration, mesh: [Double]?) -> Int {
        max(16 * c.layers, 4 * ((mesh?.count ?? 1) - 1))
    }

    /// The reduced start's initial weights are the seeded ones scaled by this factor: a flow close to the
    /// identity over the whole horizon (the seeded scale 1/√d per entry over T = 10 is far from it).
    static let reducedStartWeightScale = 0.2

    /// Midpoint halvings of a failed continuation step (each halves the step in log r_f, log T, log λ, log μ).
    public static let maximumBisections = 4

    /// One continuation stage: the horizon, the Tikhonov weights and the model precision of a solve.
    struct Stage: Equatable {
        var horizon: Double, tikhonov: Double, readoutTikhonov: Double, precision: Double
        /// The geometric midpoint between two stages.
        func midpoint(_ other: Stage) -> Stage {
            Stage(horizon: (horizon * other.horizon).squareRoot(), tikhonov: (tikhonov * other.tikhonov).squareRoot(),
                  readoutTikhonov: (readoutTikhonov * other.readoutTikhonov).squareRoot(),
                  precision: (precision * other.precision).squareRoot())
        }
    }

    /// The smallest Tikhonov level of the continuation (it would never end for a zero target).
    static let regularizationFloor = 1e-8

    /// The continuation in the Tikhonov weights before the schedule: (λ_j, μ_j) = (max(λ, 10^{−j}),
    /// max(μ, 10^{−j})) for j = 0, 1, … while either is above its target, solved at r_f0. With λ, μ ≥ 1
    /// the problem is well conditioned near θ = 0 and the first rung converges from the constant guess;
    /// each decade is then a small perturbation of the previous solution (the target λ = μ = 1e-4 alone
    /// does not converge from that guess). Empty when both targets are ≥ 1; the decades stop at
    /// `regularizationFloor`, below which (λ = 0 or μ = 0 included) the schedule's rungs take the targets.
    static func regularizationSchedule(tikhonov: Double, readoutTikhonov: Double) -> [(Double, Double)] {
        var schedule = [(Double, Double)]()
        var level = 1.0
        while level >= regularizationFloor && (tikhonov < level || readoutTikhonov < level) {
            schedule.append((max(tikhonov, level), max(readoutTikhonov, level)))
            level /= 10
        }
        return schedule
    }

    /// The first rung's guess on `nodes` equally spaced nodes: x_k(t) the RK4 flow (8 steps per
    /// interval) of ẋ = F(x, θ) from the inputs, θ constant, momenta and conjugates zero, the readout
    /// constant (Lagrangian form: the second block ẋ_k = F(x_k, θ), the image of p_k = 0). Its model
    /// residual ẋ − F vanishes, so only the end conditions are violated.
    static func firstGuess<Field: DepthField>(field: Field, inputs: [Double], theta: [Double], readout: [Double],
                                              layout: TrainingStateLayout, horizon: Double, nodes: Int,
                                              form: BoundaryValueForm = .hamiltonian) -> InitialGuess {
        let n = layout.dimension, d = layout.width, states = layout.states, substeps = 8
        let h = horizon / Double((nodes - 1) * substeps)
        var mesh = [Double](), values = [Double]()
        var x = inputs
        var k1 = [Double](repeating: 0, count: d), k2 = k1, k3 = k1, k4 = k1, stage = k1
        for node in 0..<nodes {
            mesh.append(node == nodes - 1 ? horizon : horizon * Double(node) / Double(nodes - 1))
            var y = [Double](repeating: 0, count: n)
            for i in 0..<states { y[i] = x[i] }
            if form == .lagrangian {
                for s in 0..<layout.samples {
                    field.value(x: Array(x[(s * d)..<((s + 1) * d)]), theta: theta, into: &k1)
                    for i in 0..<d { y[layout.secondOffset + s * d + i] = k1[i] }
                }
            }
            for i in 0..<theta.count { y[layout.weightOffset + i] = theta[i] }
            for i in 0..<layout.readoutParameters { y[layout.readoutOffset + i] = readout[i] }
            values += y
            guard node < nodes - 1 else { break }
            for _ in 0..<substeps {
                for s in 0..<layout.samples {
                    let xs = Array(x[(s * d)..<((s + 1) * d)])
                    field.value(x: xs, theta: theta, into: &k1)
                    for i in 0..<d { stage[i] = xs[i] + 0.5 * h * k1[i] }
                    field.value(x: stage, theta: theta, into: &k2)
                    for i in 0..<d { stage[i] = xs[i] + 0.5 * h * k2[i] }
                    field.value(x: stage, theta: theta, into: &k3)
                    for i in 0..<d { stage[i] = xs[i] + h * k3[i] }
                    field.value(x: stage, theta: theta, into: &k4)
                    for i in 0..<d { x[s * d + i] = xs[i] + h / 6 * (k1[i] + 2 * k2[i] + 2 * k3[i] + k4[i]) }
                }
            }
        }
        return .mesh(mesh, values: values)
    }
}
