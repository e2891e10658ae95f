import BoundaryValue
import Foundation
import NumericCore
import Testing
@testable import DeepestLearning

/// The discrete start of the continuum methods (Notes/deepest-learning-action.md §9c): the guess built
/// from the symplectic-Euler stationary point is an O(h) approximation of the continuum boundary value
/// problem's solution, and collocation from it converges to that solution.
///
/// Problem: 6 random points in the plane with 2 classes, width 2 (zero padding is the identity), tanh,
/// softmax readout, T = 1, r_f = 2, α = 1, λ = μ = 1 (well conditioned: the stationary point is
/// isolated, so the discrete solutions for every N and the continuum solution are on one branch).
@Suite struct BoundaryValueTrainingDiscreteStartTests {
    static let horizon = 1.0, precision = 2.0, smoothness = 1.0, tikhonov = 1.0, readoutTikhonov = 1.0
    static let layerCounts = [8, 16, 32, 64]

    struct Case {
        let network: ResidualNetwork
        let problem: ContinuousTrainingProblem<ResidualField>
        let built: TrainingBoundaryValueProblem
        let discrete: AnnealingResult
        let mesh: [Double]
        let values: [Double]
    }

    static func make(layers: Int) throws -> Case {
        let data = try randomDataset(count: 6, inputDimension: 2, classes: 2, seed: 11)
        let field = try ResidualField(width: 2, activation: .tanh)
        let network = try ResidualNetwork(field: field, layers: layers, horizon: horizon,
                                          lift: try InputLift.padding(from: 2, to: 2), readout: data.readout)
        let problem = try ContinuousTrainingProblem(
            field: field, horizon: horizon, inputs: data.inputs, readout: network.readout,
            targets: try network.targetRows(data), readoutParameters: .trained(tikhonov: readoutTikhonov),
            modelPrecision: precision, smoothness: smoothness, tikhonov: tikhonov, inputWeight: .infinity, outputWeight: 1)
        let built = try problem.hamiltonianForm()
        let regularization = try Regularization(tikhonov: tikhonov, smoothness: smoothness, readoutTikhonov: readoutTikhonov)
        let discrete = try discreteStationaryPoint(
            network: network, data: data, initialParameters: network.initialParameters(seed: 3), precision: precision,
            regularization: regularization, iterations: 50, constrainedIterations: 0)
        let guess = BoundaryValueTraining.discreteGuess(network: network, data: data, unknowns: discrete.unknowns,
                                                        layout: built.layout, form: .hamiltonian, precision: precision,
                                                        smoothness: smoothness)
        guard case .mesh(let mesh, let values) = guess else { throw InvalidArgument("guess", "not a mesh", "a mesh") }
        return Case(network: network, problem: problem, built: built, discrete: discrete, mesh: mesh, values: values)
    }

    /// The guess satisfies the boundary conditions to round-off (x_k(0) = y_k^in, π(0) = π(T) = 0,
    /// p_k(T) = −∇φ_k, the readout's stationarity holds at the discrete stationary point), and its
    /// trapezoid defect max_n |(y_{n+1} − y_n)/h − (f(y_n) + f(y_{n+1}))/2| against the continuum
    /// Hamiltonian field is O(h) (symplectic Euler is first order; the exact solution's defect is
    /// O(h²)): fitted order in [0.85, 1.3] over N = 8..64.
    @Test func guessHasFirstOrderDefectAgainstTheContinuumEquations() throws {
        var steps = [Double](), defects = [Double]()
        for layers in Self.layerCounts {
            let c = try Self.make(layers: layers)
            try #require(c.discrete.rungs.last?.status == "converged", "N = \(layers): \(c.discrete.rungs.map(\.status))")
            let n = c.built.dimension, h = Self.horizon / Double(layers)
            var f0 = [Double](repeating: 0, count: n), f1 = f0
            var defect = 0.0
            c.values.withUnsafeBufferPointer { v in
                for node in 0..<layers {
                    c.built.field(c.mesh[node], v.baseAddress! + node * n, &f0)
                    c.built.field(c.mesh[node + 1], v.baseAddress! + (node + 1) * n, &f1)
                    for i in 0..<n {
                        let slope = (v[(node + 1) * n + i] - v[node * n + i]) / h
                        defect = max(defect, abs(slope - 0.5 * (f0[i] + f1[i])))
                    }
                }
                var start = [Double](repeating: 0, count: c.built.startCount)
                var end = [Double](repeating: 0, count: n - c.built.startCount)
                c.built.startResidual(v.baseAddress!, &start)
                c.built.endResidual(v.baseAddress! + layers * n, &end)
                let boundary = (start + end).reduce(0) { max($0, abs($1)) }
                #expect(boundary < 1e-7, "N = \(layers): boundary residual \(boundary)")
            }
            steps.append(h)
            defects.append(defect)
        }
        let fit = try OrderFit.fit(steps: steps, errors: defects)
        #expect(fit.order > 0.85 && fit.order < 1.3, "h \(steps), defects \(defects), fitted order \(fit.order)")
    }

    /// Lobatto IIIA collocation (residual tolerance 1e-9) from each guess converges (status success,
    /// residual below tolerance) to the continuum stationary point, the same for every N; its weights
    /// at the midpoints, θ(t_{n+1/2}), and its readout agree with the discrete θ_n and readout to O(h):
    /// fitted order in [0.85, 1.3].
    @Test func collocationFromTheGuessConvergesAndTheDiscreteWeightsAreFirstOrderAccurate() throws {
        let collocation = Collocation(scheme: .lobatto3, tolerance: 1e-9, maxNodes: 2000, maxNewtonIterations: 30)
        var steps = [Double](), errors = [Double](), actions = [Double]()
        for layers in Self.layerCounts {
            let c = try Self.make(layers: layers)
            let solution = try solve(try c.built.boundaryValueProblem(), collocation,
                                     initialGuess: .mesh(c.mesh, values: c.values))
            try #require(solution.succeeded, "N = \(layers): \(solution.message)")
            #expect(solution.maxResidual <= 1e-9, "N = \(layers): residual \(solution.maxResidual)")
            let layout = c.built.layout, q = layout.weights, h = Self.horizon / Double(layers)
            var error = 0.0
            for n in 0..<layers {
                let y = solution.value(at: (Double(n) + 0.5) * h)
                for i in 0..<q {
                    error = max(error, abs(y[layout.weightOffset + i] - c.discrete.parameters[c.network.layerOffset(n) + i]))
                }
            }
            let end = solution.value(at: Self.horizon)
            for i in 0..<layout.readoutParameters {
                error = max(error, abs(end[layout.readoutOffset + i] - c.discrete.parameters[c.network.readoutOffset + i]))
            }
            steps.append(h)
            errors.append(error)
            actions.append(BoundaryValueTraining.continuumAction(c.problem, layout: layout, form: .hamiltonian,
                                                                 solution: solution).total)
        }
        let spread = (actions.max() ?? 0) - (actions.min() ?? 0)
        #expect(spread <= 1e-7 * abs(actions[0]), "continuum actions from the four guesses: \(actions)")
        let fit = try OrderFit.fit(steps: steps, errors: errors)
        #expect(fit.order > 0.85 && fit.order < 1.3, "h \(steps), weight errors \(errors), fitted order \(fit.order)")
    }
}
