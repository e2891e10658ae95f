import Foundation
import NumericCore
import Testing
@testable import Stochastic

/// The interleaved loop of scalar ensembles gives every path bitwise the final state of the checking
/// loop on the same Brownian path, for blocks and refills that do not divide the paths and steps.
@Suite struct SDEStepperInterleavedLoopTests {
    static func finalsMatchSinglePaths<Problem: StochasticDifferentialEquation>(_ problem: Problem, _ scheme: StochasticScheme) throws {
        let steps = 150, paths = 19
        for chunks in [1, 3] {
            let run = try solve(problem, Ensemble(scheme: scheme, steps: steps, paths: paths, seed: 31, functionals: [.component(0)],
                                                  quantileLevels: [], keepFinalStates: true, chunks: chunks))
            let finals = try #require(run.finalStates)
            for p in 0..<paths {
                let single = try solve(problem, scheme, path: BrownianPath(seed: 31, index: UInt64(p), steps: steps,
                                                                           duration: problem.horizon), steps: steps)
                #expect(finals[p].bitPattern == single.finalState[0].bitPattern, "\(scheme) path \(p), \(chunks) chunks")
            }
        }
    }

    @Test func closureDefinedScalarNoiseMatchesTheCheckingLoop() throws {
        let gbm = try SDEProblem(initialValue: [1], horizon: 1, noise: .scalar,
                                 drift: { _, x, r in r[0] = 0.05 * x[0] }, diffusion: { _, x, r in r[0] = 0.2 * x[0] })
        try Self.finalsMatchSinglePaths(gbm, .eulerMaruyama)
        try Self.finalsMatchSinglePaths(gbm, .semiImplicit(theta: 1))
    }

    @Test func linearPartWithEveryThetaMatchesTheCheckingLoop() throws {
        let ou = try OrnsteinUhlenbeckProcess(rate: 3, volatility: 0.7, start: 1, level: 0.2, horizon: 2)
        for scheme in [StochasticScheme.eulerMaruyama, .semiImplicit(theta: 1), .semiImplicit(theta: 0.5), .milstein] {
            try Self.finalsMatchSinglePaths(ou, scheme)
        }
    }
}
