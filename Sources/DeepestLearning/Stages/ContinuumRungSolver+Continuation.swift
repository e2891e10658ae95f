import BoundaryValue
import Foundation
import NumericCore

extension ContinuumRungSolver {
    /// The context's frozen (readout) parameters with their values in `parameters` (index in the
    /// readout → value), for `ContinuousTrainingProblem.freezingReadout` (which refuses a projected
    /// readout). Throws `InvalidArgument` for a frozen layer weight.
    func frozenReadout(_ context: TrainingContext, parameters: [Double], stage: String) throws -> [Int: Double] {
        let frozen = try context.frozenReadout(stage: stage)
        return Dictionary(uniqueKeysWithValues: frozen.map { ($0, parameters[context.network.readoutOffset + $0]) })
    }

    /// Solves the continuum problem at each point of `points` in turn (rung β = `betas[i]`), each from
    /// the iterate: the previous continuum solution (rescaled in depth when the horizon changed), else
    /// the guess of the last stage (`guess`). A point whose solve fails is approached through up to
    /// `maximumBisections` geometric midpoints from the last solved point (in r_f, T, λ, μ); a point
    /// that still fails is recorded with its status and ends the pipeline. The first solve of a
    /// pipeline is accepted whatever its status (there is nothing to bisect from). Every attempt's
    /// field evaluations count in the record. With `context.checkpoint` the ladder checkpoints after its
    /// target rungs and resumes from the last one (ContinuumRungSolver+Checkpoint.swift).
    func climb(_ points: [ContinuationPoint], betas: [Int], type: String, iterate: inout TrainingIterate,
               context: TrainingContext, progress: StageProgress?) throws -> StageRecord {
        let start = Date()
        let solveRung = try rungSolve(context, iterate: iterate)
        let weights = try context.actionRegularization()
        let frozen = try frozenReadout(context, parameters: iterate.parameters, stage: type)
        var rungs = [AnnealingRung](), evaluations = 0, failed = false
        func makeProblem(_ point: ContinuationPoint) throws -> ContinuousTrainingProblem<ResidualField> {
            try ContinuousTrainingProblem(
                field: context.network.field, horizon: point.horizon, inputs: context.liftedInputs, readout: context.network.readout,
                targets: context.targets, readoutParameters: readout.parameters(tikhonov: point.readoutTikhonov),
                modelPrecision: point.precision, smoothness: weights.smoothness, tikhonov: point.tikhonov,
                inputWeight: .infinity, outputWeight: 1).freezingReadout(frozen)
        }
        // With a checkpoint policy: continue after the saved target rungs, and save after each due one.
        var first = 0
        var schedule: CheckpointSchedule?
        var fingerprint: CheckpointFingerprint?
        if let policy = context.checkpoint {
            let stamp = checkpointFingerprint(points, betas: betas, type: type, iterate: iterate, context: context, policy: policy)
            if let saved = try policy.restore(Self.checkpointName, kind: Self.checkpointKind, fingerprint: stamp) {
                let climb = try SavedClimb(saved, file: policy.file(Self.checkpointName))
                guard climb.next <= points.count else { throw CheckpointError.corrupt(policy.file(Self.checkpointName), "rung \(climb.next)") }
                (first, rungs, evaluations) = (climb.next, climb.rungs, climb.evaluations)
                if let solution = climb.solution, let point = climb.point {
                    let problem = try makeProblem(point)
                    let built = form == .hamiltonian ? try problem.hamiltonianForm() : try problem.lagrangianForm()
                    iterate.continuum = .init(solution: solution, problem: problem, layout: built.layout, form: form, point: point)
                    iterate.source = .continuum
                }
            }
            schedule = CheckpointSchedule(policy, name: Self.checkpointName, progress: first)
            fingerprint = stamp
        }
        func record(_ point: ContinuationPoint, beta: Int, _ solution: BoundaryValueSolution, _ parts: ActionParts) -> AnnealingRung {
            AnnealingRung(beta: beta, modelPrecision: point.precision, action: parts.total, parts: parts,
                          gradientNorm: solution.maxResidual, iterations: solution.stats.newtonIterations,
                          evaluations: solution.stats.fieldEvaluations, status: solution.status.rawValue,
                          horizon: point.horizon == context.network.horizon ? nil : point.horizon)
        }
        for (index, (target, beta)) in zip(points, betas).enumerated() where index >= first {
            var pending = [target], bisections = 0
            while let point = pending.last {
                let problem = try makeProblem(point)
                let built = form == .hamiltonian ? try problem.hamiltonianForm() : try problem.lagrangianForm()
                let solution = try solveRung(problem, built, try guess(iterate, point: point, layout: built.layout, context: context))
                evaluations += solution.stats.fieldEvaluations
                let parts = BoundaryValueTraining.continuumAction(problem, layout: built.layout, form: form, solution: solution)
                let previous = iterate.continuum
                if solution.succeeded || previous == nil {
                    if point == target {
                        let rung = record(point, beta: beta, solution, parts)
                        rungs.append(rung)
                        progress?(.rung(rung))
                    }
                    iterate.continuum = .init(solution: solution, problem: problem, layout: built.layout, form: form, point: point)
                    iterate.source = .continuum
                    pending.removeLast()
                } else if bisections < Self.maximumBisections, let previous {
                    bisections += 1
                    pending.append(previous.point.midpoint(point))
                } else {
                    let rung = record(point, beta: beta, solution, parts)
                    rungs.append(rung)
                    progress?(.rung(rung))
                    failed = true
                    break
                }
            }
            if failed { break }
            if let schedule, let fingerprint, index + 1 == points.count || schedule.isDue(at: index + 1) {
                try schedule.write(at: index + 1) {
                    SavedClimb(next: index + 1, evaluations: evaluations, rungs: rungs, solution: iterate.continuum?.solution,
                               point: iterate.continuum?.point).checkpoint(fingerprint)
                }
            }
        }
        if let solved = iterate.continuum { iterate.parameters = solved.layerParameters(of: context.network) }
        return StageRecord(type: type, rungs: rungs, seconds: Date().timeIntervalSince(start), evaluations: evaluations,
                           status: rungs.last?.status ?? "none", endsPipeline: failed)
    }

