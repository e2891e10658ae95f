import Foundation
import NumericCore
import Testing
@testable import Stochastic

@Suite struct EnsembleTests {
    /// Per-path streams and index-order reduction: the statistics are bitwise identical whatever the
    /// number of chunks (1 = sequential), and path k equals a single solve on BrownianPath(seed, k).
    @Test func statisticsAreBitwiseIndependentOfTheThreadCount() throws {
        let problem = try GeometricBrownianMotion(growth: 0.5, volatility: 0.8)
        func run(_ chunks: Int) throws -> EnsembleResult {
            try solve(problem, Ensemble(scheme: .milstein, steps: 50, paths: 203, seed: 7,
                                        functionals: [.component(0), .squaredNorm], keepFinalStates: true, chunks: chunks))
        }
        let one = try run(1), two = try run(2), seven = try run(7)
        #expect(one.statistics == two.statistics)
        #expect(one.statistics == seven.statistics)
        #expect(one.finalStates == seven.finalStates)
        let single = try solve(problem, .milstein, path: BrownianPath(seed: 7, index: 150, steps: 50, duration: 1), steps: 50)
        #expect(single.finalState[0] == one.finalStates?[150])
    }

    /// Euler–Maruyama on OU (a linear recursion) has the exact discrete mean x0(1 − κh)^N and variance
    /// σ²h Σ (1 − κh)^{2k}: the ensemble estimates agree within 4 standard errors.
    @Test func ornsteinUhlenbeckMomentsMatchTheDiscreteFormulas() throws {
        let problem = try OrnsteinUhlenbeckProcess(rate: 1.5, volatility: 0.7, start: 2, horizon: 1)
        let steps = 20, h = 1.0 / 20, r = 1 - 1.5 * h, paths = 20000
        let result = try solve(problem, Ensemble(scheme: .eulerMaruyama, steps: steps, paths: paths, seed: 3,
                                                 functionals: [.component(0)], quantileLevels: [0.5]))
        let stats = result.statistics[0]
        let mean = 2 * pow(r, Double(steps))
        let variance = 0.49 * h * (0..<steps).reduce(0) { $0 + pow(r, Double(2 * $1)) }
        #expect(result.allPathsSucceeded)
        #expect(abs(stats.mean - mean) < 4 * stats.standardError, "mean \(stats.mean) vs \(mean)")
        #expect(abs(stats.variance - variance) < 4 * variance * (2 / Double(paths)).squareRoot(), "variance \(stats.variance) vs \(variance)")
        // The law is Gaussian, so the median equals the mean (standard error of the median ≈ 1.25 σ/√M).
        #expect(abs(stats.quantiles[0] - mean) < 4 * 1.26 * stats.standardError)
    }

