import Foundation
import NumericCore
import Testing
@testable import Stochastic

/// The elementwise loop of scalar ensembles gives every path bitwise the final state of the checking loop
/// on the same Brownian path, for blocks and refills that do not divide the paths and steps, and for
/// every θ-factor combination; a blow-up is rerun by the checking loop.
@Suite struct SDEStepperElementwiseLoopTests {
    static func gbm(elementwise: Bool) throws -> SDEProblem {
        try SDEProblem(initialValue: [1], horizon: 1, noise: .scalar,
                       drift: { _, x, r in for p in x.indices { r[p] = 0.05 * x[p] } },
                       diffusion: { _, x, r in for p in x.indices { r[p] = 0.2 * x[p] } }, elementwise: elementwise)
    }

    static func finalsMatchSinglePaths(_ problem: SDEProblem, _ scheme: StochasticScheme, paths: Int = 37, steps: Int = 150) throws
        -> EnsembleResult {
        var last: EnsembleResult?
        for chunks in [1, 3] {
            let run = try solve(problem, Ensemble(scheme: scheme, steps: steps, paths: paths, seed: 31, functionals: [.component(0)],
                                                  quantileLevels: [], keepFinalStates: true, chunks: chunks))
            let finals = try #require(run.finalStates)
            for p in 0..<paths {
                let single = try solve(problem, scheme, path: BrownianPath(seed: 31, index: UInt64(p), steps: steps,
                                                                           duration: problem.horizon), steps: steps)
                #expect(finals[p].bitPattern == single.finalState[0].bitPattern, "\(scheme) path \(p), \(chunks) chunks")
            }
            last = run
        }
        return try #require(last)
    }

    @Test func elementwiseClosuresMatchTheCheckingLoopAndThePerPathClosures() throws {
        for scheme in [StochasticScheme.eulerMaruyama, .semiImplicit(theta: 1)] {
            let fast = try Self.finalsMatchSinglePaths(Self.gbm(elementwise: true), scheme)
            let plain = try Self.finalsMatchSinglePaths(Self.gbm(elementwise: false), scheme)
            #expect(fast.finalStates == plain.finalStates)
        }
        // A linear part with θ = 1/2 (both factors differ from 1) and additive noise.
        let ou = try SDEProblem(initialValue: [1], horizon: 2, noise: .additive(dimensions: 1), linearPart: [-3],
                                drift: { _, x, r in for p in x.indices { r[p] = 0.6 } },
                                diffusion: { _, x, r in for p in x.indices { r[p] = 0.7 } }, elementwise: true)
        for scheme in [StochasticScheme.eulerMaruyama, .semiImplicit(theta: 0.5), .milstein] {
            _ = try Self.finalsMatchSinglePaths(ou, scheme)
        }
        // Explicit EM with κh = 3 blows up: the path is rerun by the checking loop and counted as failed.
        let unstable = try SDEProblem(initialValue: [1], horizon: 1, noise: .additive(dimensions: 1), linearPart: [-6000],
                                      drift: { _, x, r in for p in x.indices { r[p] = 0 } },
                                      diffusion: { _, x, r in for p in x.indices { r[p] = 1 } }, elementwise: true)
        let run = try Self.finalsMatchSinglePaths(unstable, .eulerMaruyama, paths: 3, steps: 2000)
        #expect(run.failedPaths == 3 && run.finalStates?.allSatisfy(\.isFinite) == true)
    }

    @Test func closuresThatAreNotElementwiseAreRejected() {
        func argument(_ body: () throws -> Void) -> String? {
            do { try body() } catch let error as InvalidArgument { return error.argument } catch { return "other" }
            return nil
        }
        #expect(argument {
            _ = try SDEProblem(initialValue: [1], horizon: 1, noise: .scalar, drift: { _, x, r in r[0] = 0.05 * x[0] },
                               diffusion: { _, x, r in for p in x.indices { r[p] = x[p] } }, elementwise: true)
        } == "elementwise")
        #expect(argument {
            _ = try SDEProblem(initialValue: [1, 2], horizon: 1, noise: .diagonal, drift: { _, _, _ in }, diffusion: { _, _, _ in },
                               elementwise: true)
        } == "elementwise")
    }
}
