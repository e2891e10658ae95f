import Foundation
import NumericCore

/// Convergence studies of the SDE schemes (Notes/sde-schemes.md says what each measures). Every path
/// is generated once at the finest level; coarse levels use sums of its increments. All studies are
/// reproducible from their seed and independent of the thread count. The strong and weak studies are
/// uses of `ConvergenceStudy` (Notes/convergence-studies.md); the stationary OU study is not, since it
/// compares independent ensembles run to different horizons with the schemes' exact discrete variances.
public enum SDEConvergenceStudies {
    /// The study's strong or weak curve as a `StochasticStudyResult` (throws `InvalidArgument` if it has no fit).
    static func report(_ run: ConvergenceStudyResult, weak: Bool = false, name: String, expected: Double,
                       note: String) throws -> StochasticStudyResult {
        guard let curve = weak ? run.weak : run.strong, let fit = curve.fit, let interval = curve.bootstrap95 else {
            throw InvalidArgument("errors", (weak ? run.weak : run.strong)?.errors.description ?? "none",
                                  "must be finite and > 0 at every level to fit an order")
        }
        return StochasticStudyResult(name: name, expectedOrder: expected, steps: run.stepSizes, errors: curve.errors, fit: fit,
                                     bootstrap95: interval, paths: run.usedPaths, note: note)
    }

    /// Strong error at T of `scheme` on geometric Brownian motion (growth 2, volatility 1, x0 = 1, T = 1)
    /// against the exact solution x0 exp((μ − σ²/2)T + σW(T)) on the same path: RMS over paths, steps
    /// 2^4 ... 2^9. Expected order 1/2 (Euler–Maruyama) or 1 (Milstein). A use of `ConvergenceStudy`.
    public static func strongGeometricBrownianMotion(scheme: StochasticScheme, paths: Int = 1000, seed: UInt64 = 20261)
        throws -> StochasticStudyResult {
        try Validate.positive(paths, "paths")
        let problem = try GeometricBrownianMotion(growth: 2, volatility: 1, start: 1, horizon: 1)
        let study = try ConvergenceStudy(steps: [16, 32, 64, 128, 256, 512], reference: .exactSolution(of: problem),
                                         paths: paths, seed: seed)
        let run = try solve(SDEPathwiseSolver(problem, scheme: scheme), study)
        let expected = scheme == .milstein ? 1.0 : 0.5
        return try report(run, name: scheme == .milstein ? "milstein-strong" : "em-strong", expected: expected,
                          note: "strong error (E|X_h(T) − X(T)|²)^{1/2} of \(scheme) on GBM dX = 2X dt + X dW, X0 = 1, T = 1, "
                            + "against the exact solution on the same Brownian path (\(run.usedPaths) paths, fine path 2^9 steps)")
    }

    /// Weak error |E X_h(T) − E X(T)| of Euler–Maruyama on GBM (growth 1.5, volatility 0.5, x0 = 1, T = 1),
    /// estimated as the mean over paths of X_h(T) − X(T) with X the exact solution on the same path (an
    /// unbiased estimator of the weak error whose variance is the strong error squared over M). Steps
    /// 2^4 ... 2^8; expected order 1. The exact EM mean x0(1 + μh)^N is reported for comparison.
    public static func weakGeometricBrownianMotion(paths: Int = 10000, seed: UInt64 = 20262) throws -> StochasticStudyResult {
        try Validate.positive(paths, "paths")
        let problem = try GeometricBrownianMotion(growth: 1.5, volatility: 0.5, start: 1, horizon: 1)
        let levels = [16, 32, 64, 128, 256]
        let study = try ConvergenceStudy(steps: levels, reference: .exactSolution(of: problem), paths: paths, seed: seed,
                                         weakFunctional: .component(0))
        let run = try solve(SDEPathwiseSolver(problem, scheme: .eulerMaruyama), study)
        let exactBias = levels.map { n in pow(1 + 1.5 / Double(n), Double(n)) - exp(1.5) }
        let text = exactBias.map { String(format: "%.4e", abs($0)) }.joined(separator: ", ")
        return try report(run, weak: true, name: "em-weak", expected: 1,
                          note: "weak error |E X_h(T) − E X(T)| of euler-maruyama on GBM dX = 1.5X dt + 0.5X dW, estimated by "
                            + "the mean of X_h(T) − X_exact(T) on the same paths (\(run.usedPaths) paths); exact values |(1 + μh)^N − e^μ| = \(text)")
    }

