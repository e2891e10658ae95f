import Foundation
import NumericCore
import Stochastic
import Testing
@testable import DeepestLearning

/// The Langevin flow of the training action against mathematics: its drift is −P∇V (finite
/// differences), the engine's split form reproduces it, its invariant law without data is the Gaussian
/// exp(−V/Temp) with the scheme's own Δτ bias, and at Temp = 0 it is the gradient flow that returns to
/// the stationary point L-BFGS finds.
@Suite struct LangevinFlowTests {
    static func smallProblem(layers: Int = 4, count: Int = 10) throws -> (ResidualNetwork, Dataset) {
        let data = try randomDataset(count: count, inputDimension: 2, classes: nil, outputs: 1, seed: 3)
        let network = try ResidualNetwork(field: try ResidualField(width: 2, activation: .tanh), layers: layers, horizon: 1,
                                          lift: try .padding(from: 2, to: 2), readout: data.readout)
        return (network, data)
    }

    /// −P∇V with P = 1/h on the weights and 1 on the readout, against central differences of V; and one
    /// noiseless step of Δτ = 1e-9 of the engine (implicit penalties, explicit data) moves the state by
    /// Δτ times that drift.
    @Test func driftIsThePreconditionedNegativeGradient() throws {
        let (network, data) = try Self.smallProblem()
        let regularization = try Regularization(tikhonov: 0.3, smoothness: 0.2, readoutTikhonov: 0.1)
        let flow = try LangevinFlow(network: network, data: data, regularization: regularization,
                                    schedule: try TemperatureSchedule(.constant, initial: 0))
        let point = network.initialParameters(seed: 4, weightScale: 1.5)
        let (_, drift) = try flow.actionAndDrift(point)
        let gradient = centralDifferences(point) { (try? flow.actionAndDrift($0).action) ?? .nan }
        let h = network.stepSize
        let expected = gradient.enumerated().map { i, g in i < network.readoutOffset ? -g / h : -g }
        #expect(relativeError(drift, expected) < 1e-7)

        let dt = 1e-9
        let stepper = try SPDEStepper(try flow.equation(start: point), modes: [network.layers], scheme: .semiImplicit, timeStep: dt)
        #expect(relativeError(flow.parameters(of: stepper), point) < 1e-14)
        #expect(stepper.step(increments: nil))
        let moved = flow.parameters(of: stepper)
        let rate = zip(moved, point).map { ($0 - $1) / dt }
        #expect(relativeError(rate, drift) < 1e-5, "engine step rate against −P∇V")
    }

