import Foundation
import Testing
@testable import DeepestLearning

@Suite struct ActionNewtonSolverTests {
    /// The structured Newton step (block-tridiagonal elimination per sample, Schur complement onto the
    /// weights) solves H Δ = −g with the exact Hessian: the Hessian-vector product H Δ, formed by
    /// central differences of the analytic gradient along Δ, equals −g (relative error < 1e-6), for
    /// every activation, both readouts, plain and antisymmetric K, finite and infinite R_in.
    @Test(arguments: ResidualNetworkLossTests.cases)
    func stepSolvesTheHessianSystem(_ c: ResidualNetworkLossTests.Case) throws {
        let net = try ResidualNetworkLossTests.network(c, width: 3, layers: 3)
        let data = try randomDataset(count: 6, inputDimension: 2, classes: c.classification ? 3 : nil, seed: 81)
        let reg = try Regularization(tikhonov: 0.05, smoothness: 0.1, readoutTikhonov: 0.02)
        for inputWeight in [3.0, Double.infinity] {
            let action = try TrainingAction(network: net, data: data, modelPrecision: 0.9, inputWeight: inputWeight,
                                            outputWeight: 1.1, regularization: reg)
            let base = action.unknowns(parameters: net.initialParameters(seed: 5, weightScale: 0.8))
            let u = zip(base, randomVector(base.count, seed: 82, scale: 0.2)).map { $0 + $1 }
            var g = [Double]()
            action.evaluate(unknowns: u, gradient: &g)
            let solver = ActionNewtonSolver(action: action)
            let delta = try #require(solver.step(unknowns: u, gradient: g, damping: 0))
            let eps = 1e-5 / max(1, delta.reduce(0) { max($0, abs($1)) })
            var gp = [Double](), gm = [Double]()
            action.evaluate(unknowns: zip(u, delta).map { $0 + eps * $1 }, gradient: &gp)
            action.evaluate(unknowns: zip(u, delta).map { $0 - eps * $1 }, gradient: &gm)
            let hDelta = zip(gp, gm).map { ($0 - $1) / (2 * eps) }
            let error = relativeError(hDelta, g.map { -$0 })
            #expect(error < 1e-6, "\(c) R_in=\(inputWeight): |HΔ + g|/|g| = \(error)")
        }
    }

    /// Damped Newton reaches a stationary point of A_h (max|∇A_h| ≤ 1e-10 max(1, A_h), checked with a
    /// fresh gradient evaluation) below the starting action, from the forward pass of a random network.
    @Test func newtonConvergesToAStationaryPoint() throws {
        let c = ResidualNetworkLossTests.Case(activation: .tanh, antisymmetric: true, classification: true)
        let net = try ResidualNetworkLossTests.network(c, width: 3, layers: 4)
        let data = try randomDataset(count: 12, inputDimension: 2, classes: 3, seed: 83)
        let reg = try Regularization(tikhonov: 0.1, smoothness: 0.05, readoutTikhonov: 0.1)
        let action = try TrainingAction(network: net, data: data, modelPrecision: 1, inputWeight: .infinity,
                                        outputWeight: 1, regularization: reg)
        let solver = ActionNewtonSolver(action: action)
        let start = action.unknowns(parameters: net.initialParameters(seed: 2, weightScale: 0.5))
        var g = [Double]()
        let initial = action.evaluate(unknowns: start, gradient: &g)
        let result = solver.solve(from: start, options: ActionNewtonOptions(gradientTolerance: 1e-10, maximumIterations: 100))
        #expect(result.status == .converged, "status \(result.status), |g| = \(result.gradientNorm), iterations \(result.iterations)")
        #expect(result.action < initial)
        var check = [Double]()
        action.evaluate(unknowns: result.unknowns, gradient: &check)
        #expect(check.reduce(0) { max($0, abs($1)) } <= 1e-10 * max(1, result.action))
    }
}
