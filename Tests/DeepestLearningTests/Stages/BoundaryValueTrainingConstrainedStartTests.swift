import BoundaryValue
import Foundation
import NumericCore
import Testing
@testable import DeepestLearning

/// The constrained discrete start of the continuum methods (Notes/deepest-learning-action.md §9d):
/// the exactly constrained discrete stationary point (states = forward pass, costates = backprop,
/// ∇V(θ) = 0, `solveProjected`) is the symplectic-Euler discretisation of the continuum problem with
/// r_f = ∞ (ẋ = F, ṗ = −(∂ₓF)ᵀp, π' = λθ − Σ_k ∂_θ[p_k·F], θ' = π/α), so collocation started from its
/// guess converges to the continuum stationary point and the discrete weights are within O(h) of it.
///
/// Problem: 6 random points in the plane with 2 classes, width 2, tanh, softmax readout, T = 1,
/// α = λ = μ = 1 (the stationary point is isolated, so every N and the continuum are on one branch).
@Suite struct BoundaryValueTrainingConstrainedStartTests {
    static let horizon = 1.0, smoothness = 1.0, tikhonov = 1.0, readoutTikhonov = 1.0
    static let layerCounts = [8, 16, 32, 64]

    /// For every N: the discrete start (one penalty iteration at r_f = 1e6, then the constrained rung)
    /// converges (status discrete-constrained-converged); Lobatto IIIA collocation of the r_f = ∞
    /// continuum problem (tolerance 1e-9) from its guess converges with residual ≤ 1e-9; the continuum
    /// actions from the four guesses agree to 1e-7 relative (one stationary point); the structured
    /// collocation on the layers' mesh reaches the same dense output as the dense-block one to 1e-6
    /// (N = 8); and max_n |θ(t_{n+1/2}) − θ_n| together with the readout error has fitted order in
    /// [0.85, 1.3] (symplectic Euler is first order).
    @Test func continuumRungFromTheConstrainedStartConvergesAndTheDiscreteWeightsAreFirstOrder() throws {
        let data = try randomDataset(count: 6, inputDimension: 2, classes: 2, seed: 11)
        let field = try ResidualField(width: 2, activation: .tanh)
        let problem = try ContinuousTrainingProblem(
            field: field, horizon: Self.horizon, inputs: data.inputs, readout: data.readout,
            targets: try ResidualNetwork(field: field, layers: 1, horizon: Self.horizon, lift: try InputLift.padding(from: 2, to: 2),
                                         readout: data.readout).targetRows(data),
            readoutParameters: .trained(tikhonov: Self.readoutTikhonov), modelPrecision: .infinity,
            smoothness: Self.smoothness, tikhonov: Self.tikhonov, inputWeight: .infinity, outputWeight: 1)
        let built = try problem.hamiltonianForm()
        let regularization = try Regularization(tikhonov: Self.tikhonov, smoothness: Self.smoothness,
                                                readoutTikhonov: Self.readoutTikhonov)
        let collocation = Collocation(scheme: .lobatto3, tolerance: 1e-9, maxNodes: 2000, maxNewtonIterations: 30)
        var steps = [Double](), errors = [Double](), actions = [Double]()
        for layers in Self.layerCounts {
            let network = try ResidualNetwork(field: field, layers: layers, horizon: Self.horizon,
                                              lift: try InputLift.padding(from: 2, to: 2), readout: data.readout)
            let discrete = try discreteStationaryPoint(
                network: network, data: data, initialParameters: network.initialParameters(seed: 3), precision: 1e6,
                regularization: regularization, iterations: 1, constrainedIterations: 200)
            try #require(discrete.rungs.last?.status == "constrained-converged",
                         "N = \(layers): \(discrete.rungs.map(\.status))")
            let guess = BoundaryValueTraining.discreteGuess(network: network, data: data, unknowns: discrete.unknowns,
                                                            layout: built.layout, form: .hamiltonian, precision: .infinity,
                                                            smoothness: Self.smoothness)
            let solution = try solve(try built.boundaryValueProblem(), collocation, initialGuess: guess)
            try #require(solution.succeeded, "N = \(layers): \(solution.message)")
            #expect(solution.maxResidual <= 1e-9, "N = \(layers): residual \(solution.maxResidual)")
            if layers == Self.layerCounts[0], case .mesh(let mesh, _) = guess {
                let structured = try StructuredCollocation(tolerance: 1e-9, adaptive: true).solve(problem, mesh: mesh,
                                                                                                   initialGuess: guess)
                try #require(structured.succeeded, "structured: \(structured.message)")
                var gap = 0.0
                for t in stride(from: 0.0, through: Self.horizon, by: Self.horizon / 32) {
                    let a = solution.value(at: t), b = structured.value(at: t)
                    for i in 0..<a.count { gap = max(gap, abs(a[i] - b[i])) }
                }
                #expect(gap <= 1e-6, "structured and dense-block collocation differ by \(gap)")
            }
            let layout = built.layout, q = layout.weights, h = Self.horizon / Double(layers)
            var error = 0.0
            for n in 0..<layers {
                let y = solution.value(at: (Double(n) + 0.5) * h)
                for i in 0..<q { error = max(error, abs(y[layout.weightOffset + i] - discrete.parameters[network.layerOffset(n) + i])) }
            }
            let end = solution.value(at: Self.horizon)
            for i in 0..<layout.readoutParameters {
                error = max(error, abs(end[layout.readoutOffset + i] - discrete.parameters[network.readoutOffset + i]))
            }
            steps.append(h)
            errors.append(error)
            actions.append(BoundaryValueTraining.continuumAction(problem, layout: layout, form: .hamiltonian, solution: solution).total)
        }
        let spread = (actions.max() ?? 0) - (actions.min() ?? 0)
        #expect(spread <= 1e-7 * abs(actions[0]), "continuum actions from the four guesses: \(actions)")
        let fit = try OrderFit.fit(steps: steps, errors: errors)
        #expect(fit.order > 0.85 && fit.order < 1.3, "h \(steps), weight errors \(errors), fitted order \(fit.order)")
    }

    /// The constrained start needs no Tikhonov decades: from the discrete penalty rung and the exactly
    /// constrained rung at the target weights λ = μ = 1e-2, the continuum rung at r_f0 converges; the
    /// penalty start at the first decade (λ = μ = 1) is followed by the decades 1 and 0.1 (rungs
    /// β = −2, −1) before the annealing rung.
    @Test func theConstrainedStartReplacesTheTikhonovDecades() throws {
        var (c, split) = try StructuredCollocationTests.tinySineProblem()
        c.tikhonov = 1e-2 / Double(split.train.count); c.readoutTikhonov = c.tikhonov
        let solver = try ContinuumRungSolver(tolerance: 1e-6)
        let constrained = try c.run([try DiscreteAnnealingStage(initialPrecision: 1e6, newtonIterations: 1),
                                     try ConstrainedStage(iterations: 100),
                                     try ContinuumAnnealingStage(initialPrecision: 1e6, steps: 0, solver: solver)], split: split).report
        #expect(constrained.stages.map(\.rungs.count) == [1, 1, 1], "\(constrained.rungs)")
        #expect(constrained.rungs[1].status == "constrained-converged", "\(constrained.rungs)")
        #expect(constrained.rungs.last?.status == "success", "\(constrained.rungs)")
        // The penalty start at the first decade: the decades λ·M = 1 and 0.1 come before β = 0.
        let penalty = try c.run([try DiscreteAnnealingStage(newtonIterations: 200, tikhonovLevel: 1),
                                 try TikhonovContinuationStage(solver: solver),
                                 try ContinuumAnnealingStage(steps: 0, solver: solver)], split: split).report
        #expect(penalty.rungs.map(\.beta) == [0, -2, -1, 0], "\(penalty.rungs)")
    }
}