    /// The additive-noise test problem dX = (sin X − X) dt + 0.5 dW, X0 = 1, T = 1.
    public static func additiveProblem() throws -> SDEProblem {
        try SDEProblem(initialValue: [1], horizon: 1, noise: .additive(dimensions: 1),
                       drift: { _, x, r in r[0] = sin(x[0]) - x[0] },
                       diffusion: { _, _, r in r[0] = 0.5 })
    }

    /// Strong error of Euler–Maruyama for additive noise on dX = (sin X − X) dt + 0.5 dW against an EM
    /// reference with step 2^-13 on the same path (16 times finer than the finest level 2^-9). Expected 1.
    public static func strongAdditive(paths: Int = 1000, seed: UInt64 = 20263) throws -> StochasticStudyResult {
        try Validate.positive(paths, "paths")
        let study = try ConvergenceStudy(steps: [16, 32, 64, 128, 256, 512], reference: .fineSolution(StudyResolution(steps: 8192)),
                                         paths: paths, seed: seed)
        let run = try solve(SDEPathwiseSolver(try additiveProblem(), scheme: .eulerMaruyama), study)
        return try report(run, name: "em-additive-strong", expected: 1,
                          note: "strong error of euler-maruyama on dX = (sin X − X) dt + 0.5 dW (additive noise), X0 = 1, T = 1, "
                            + "against EM with step 2^-13 on the same path (\(run.usedPaths) paths)")
    }

    /// Strong error of Euler–Maruyama on the Ornstein–Uhlenbeck process dX = −X dt + 0.5 dW, X0 = 1, T = 1
    /// (additive noise, so order 1), against the exact solution X(T) = e^{−T} + 0.5 ∫ e^{−(T−s)} dW(s) on
    /// the same path (`OrnsteinUhlenbeckProcess.exactSolution(on:)`, the integral taken on a fine path of
    /// 2^13 steps, 16 times finer than the finest level 2^-9).
    public static func strongOrnsteinUhlenbeck(paths: Int = 1000, seed: UInt64 = 20267) throws -> StochasticStudyResult {
        try Validate.atLeast(paths, 2, "paths")
        let problem = try OrnsteinUhlenbeckProcess(rate: 1, volatility: 0.5, start: 1, horizon: 1)
        let study = try ConvergenceStudy(steps: [16, 32, 64, 128, 256, 512],
                                         reference: .exactSolution { problem.exactSolution(on: $0) }, paths: paths, seed: seed,
                                         pathSteps: 8192)
        let run = try solve(SDEPathwiseSolver(problem, scheme: .eulerMaruyama), study)
        return try report(run, name: "ou-exact-strong", expected: 1,
                          note: "strong error of euler-maruyama on OU dX = −X dt + 0.5 dW, X0 = 1, T = 1, against the exact "
                            + "solution e^{−T} + 0.5 ∫ e^{−(T−s)} dW on the same path (\(run.usedPaths) paths)")
    }

    /// One row of the stationary-variance comparison: a scheme at step Δ, its sample variance over the
    /// paths (known mean 0, so the mean of X²), the standard error of that estimate, and the exact
    /// stationary variance of the discrete scheme.
    public struct StationaryVariance: Sendable, Codable {
        public let scheme: String
        public let step: Double
        public let sampleVariance: Double
        public let standardError: Double
        public let exactVariance: Double
        /// (sample − exact)/standardError.
        public var deviation: Double { (sampleVariance - exactVariance) / standardError }
    }