    /// Without data (w = 0) V is the penalty alone, a quadratic form diagonal in the flow's cosine modes
    /// with rates μ_j = α·4sin²(πj/2N)/h² + λ (and μ for the readout), so exp(−V/Temp) gives each mode the
    /// variance Temp/μ_j; the semi-implicit scheme's own stationary variance is 2Temp/(μ_j(2 + μ_jΔτ)).
    /// Ensemble of 1500 paths at τ = 12 (every mode relaxed to e^{−24}), per mode within 4.5 standard errors.
    @Test func invariantLawWithoutDataIsTheGaussianOfThePenalty() throws {
        let (network, data) = try Self.smallProblem(layers: 4, count: 2)
        let regularization = try Regularization(tikhonov: 1, smoothness: 0.05, readoutTikhonov: 2)
        let temperature = 0.02, dt = 0.05
        let flow = try LangevinFlow(network: network, data: data, regularization: regularization, dataWeight: 0,
                                    schedule: try TemperatureSchedule(.constant, initial: temperature))
        let equation = try flow.equation(start: [Double](repeating: 0, count: network.parameterCount))
        let result = try solve(equation, SPDEEnsemble(scheme: .semiImplicit, modes: [network.layers], timeStep: dt, steps: 240,
                                                      paths: 1500, seed: 8))
        let grid = try equation.grid(modes: [network.layers])
        let mu = equation.rates(on: grid) + [Double](repeating: regularization.readoutTikhonov, count: network.readoutParameterCount)
        // Mode order equals the grid layout for the cosine basis; the globals follow.
        for k in mu.indices {
            let scheme = 2 * temperature / (mu[k] * (2 + mu[k] * dt)), gaussian = temperature / mu[k]
            #expect(abs(result.modeSecondMoments[k] - scheme) < 4.5 * result.modeStandardErrors[k],
                    "mode \(k): \(result.modeSecondMoments[k]) ± \(result.modeStandardErrors[k]), scheme \(scheme), Gaussian \(gaussian)")
        }
        // The Δτ bias is resolved: the slowest mode's scheme variance differs from the Gaussian's by μΔτ/2.
        let slow = mu.min()!
        #expect(abs(2 / (2 + slow * dt) - 1) > 0.02)
    }

    /// At Temp = 0 the flow is the preconditioned gradient flow: from a perturbation of the point the
    /// symplectic-euler recipe converged to (a strict local minimum, index 0) it returns to that point.
    @Test func noiselessFlowReturnsToTheStationaryPointOfTheRecipe() throws {
        let (network, data) = try Self.smallProblem()
        let context = try TrainingContext(network: network, data: data, regularization: try Regularization(tikhonov: 1e-2, readoutTikhonov: 1e-2),
                                          seed: 5, smoothnessScale: Double(data.count))
        var iterate = TrainingIterate(initialParameters: context.initialParameters())
        _ = try DiscreteLBFGSStage(iterations: 20000, gradientTolerance: 1e-11).run(&iterate, in: context, progress: nil)
        let minimum = iterate.parameters
        let morse = try #require(try MorseIndex.discrete(network: network, data: data, parameters: minimum,
                                                         regularization: try context.actionRegularization()))
        #expect(morse.index == 0)
        var perturbed = minimum
        for i in perturbed.indices { perturbed[i] += 1e-3 * sin(Double(i)) }
        iterate.parameters = perturbed
        let stage = try LangevinStage(steps: 4000, timeStep: 0.02, temperature: 0, schedule: .constant, quench: 0)
        let record = try stage.run(&iterate, in: context, progress: nil)
        #expect(record.status == "langevin-completed")
        #expect(relativeError(iterate.parameters, minimum) < 1e-6, "flow end vs L-BFGS point: \(relativeError(iterate.parameters, minimum))")
    }

    /// The flow's noise is additive and its depth grid fixed, so semi-implicit Euler–Maruyama is strong
    /// and weak order 1 in τ (Notes/spde-schemes.md); measured through the engine's study API on one
    /// Brownian path per sample (the readout's Wiener processes included), 400 paths, 32–256 steps against
    /// 4096 (at 8 steps μ_maxΔτ is large and the errors are pre-asymptotic), the weak error of |θ̂|²
    /// coupled on the same paths; ±0.15.
    @Test func strongAndWeakOrdersInOptimisationTimeAreOne() throws {
        let (network, data) = try Self.smallProblem(layers: 4, count: 6)
        let flow = try LangevinFlow(network: network, data: data, regularization: try Regularization(tikhonov: 0.1, smoothness: 0.05),
                                    schedule: try TemperatureSchedule(.constant, initial: 0.05))
        let solver = try SPDEPathwiseSolver(try flow.equation(start: network.initialParameters(seed: 2)), scheme: .semiImplicit,
                                            horizon: 1, finestModes: [network.layers])
        #expect(solver.wienerDimension == network.parameterCount)
        let study = try ConvergenceStudy(steps: [32, 64, 128, 256], reference: .fineSolution(StudyResolution(steps: 4096)),
                                         paths: 400, seed: 6, weakFunctional: .squaredNorm)
        let run = try solve(solver, study)
        let curve = try #require(run.strong), weak = try #require(run.weak)
        #expect(run.failedPaths == 0)
        #expect(abs(curve.order - 1) < 0.15, "errors \(curve.errors), order \(curve.order)")
        #expect(abs(weak.order - 1) < 0.15, "weak errors \(weak.errors), order \(weak.order)")
    }
}
