import Foundation
import NumericCore

/// Convergence studies of the stochastic heat equation (Notes/spectral-galerkin-heat-equation.md), as
/// uses of `ConvergenceStudy` with `SPDEPathwiseSolver` on `StochasticHeatEquation.semilinear`.
public enum HeatConvergenceStudies {
    /// The exact solution's mode coefficients at τ = T for f = 0, u(0) = 0, coupled to the Brownian path
    /// (its fine increments ΔW_j, step δ): on each step the stochastic convolution
    /// I = ∫ e^{−μ(δ−s)} dβ_j(s) is sampled from its exact law conditional on ΔW_j,
    /// I = c/δ·ΔW + sqrt(v − c²/δ)·ξ with v = (1 − e^{−2μδ})/(2μ), c = (1 − e^{−μδ})/μ, ξ independent
    /// (drawn from a stream derived from the path's seed and index, so the reference is reproducible),
    /// and û ← e^{−μδ}û + σ√q_j I. So the reference is the true solution on the same Brownian path.
    static func exactCoefficients(_ problem: StochasticHeatEquation, modes: Int, path: BrownianPath) -> [Double] {
        let delta = path.stepSize
        var stream = XoshiroRandomStream(seed: path.seed ^ 0x5EED_0F_C0_4F_1E5, index: path.index)
        var u = [Double](repeating: 0, count: modes)
        let decay = (0..<modes).map { exp(-problem.eigenvalue(mode: $0) * delta) }
        let regression = (0..<modes).map { j -> Double in
            let mu = problem.eigenvalue(mode: j)
            return -expm1(-mu * delta) / mu / delta
        }
        let residual = (0..<modes).map { j -> Double in
            let mu = problem.eigenvalue(mode: j)
            let v = -expm1(-2 * mu * delta) / (2 * mu), c = -expm1(-mu * delta) / mu
            return max(v - c * c / delta, 0).squareRoot()
        }
        let weight = (0..<modes).map { problem.noiseAmplitude * problem.noiseWeight(mode: $0) }
        for k in 0..<path.steps {
            for j in 0..<modes {
                let convolution = regression[j] * path.increments[k * modes + j] + residual[j] * stream.gaussian()
                u[j] = decay[j] * u[j] + weight[j] * convolution
            }
        }
        return u
    }

    /// Temporal strong error at τ = 1 of the semi-implicit spectral scheme (Neumann, λ = 1, σ = 1,
    /// u(0) = 0, J = `modes`): RMS over paths of the L² error, Δτ = 2^-4 ... 2^-8.
    /// - With `reaction` (f = sin u) the reference is the same scheme with Δτ_ref = 2^-11 on the same
    ///   path and modes. With few modes and small α (μ_max Δτ ≲ 1) this is an additive-noise SDE: order 1.
    /// - Without reaction the reference is the exact solution of the J-mode system on the same Brownian
    ///   path (`exactCoefficients`). With many modes (μ_max Δτ ≫ 1) the modes with μ_j Δτ > 1 dominate
    ///   and the order is β/2 with ‖A^{(β−1)/2}Q^{1/2}‖_HS < ∞ for β < r + 1/2: 1/4 for white noise
    ///   (r = 0), (r + 1/2)/2 for trace-class noise q_j = (1 + κ_j²)^(−r), up to 1 at r = 3/2. For this
    ///   additive noise the rate exceeds MATH.md §2.4's cap of 1/2, which holds for multiplicative noise
    ///   (Notes/spde-schemes.md).
    public static func time(modes: Int = 16, diffusivity: Double = 0.01, reaction: Bool = true, regularity: Double? = nil,
                            paths: Int = 400, seed: UInt64 = 20265) throws -> StochasticStudyResult {
        try Validate.positive(paths, "paths")
        try Validate.positive(modes, "modes")
        let sine: @Sendable (Double) -> Double = { (u: Double) -> Double in sin(u) }
        let noise: StochasticHeatEquation.SpatialNoise
        if let r = regularity {
            noise = .traceClass(eigenvalues: (0..<modes).map { j in
                let kappa = Double(j) * Double.pi
                return pow(1 + kappa * kappa, -r)
            })
        } else {
            noise = .white
        }
        let problem = try StochasticHeatEquation(diffusivity: diffusivity, decay: 1, noiseAmplitude: 1, noise: noise,
                                                 reaction: reaction ? sine : nil)
        let levels = [16, 32, 64, 128, 256]
        let reference: StudyReference = reaction
            ? .fineSolution(StudyResolution(steps: 2048))
            : .exactSolution { path in exactCoefficients(problem, modes: modes, path: path) }
        let study = try ConvergenceStudy(steps: levels, reference: reference, paths: paths, seed: seed, pathSteps: reaction ? 2048 : 256)
        let run = try solve(SPDEPathwiseSolver(problem.semilinear, scheme: .semiImplicit, horizon: 1, finestModes: [modes]), study)
        let muMax = problem.eigenvalue(mode: modes - 1)
        let expected = muMax / Double(levels.last ?? 1) < 1 ? 1.0 : min((regularity ?? 0) + 0.5, 2) / 2
        let against = reaction ? "the same scheme with Δτ_ref = 2^-11" : "the exact solution of the J-mode system"
        let noiseText = regularity.map { String(format: "trace-class noise q = (1 + κ²)^-%g", $0) } ?? "white noise"
        let name = reaction ? "heat-time" : (regularity == nil ? "heat-time-white" : "heat-time-trace-class")
        return try SDEConvergenceStudies.report(
            run, name: name, expected: expected,
            note: String(format: "strong L2 error at τ = 1 of the semi-implicit spectral Galerkin scheme (Neumann, α = %g, λ = 1, σ = 1, f = %@, %@, J = %d modes, μ_max = %.3g) against %@ on the same Brownian path (%d paths); μ_max·Δτ ranges over [%.3g, %.3g]",
                         diffusivity, reaction ? "sin u" : "0", noiseText, modes, muMax, against, run.usedPaths, muMax / 256, muMax / 16))
    }

    /// Spatial strong error of the exponential Euler spectral scheme at τ = 0.5 (α = 1, λ = 1, σ = 1,
    /// f(u) = sin u, Neumann, white noise, Δτ = 2^-9) with J = 8 ... 64 modes against J_ref = 512 on the
    /// same path (nested mode sets: mode j gets the same β_j at every J). Error RMS over paths of the
    /// L² norm, h = 1/J. Expected order 1/2.
    public static func space(paths: Int = 200, seed: UInt64 = 20266) throws -> StochasticStudyResult {
        try Validate.positive(paths, "paths")
        let problem = try StochasticHeatEquation(diffusivity: 1, decay: 1, noiseAmplitude: 1, reaction: { u in sin(u) })
        let steps = 256
        let study = try ConvergenceStudy(levels: [8, 16, 32, 64].map { StudyResolution(steps: steps, modes: $0) },
                                         reference: .fineSolution(StudyResolution(steps: steps, modes: 512)), paths: paths, seed: seed)
        let run = try solve(SPDEPathwiseSolver(problem.semilinear, scheme: .exponentialEuler, horizon: 0.5, finestModes: [512]), study)
        return try SDEConvergenceStudies.report(
            run, name: "heat-space", expected: 0.5,
            note: "strong L2 error at τ = 0.5 of the exponential Euler spectral Galerkin scheme (Neumann, α = 1, λ = 1, σ = 1, f = sin u, white noise, Δτ = 2^-9) with J modes against J_ref = 512 on the same path, h = 1/J (\(run.usedPaths) paths)")
    }
}
