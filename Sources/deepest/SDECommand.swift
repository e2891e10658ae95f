import ArgumentParser
import Dispatch
import Foundation
import NumericCore
import Stochastic

/// `deepest sde`: an ensemble of one SDE with one scheme; prints mean, variance and standard error of
/// X(T) and the exact moments when known.
struct SDECommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sde",
        abstract: "Simulate an ensemble of SDE paths (GBM, Ornstein–Uhlenbeck, ...) and report the statistics of X(T).")

    enum Problem: String, ExpressibleByArgument, CaseIterable {
        case gbm, ou, additive, noncommutative
    }

    enum Scheme: String, ExpressibleByArgument, CaseIterable {
        case em, milstein
        case semiImplicit = "semi-implicit"

        var scheme: StochasticScheme {
            switch self {
            case .em: return .eulerMaruyama
            case .milstein: return .milstein
            case .semiImplicit: return .semiImplicit(theta: 1)
            }
        }
    }

    @Option(help: "gbm (dX = μX dt + σX dW), ou (dX = −κX dt + σ dW), additive (dX = (sin X − X) dt + σ dW), noncommutative (2-D rotation noise)")
    var problem: Problem = .gbm
    @Option(help: "em, milstein or semi-implicit")
    var scheme: Scheme = .em
    @Option(parsing: .unconditional, help: "Number of paths M")
    var paths: Int = 10000
    @Option(parsing: .unconditional, help: "Time step h (must divide the horizon)")
    var dt: Double = 0.001
    @Option(parsing: .unconditional, help: "Horizon T")
    var horizon: Double = 1
    @Option(parsing: .unconditional, help: "Seed")
    var seed: UInt64 = 1
    @Option(parsing: .unconditional, help: "Growth μ (gbm only; default 2)")
    var growth: Double?
    @Option(parsing: .unconditional, help: "Mean-reversion rate κ > 0 (ou only; default 1)")
    var rate: Double?
    @Option(parsing: .unconditional, help: "Volatility σ >= 0 (default 1 for gbm, 0.5 otherwise)")
    var volatility: Double?
    @Option(parsing: .unconditional, help: "Initial value X0 (gbm: > 0)")
    var start: Double = 1
    @Option(help: "table or json")
    var format: OutputFormat = .table
    @OptionGroup var resources: ResourceOptions

    struct Report: Codable {
        let problem: String
        let scheme: String
        let paths: Int
        let steps: Int
        let seed: UInt64
        let mean: Double
        let variance: Double
        let stderr: Double
        let quantiles: [String: Double]
        let exactMean: Double?
        let exactVariance: Double?
        let failedPaths: Int
        let seconds: Double
    }

    func run() throws {
        let steps = try EnsembleGrid.steps(paths: paths, dt: dt, horizon: horizon)
        try checkOptions()
        try checkSize(steps: steps)
        let growth = self.growth ?? 2, rate = self.rate ?? 1
        do {
            switch problem {
            case .gbm:
                let p = try GeometricBrownianMotion(growth: growth, volatility: volatility ?? 1, start: start, horizon: horizon)
                try simulate(p, steps: steps, exact: (p.exactMean(at: horizon)[0], p.exactVariance(at: horizon)[0]))
            case .ou:
                let p = try OrnsteinUhlenbeckProcess(rate: rate, volatility: volatility ?? 0.5, start: start, horizon: horizon)
                try simulate(p, steps: steps, exact: (p.exactMean(at: horizon)[0], p.exactVariance(at: horizon)[0]))
            case .additive:
                let sigma = volatility ?? 0.5
                let p = try SDEProblem(initialValue: [start], horizon: horizon, noise: .additive(dimensions: 1),
                                       drift: { _, x, r in r[0] = sin(x[0]) - x[0] }, diffusion: { _, _, r in r[0] = sigma })
                try simulate(p, steps: steps, exact: nil)
            case .noncommutative:
                let sigma = volatility ?? 0.5
                // dX1 = σX2 dW1, dX2 = σX1 dW2: L^1 b_{·2} ≠ L^2 b_{·1}, so Milstein would need Lévy areas.
                let p = try SDEProblem(initialValue: [start, start], horizon: horizon, noise: .general(dimensions: 2, commutative: false),
                                       drift: { _, _, r in r[0] = 0; r[1] = 0 },
                                       diffusion: { _, x, r in r[0] = sigma * x[1]; r[1] = 0; r[2] = 0; r[3] = sigma * x[0] })
                try simulate(p, steps: steps, exact: (start, nil))
            }
        } catch let error as InvalidArgument {
            throw CommandFailure.invalid(error, options: Self.optionNames)
        }
    }

    /// The library's argument names as this command's options.
    static let optionNames = ["scheme": "--scheme", "initialValue": "--start", "start": "--start", "volatility": "--volatility", "growth": "--growth",
                              "rate": "--rate", "horizon": "--horizon", "steps": "--dt", "paths": "--paths",
                              "growth, volatility": "--growth or --volatility", "volatility, start, level": "--volatility or --start"]

    /// Values out of range, and options the chosen problem does not read, are refused.
    func checkOptions() throws {
        if growth != nil, problem != .gbm { throw CommandFailure("--growth does not apply to --problem \(problem.rawValue) (only to gbm)") }
        if rate != nil, problem != .ou { throw CommandFailure("--rate does not apply to --problem \(problem.rawValue) (only to ou)") }
        if let growth, !growth.isFinite { throw CommandFailure("invalid --growth = \(growth): must be a finite number") }
        if let rate, !(rate.isFinite && rate > 0) { throw CommandFailure("invalid --rate = \(rate): must be a finite number > 0") }
        if let volatility, !(volatility.isFinite && volatility >= 0) {
            throw CommandFailure("invalid --volatility = \(volatility): must be a finite number >= 0")
        }
        guard start.isFinite, problem != .gbm || start > 0 else {
            throw CommandFailure("invalid --start = \(start): must be a finite number\(problem == .gbm ? " > 0 for gbm" : "")")
        }
    }

    /// Memory: per path a functional slot, its sorted copy for the quantiles and a failure flag; with
    /// Milstein one increment buffer of blockSize × steps × m per worker. Work: paths × steps × (n + m).
    func checkSize(steps: Int) throws {
        let n = problem == .noncommutative ? 2 : 1
        let buffers = scheme == .milstein ? Size.product(Parallel.workerCount, Ensemble.blockSize, steps, n, 8) : 0
        let bytes = Size.sum(Size.product(paths, 17), buffers, 1 << 20)
        let work = Size.product(paths, steps, 2 * n)
        try resources.budget().check(bytes: bytes, work: work,
                                     blame: "--paths = \(paths) with --horizon/--dt = \(steps) steps")
    }

    func simulate<P: StochasticDifferentialEquation>(_ p: P, steps: Int, exact: (mean: Double, variance: Double?)?) throws {
        if case .semiImplicit = scheme.scheme, p.linearPart == nil {
            throw CommandFailure("--scheme semi-implicit needs a stiff linear part; problem \(problem.rawValue) has none (use em or milstein)")
        }
        let ensemble = try Ensemble(scheme: scheme.scheme, steps: steps, paths: paths, seed: seed,
                                    functionals: [.component(0)], quantileLevels: [0.05, 0.5, 0.95])
        let progress = SharedProgress("paths", total: paths)
        let start = DispatchTime.now().uptimeNanoseconds
        let result = try solve(p, ensemble, progress: { progress.update($0) })
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) * 1e-9
        let stats = result.statistics[0]
        let report = Report(problem: problem.rawValue, scheme: scheme.rawValue, paths: paths, steps: steps, seed: seed,
                            mean: stats.mean, variance: stats.variance, stderr: stats.standardError,
                            quantiles: Dictionary(uniqueKeysWithValues: zip(stats.quantileLevels.map { String($0) }, stats.quantiles)),
                            exactMean: exact?.mean, exactVariance: exact?.variance, failedPaths: result.failedPaths, seconds: seconds)
        try Output.emit(report, format: format) {
            var rows = [["mean X(T)", Output.sci(stats.mean, 6), exact.map { Output.sci($0.mean, 6) } ?? "-"],
                        ["variance", Output.sci(stats.variance, 6), exact?.variance.map { Output.sci($0, 6) } ?? "-"],
                        ["standard error", Output.sci(stats.standardError, 3), ""]]
            for (level, value) in zip(stats.quantileLevels, stats.quantiles) { rows.append(["quantile \(level)", Output.sci(value, 6), ""]) }
            let header = "\(problem.rawValue), \(scheme.rawValue): \(paths) paths × \(steps) steps, seed \(seed), "
                + String(format: "%.3f s", seconds) + (result.failedPaths > 0 ? ", \(result.failedPaths) paths failed" : "") + "\n"
            return header + Output.table(["statistic", "sample", "exact"], rows)
        }
        if result.failedPaths > 0 {
            throw CommandFailure(numerical: "\(result.failedPaths) of \(paths) paths became non-finite (statistics over the others are printed)")
        }
    }
}