    @Test func milsteinRejectsNonCommutativeNoise() throws {
        let problem = try SDEProblem(initialValue: [1, 1], horizon: 1, noise: .general(dimensions: 2, commutative: false),
                                     drift: { _, _, r in r[0] = 0; r[1] = 0 },
                                     diffusion: { _, x, r in r[0] = x[1]; r[1] = 0; r[2] = 0; r[3] = x[0] },
                                     diffusionDerivative: { _, _, r in for i in r.indices { r[i] = 0 } })
        #expect(throws: InvalidArgument.self) {
            try solve(problem, Ensemble(scheme: .milstein, steps: 10, paths: 2, seed: 1, functionals: [.component(0)]))
        }
        #expect(throws: InvalidArgument.self) { try Ensemble(scheme: .eulerMaruyama, steps: 0, paths: 2, seed: 1, functionals: [.component(0)]) }
    }

    /// A state that overflows is reported per path, excluded from the statistics, never a crash.
    @Test func blowUpIsAStatusNotACrash() throws {
        let problem = try SDEProblem(initialValue: [1], horizon: 1, noise: .scalar,
                                     drift: { _, x, r in r[0] = x[0] * x[0] * 1e200 },
                                     diffusion: { _, _, r in r[0] = 0 })
        let single = try solve(problem, .eulerMaruyama, path: BrownianPath(seed: 1, steps: 10, duration: 1), steps: 10)
        #expect(single.status != .success)
        #expect(single.finalState[0].isFinite)
    }

    /// Brownian motion from 0 (dX = dW): by Spitzer's identity the grid maximum has the exact mean
    /// E max_{0≤k≤N} W(t_k) = Σ_{k=1}^N E[W(t_k)⁺]/k = √(h/(2π)) Σ_{k=1}^N k^{−1/2}, which increases to √(2T/π).
    @Test func runningMaximumOfBrownianMotionHasSpitzersMean() throws {
        let problem = try SDEProblem(initialValue: [0], horizon: 1, noise: .additive(dimensions: 1),
                                     drift: { _, _, r in r[0] = 0 }, diffusion: { _, _, r in r[0] = 1 })
        var previous = 0.0
        for steps in [16, 256] {
            let result = try solve(problem, Ensemble(scheme: .eulerMaruyama, steps: steps, paths: 20000, seed: 21,
                                                     functionals: [.runningMaximum(0)], quantileLevels: []))
            let stats = result.statistics[0]
            let h = 1 / Double(steps)
            let exact = (h / (2 * Double.pi)).squareRoot() * (1...steps).reduce(0) { $0 + 1 / Double($1).squareRoot() }
            #expect(abs(stats.mean - exact) < 4 * stats.standardError, "N = \(steps): \(stats.mean) vs \(exact)")
            #expect(exact > previous && exact < (2 / Double.pi).squareRoot())
            previous = exact
        }
    }

    /// EM on OU with level m has E X_k = m + (x0 − m)(1 − κh)^k exactly, so the trapezoidal time average
    /// has the mean (1/N)(E X_0/2 + Σ_{k=1}^{N−1} E X_k + E X_N/2); the ensemble agrees within 4 standard errors.
    @Test func timeAverageOfOrnsteinUhlenbeckHasTheExactDiscreteMean() throws {
        let kappa = 2.0, level = 0.5, x0 = 0.0, steps = 40
        let problem = try OrnsteinUhlenbeckProcess(rate: kappa, volatility: 0.8, start: x0, level: level, horizon: 1)
        let result = try solve(problem, Ensemble(scheme: .eulerMaruyama, steps: steps, paths: 20000, seed: 22,
                                                 functionals: [.timeAverage(0), .component(0)], quantileLevels: []))
        let h = 1 / Double(steps)
        let mean = { (k: Int) in level + (x0 - level) * pow(1 - kappa * h, Double(k)) }
        let exact = (0.5 * (mean(0) + mean(steps)) + (1..<steps).reduce(0) { $0 + mean($1) }) / Double(steps)
        let stats = result.statistics[0]
        #expect(abs(stats.mean - exact) < 4 * stats.standardError, "\(stats.mean) vs \(exact)")
        // The final-state functional is unchanged by the path route (same variates, same loop bits).
        let plain = try solve(problem, Ensemble(scheme: .eulerMaruyama, steps: steps, paths: 20000, seed: 22,
                                                functionals: [.component(0)], quantileLevels: []))
        #expect(plain.statistics[0] == result.statistics[1])
    }

    /// Each path functional is its definition applied to the path `solve(_:_:path:steps:)` gives.
    @Test func pathFunctionalsSeeTheWholePath() throws {
        let problem = try GeometricBrownianMotion(growth: 0.1, volatility: 0.6)
        let steps = 100
        let result = try solve(problem, Ensemble(scheme: .eulerMaruyama, steps: steps, paths: 1, seed: 23,
                                                 functionals: [.runningMaximum(0), .timeAverage(0), .exitTime(0, lower: 0.8, upper: 1.2)],
                                                 quantileLevels: [], chunks: 1))
        let path = try solve(problem, .eulerMaruyama, path: BrownianPath(seed: 23, index: 0, steps: steps, duration: 1), steps: steps)
        let x = path.values, h = 1 / Double(steps)
        #expect(result.statistics[0].mean == x.max())
        let trapezoid = (0.5 * (x[0] + x[steps]) + x[1..<steps].reduce(0, +)) / Double(steps)
        #expect(abs(result.statistics[1].mean - trapezoid) <= 1e-14 * abs(trapezoid))
        let exit = x.firstIndex { !($0 > 0.8 && $0 < 1.2) }.map { Double($0) * h } ?? 1
        #expect(result.statistics[2].mean == exit)
    }
}
