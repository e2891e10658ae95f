import Foundation
import Testing
@testable import DeepestLearning

@Suite struct PrecisionAnnealingTests {
    /// Penalty-method monotonicity along the annealing path: with u(r) a minimiser of f + r g
    /// (f = data misfit + regularisation, g = model error / r_f), g(u(r)) is non-increasing and f(u(r))
    /// non-decreasing in r (locally: dg/dr = −∇gᵀH⁻¹∇g ≤ 0 on a branch of minimisers with H positive
    /// definite). Every rung must also converge.
    @Test func penaltyDecreasesAndMisfitIncreasesAlongRungs() throws {
        let c = ResidualNetworkLossTests.Case(activation: .tanh, antisymmetric: false, classification: true)
        let net = try ResidualNetworkLossTests.network(c, width: 2, layers: 3)
        let data = try randomDataset(count: 8, inputDimension: 2, classes: 3, seed: 91)
        let reg = try Regularization(tikhonov: 0.2, smoothness: 0.1, readoutTikhonov: 0.2)
        let result = try PrecisionAnnealing.run(
            network: net, data: data, initialParameters: net.initialParameters(seed: 3, weightScale: 0.5),
            initialPrecision: 0.1, factor: 3, steps: 5, regularization: reg,
            options: ActionNewtonOptions(gradientTolerance: 1e-10, maximumIterations: 200))
        #expect(result.rungs.count == 6)
        for rung in result.rungs { #expect(rung.status == "converged", "rung \(rung.beta): \(rung.status)") }
        for (previous, next) in zip(result.rungs, result.rungs.dropFirst()) {
            let gPrevious = previous.parts.modelError / previous.modelPrecision
            let gNext = next.parts.modelError / next.modelPrecision
            let fPrevious = previous.action - previous.parts.modelError, fNext = next.action - next.parts.modelError
            #expect(gNext <= gPrevious * (1 + 1e-8), "penalty rose at β=\(next.beta): \(gPrevious) -> \(gNext)")
            #expect(fNext >= fPrevious * (1 - 1e-8), "misfit fell at β=\(next.beta): \(fPrevious) -> \(fNext)")
        }
    }

    @Test func invalidScheduleThrows() throws {
        let c = ResidualNetworkLossTests.Case(activation: .tanh, antisymmetric: false, classification: true)
        let net = try ResidualNetworkLossTests.network(c, width: 2, layers: 2)
        let data = try randomDataset(count: 4, inputDimension: 2, classes: 3, seed: 1)
        #expect(throws: (any Error).self) {
            try PrecisionAnnealing.run(network: net, data: data, initialParameters: net.initialParameters(seed: 1),
                                       initialPrecision: 1, factor: 1, steps: 3, regularization: .none)
        }
    }
}