    /// The guess of a continuum solve at `point` from the iterate, by the kind of stage that left it; a
    /// guess on another horizon (a ResNet's or a discrete solution's, before a continuation in T) is
    /// rescaled in depth, y(t) = y_guess(t T_guess/T).
    func guess(_ iterate: TrainingIterate, point: ContinuationPoint, layout: TrainingStateLayout,
               context: TrainingContext) throws -> InitialGuess {
        let guess = try unscaledGuess(iterate, point: point, layout: layout, context: context)
        if case .mesh(let mesh, let values) = guess, let end = mesh.last, end > 0, end != point.horizon {
            var scaled = mesh.map { $0 * point.horizon / end }
            scaled[scaled.count - 1] = point.horizon
            return .mesh(scaled, values: values)
        }
        return guess
    }

    private func unscaledGuess(_ iterate: TrainingIterate, point: ContinuationPoint, layout: TrainingStateLayout,
                               context: TrainingContext) throws -> InitialGuess {
        let net = context.network, smoothness = try context.actionRegularization().smoothness
        switch iterate.source {
        case .continuum:
            let previous = iterate.continuum!
            if point.horizon == previous.point.horizon { return .solution(previous.solution) }
            // Continuation in T: the previous solution rescaled in depth, y(t) = y_prev(t T_prev / T).
            let ratio = point.horizon / previous.point.horizon
            return .mesh(previous.solution.mesh.map { $0 * ratio }, values: previous.solution.values)
        case .discrete:
            let discrete = iterate.discrete!
            return BoundaryValueTraining.discreteGuess(network: discrete.network, data: context.data, unknowns: discrete.unknowns,
                                                       layout: layout, form: form, precision: discrete.precision, smoothness: smoothness)
        case .reduced:
            let reduced = iterate.reduced!
            return BoundaryValueTraining.reducedGuess(action: reduced.action, parameters: reduced.parameters, layout: layout,
                                                      form: form, precision: point.precision, smoothness: smoothness)
        case .minibatch:
            // The forward pass of the trained ResNet with its backprop costates.
            let action = try TrainingAction(network: net, data: context.data, modelPrecision: point.precision, inputWeight: .infinity,
                                            outputWeight: 1, regularization: try context.actionRegularization())
            return BoundaryValueTraining.discreteGuess(network: net, data: context.data, unknowns: action.unknowns(parameters: iterate.parameters),
                                                       layout: layout, form: form, precision: point.precision, smoothness: smoothness)
        case .initial:
            let q = net.layerParameterCount
            return BoundaryValueTraining.firstGuess(field: net.field, inputs: context.liftedInputs, theta: Array(iterate.parameters[0..<q]),
                                                    readout: Array(iterate.parameters[net.readoutOffset...]), layout: layout,
                                                    horizon: point.horizon, nodes: max(net.layers + 1, 5), form: form)
        }
    }
}

extension TrainingIterate.ContinuumSolution {
    /// The ResNet parameters of `network` read from the dense output: θ_n = θ(n h s) with s the ratio of
    /// the solved horizon to the network's (a continuation in T that stopped early), the readout from
    /// the end state.
    func layerParameters(of network: ResidualNetwork) -> [Double] {
        let q = network.layerParameterCount, k = network.readoutParameterCount
        var parameters = [Double](repeating: 0, count: network.parameterCount)
        let depthScale = point.horizon / network.horizon
        for n in 0..<network.layers {
            let y = solution.value(at: Double(n) * network.stepSize * depthScale)
            for i in 0..<q { parameters[network.layerOffset(n) + i] = y[layout.weightOffset + i] }
        }
        let readoutValues = problem.readoutValues(atEnd: solution.value(at: point.horizon), layout: layout)
        for i in 0..<k { parameters[network.readoutOffset + i] = readoutValues[i] }
        return parameters
    }
}
