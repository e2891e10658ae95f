import BoundaryValue
import Foundation
import NumericCore
import Testing
@testable import DeepestLearning

/// The reduced start of the continuum methods (Notes/deepest-learning-action.md §9e): a stationary
/// point of the reduced continuum action (RK4 flow, piecewise-linear weights on K intervals) is a
/// second-order consistent discretisation of the r_f = ∞ Hamiltonian boundary value problem, so
/// collocation converges from its guess and its nodal weights are within O(h²) of the continuum ones.
///
/// Problem: 6 random points in the plane with 2 classes, width 2, tanh, softmax readout, T = 1,
/// α = λ = μ = 1 (an isolated stationary point).
@Suite struct BoundaryValueTrainingReducedStartTests {
    static let horizon = 1.0

    /// For K = 4, 8, 16, 32: L-BFGS converges on V; Lobatto IIIA collocation of the r_f = ∞ problem
    /// (tolerance 1e-9) from the reduced guess converges with residual ≤ 1e-9; the continuum actions
    /// from the four guesses agree to 1e-7 relative; max_n |θ(t_n) − θ_n| with the readout error (L-BFGS
    /// to ‖∇V‖_∞ ≤ 1e-11, below the discretisation error) has fitted order in [1.7, 2.4] and the order
    /// of the last halving in [1.8, 2.3].
    @Test func collocationFromTheReducedStartConvergesAndTheReducedWeightsAreSecondOrder() throws {
        let data = try randomDataset(count: 6, inputDimension: 2, classes: 2, seed: 11)
        let field = try ResidualField(width: 2, activation: .tanh)
        let lift = try InputLift.padding(from: 2, to: 2)
        let problem = try ContinuousTrainingProblem(
            field: field, horizon: Self.horizon, inputs: data.inputs, readout: data.readout,
            targets: try ResidualNetwork(field: field, layers: 1, horizon: Self.horizon, lift: lift, readout: data.readout).targetRows(data),
            readoutParameters: .trained(tikhonov: 1), modelPrecision: .infinity, smoothness: 1, tikhonov: 1,
            inputWeight: .infinity, outputWeight: 1)
        let built = try problem.hamiltonianForm()
        let collocation = Collocation(scheme: .lobatto3, tolerance: 1e-9, maxNodes: 2000, maxNewtonIterations: 30)
        var steps = [Double](), errors = [Double](), actions = [Double]()
        for intervals in [4, 8, 16, 32] {
            let network = try ContinuumNetwork(field: field, horizon: Self.horizon, intervals: intervals, lift: lift, readout: data.readout)
            let action = try ReducedContinuumAction(network: network, data: data, tikhonov: 1, smoothness: 1, readoutTikhonov: 1)
            let start = randomVector(network.parameterCount, seed: 3, scale: 0.5)
            let reduced = try BoundaryValueTraining.reducedStart(action: action, initialParameters: start, iterations: 5000,
                                                                 precision: .infinity, gradientTolerance: 1e-11)
            try #require(reduced.rung.status == "reduced-converged", "K = \(intervals): \(reduced.rung)")
            let guess = BoundaryValueTraining.reducedGuess(action: action, parameters: reduced.parameters, layout: built.layout,
                                                           form: .hamiltonian, precision: .infinity, smoothness: 1)
            let solution = try solve(try built.boundaryValueProblem(), collocation, initialGuess: guess)
            try #require(solution.succeeded, "K = \(intervals): \(solution.message)")
            #expect(solution.maxResidual <= 1e-9, "K = \(intervals): residual \(solution.maxResidual)")
            let layout = built.layout, q = layout.weights
            var error = 0.0
            for node in 0...intervals {
                let y = solution.value(at: Double(node) * network.stepSize)
                for i in 0..<q { error = max(error, abs(y[layout.weightOffset + i] - reduced.parameters[node * q + i])) }
            }
            let end = solution.value(at: Self.horizon)
            for i in 0..<layout.readoutParameters {
                error = max(error, abs(end[layout.readoutOffset + i] - reduced.parameters[network.readoutOffset + i]))
            }
            steps.append(network.stepSize)
            errors.append(error)
            actions.append(BoundaryValueTraining.continuumAction(problem, layout: layout, form: .hamiltonian, solution: solution).total)
        }
        let spread = (actions.max() ?? 0) - (actions.min() ?? 0)
        #expect(spread <= 1e-7 * abs(actions[0]), "continuum actions from the four guesses: \(actions)")
        let fit = try OrderFit.fit(steps: steps, errors: errors)
        #expect(fit.order > 1.7 && fit.order < 2.4, "fitted order \(fit.order) [expected 2], h \(steps), weight errors \(errors)")
        // The step-by-step orders tend to 2 (the first pair is pre-asymptotic).
        let local = log2(errors[errors.count - 2] / errors[errors.count - 1])
        #expect(local > 1.8 && local < 2.3, "order of the last halving \(local), errors \(errors)")
        print("reduced start: weight errors \(errors), fitted order \(fit.order), last halving \(local)")
    }

    /// The collocation-reduced recipe's pipeline: the reduced rung (converged), then the continuum rung
    /// at r_f0 (success).
    @Test func theReducedStartReplacesTheDiscreteStart() throws {
        let (c, split) = try StructuredCollocationTests.tinySineProblem()
        let report = try c.run([try ReducedActionStage(iterations: 2000),
                                try ContinuumAnnealingStage(initialPrecision: 1e6, steps: 0, solver: try ContinuumRungSolver(tolerance: 1e-6))],
                               split: split).report
        #expect(report.stages.map(\.type) == ["reduced-action", "continuum-annealing"] && report.rungs.count == 2, "\(report.rungs)")
        #expect(report.rungs.first?.status == "reduced-converged", "\(report.rungs)")
        #expect(report.rungs.last?.status == "success", "\(report.rungs)")
        // The reported train loss is the trained flow's reduced action per sample: M·trainLoss is the
        // continuum action up to the two discretisations and the model error of r_f = 1e6.
        if let continuum = report.action {
            let perSample = report.trainLoss * Double(split.train.count)
            #expect(abs(perSample - continuum) <= 1e-2 * abs(continuum), "M·trainLoss \(perSample), action \(continuum)")
        }
        // The reduced and the continuum actions agree to the discretisation and r_f errors.
        if let reduced = report.rungs.first?.action, let continuum = report.action {
            #expect(abs(reduced - continuum) <= 1e-2 * abs(continuum), "reduced \(reduced), continuum \(continuum)")
        }
    }
}