    /// Stationary variance of OU dX = −κX dt + σ dW (κ = 1, σ = 1, X0 = 0) under Euler–Maruyama,
    /// semi-implicit Euler and the exact OU step, at the given steps Δ, each run for ⌈12/(κΔ)⌉ + 8 steps
    /// so the transient factor is below 1e-9: compared with σ²/(κ(2 − κΔ)), σ²/(κ(2 + κΔ)), σ²/(2κ).
    /// The study's error is the EM bias |Var_EM − σ²/(2κ)| = σ²Δ/(2(2 − κΔ)), of order 1 in Δ.
    public static func ornsteinUhlenbeckStationary(steps: [Double] = [0.8, 0.4, 0.2, 0.1, 0.05], paths: Int = 20000,
                                                   seed: UInt64 = 20264) throws -> (rows: [StationaryVariance], study: StochasticStudyResult) {
        try Validate.atLeast(paths, 2, "paths")
        for d in steps { try Validate.positive(d, "step") }
        let kappa = 1.0, sigma = 1.0
        var rows: [StationaryVariance] = []
        var emSamples = [Double](repeating: 0, count: paths * steps.count)
        for (l, delta) in steps.enumerated() {
            let n = Int((12 / (kappa * delta)).rounded(.up)) + 8
            let problem = try OrnsteinUhlenbeckProcess(rate: kappa, volatility: sigma, start: 0, horizon: Double(n) * delta)
            let x2 = EnsembleFunctional(name: "x^2") { $0[0] * $0[0] }
            for (scheme, exact) in [(StochasticScheme.eulerMaruyama, problem.eulerMaruyamaStationaryVariance(step: delta)),
                                    (.semiImplicit(theta: 1), problem.semiImplicitStationaryVariance(step: delta))] {
                let run = try solve(problem, Ensemble(scheme: scheme, steps: n, paths: paths, seed: seed &+ UInt64(l),
                                                      functionals: [x2], quantileLevels: [], keepFinalStates: true))
                let stats = run.statistics[0]
                rows.append(StationaryVariance(scheme: scheme.description, step: delta, sampleVariance: stats.mean,
                                               standardError: stats.standardError, exactVariance: exact))
                if scheme == .eulerMaruyama, let finals = run.finalStates {
                    for p in 0..<paths { emSamples[p * steps.count + l] = finals[p] * finals[p] }
                }
            }
            // Exact OU step X' = e^{−κΔ}X + σ sqrt((1 − e^{−2κΔ})/(2κ)) ξ, with the same per-path streams.
            let decay = exp(-kappa * delta), spread = sigma * (-expm1(-2 * kappa * delta) / (2 * kappa)).squareRoot()
            var squares = [Double](repeating: 0, count: paths)
            squares.withUnsafeMutableBufferPointer { buffer in
                let out = SharedMutablePointer(buffer.baseAddress!)
                Parallel.forEachChunk(in: Distribution.block(of: paths)) { range in  // this rank's block (Notes/mpi-shards.md)
                    for p in range {
                        var stream = XoshiroRandomStream(seed: seed &+ UInt64(l), index: UInt64(p))
                        var x = 0.0
                        for _ in 0..<n { x = decay * x + spread * stream.gaussian() }
                        out[p] = x * x
                    }
                }
            }
            try Distribution.gather(&squares, width: 1, count: paths)
            let exactStats = SampleStatistics(name: "x^2", values: squares)
            rows.append(StationaryVariance(scheme: "exact", step: delta, sampleVariance: exactStats.mean,
                                           standardError: exactStats.standardError, exactVariance: problem.stationaryVariance))
        }
        let stationary = sigma * sigma / (2 * kappa)
        let levelSteps = steps.map { 1 / $0 }  // result() takes steps per unit time: h = 1/levelSteps = Δ
        let h = levelSteps.map { 1 / $0 }
        let errors = PathBootstrap.errors(emSamples, paths: paths, levels: steps.count) { abs($0 - stationary) }
        let fit = try OrderFit.fit(steps: h, errors: errors)
        let interval = PathBootstrap.interval(emSamples, paths: paths, steps: h, seed: seed) { abs($0 - stationary) }
        let table = rows.map { String(format: "%@ Δ=%.3g: %.4f ± %.4f (exact %.4f)", $0.scheme, $0.step, $0.sampleVariance,
                                      $0.standardError, $0.exactVariance) }.joined(separator: "; ")
        let study = StochasticStudyResult(name: "ou-stationary", expectedOrder: 1, steps: h, errors: errors, fit: fit,
                                          bootstrap95: interval, paths: paths,
                                          note: "error = |sample stationary variance of EM − σ²/(2κ)| for OU κ = 1, σ = 1 "
                                            + "(exact EM bias σ²Δ/(2(2 − κΔ))); sample vs exact discrete variances: " + table)
        return (rows, study)
    }
}
