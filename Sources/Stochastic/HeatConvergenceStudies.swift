import Foundation
import NumericCore

/// Convergence studies of the stochastic heat equation (Notes/spectral-galerkin-heat-equation.md).
public enum HeatConvergenceStudies {
    /// Final coefficients of one path: `fineIncrements` (fineSteps × J_ref, mode-major per step) summed
    /// to `steps` steps, and the first `modes` modes used.
    static func finalCoefficients(_ problem: StochasticHeatEquation, scheme: HeatScheme, modes: Int, referenceModes: Int,
                                  horizon: Double, steps: Int, fineSteps: Int, fineIncrements: [Double]) -> [Double]? {
        guard let stepper = try? HeatEquationStepper(problem, scheme: scheme, modes: modes, timeStep: horizon / Double(steps)) else {
            return nil
        }
        let ratio = fineSteps / steps
        var dW = [Double](repeating: 0, count: modes)
        var ok = true
        for k in 0..<steps {
            for j in 0..<modes { dW[j] = 0 }
            for r in 0..<ratio {
                let row = (k * ratio + r) * referenceModes
                for j in 0..<modes { dW[j] += fineIncrements[row + j] }
            }
            ok = dW.withUnsafeBufferPointer { stepper.step(increments: $0) } && ok
        }
        return ok ? stepper.modeCoefficients : nil
    }

    /// The exact solution's mode coefficients at τ = steps·δ for f = 0, u(0) = 0, coupled to the given
    /// Brownian increments ΔW_j (steps × modes): on each step the stochastic convolution
    /// I = ∫ e^{−μ(δ−s)} dβ_j(s) is sampled from its exact law conditional on ΔW_j,
    /// I = c/δ·ΔW + sqrt(v − c²/δ)·ξ with v = (1 − e^{−2μδ})/(2μ), c = (1 − e^{−μδ})/μ, ξ independent,
    /// and û ← e^{−μδ}û + σ√q_j I. So the reference is the true solution on the same Brownian path.
    static func exactCoefficients(_ problem: StochasticHeatEquation, modes: Int, steps: Int, stepSize delta: Double,
                                  increments: [Double], extra stream: inout XoshiroRandomStream) -> [Double] {
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
        for k in 0..<steps {
            for j in 0..<modes {
                let convolution = regression[j] * increments[k * modes + j] + residual[j] * stream.gaussian()
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
    ///   path (`exactCoefficients`). With many white-noise modes (μ_max Δτ ≫ 1) the modes with
    ///   μ_j Δτ > 1 dominate and the order is 1/4 (MATH.md §2.4).
    public static func time(modes: Int = 16, diffusivity: Double = 0.01, reaction: Bool = true, paths: Int = 400,
                            seed: UInt64 = 20265) throws -> StochasticStudyResult {
        try Validate.positive(paths, "paths")
        try Validate.positive(modes, "modes")
        let sine: @Sendable (Double) -> Double = { (u: Double) -> Double in sin(u) }
        let problem = try StochasticHeatEquation(diffusivity: diffusivity, decay: 1, noiseAmplitude: 1, reaction: reaction ? sine : nil)
        let levels = [16, 32, 64, 128, 256]
        let reference = reaction ? 2048 : 256
        let muMax = problem.eigenvalue(mode: modes - 1)
        var samples = [Double](repeating: 0, count: paths * levels.count)
        samples.withUnsafeMutableBufferPointer { buffer in
            let out = SharedMutablePointer(buffer.baseAddress!)
            Parallel.forEach(paths) { p in
                var stream = XoshiroRandomStream(seed: seed, index: UInt64(p))
                var fine = [Double](repeating: 0, count: reference * modes)
                stream.fillGaussian(&fine, standardDeviation: (1.0 / Double(reference)).squareRoot())
                let exactValue: [Double]?
                if reaction {
                    exactValue = finalCoefficients(problem, scheme: .semiImplicitSpectral, modes: modes, referenceModes: modes,
                                                   horizon: 1, steps: reference, fineSteps: reference, fineIncrements: fine)
                } else {
                    exactValue = exactCoefficients(problem, modes: modes, steps: reference, stepSize: 1 / Double(reference),
                                                   increments: fine, extra: &stream)
                }
                guard let exact = exactValue else { return }
                for (l, steps) in levels.enumerated() {
                    let coarse = finalCoefficients(problem, scheme: .semiImplicitSpectral, modes: modes, referenceModes: modes,
                                                   horizon: 1, steps: steps, fineSteps: reference, fineIncrements: fine)
                    out[p * levels.count + l] = coarse.map { c in zip(c, exact).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) } } ?? .nan
                }
            }
        }
        let expected = muMax / Double(levels.last ?? 1) < 1 ? 1.0 : 0.25
        let against = reaction ? "the same scheme with Δτ_ref = 2^-11" : "the exact solution of the J-mode system"
        return try SDEConvergenceStudies.result(
            name: reaction ? "heat-time" : "heat-time-white", expected: expected, levels: levels, horizon: 1, samples: samples,
            paths: paths, seed: seed, aggregate: { $0.squareRoot() },
            note: String(format: "strong L2 error at τ = 1 of the semi-implicit spectral Galerkin scheme (Neumann, α = %g, λ = 1, σ = 1, f = %@, white noise, J = %d modes, μ_max = %.3g) against %@ on the same Brownian path (%d paths); μ_max·Δτ ranges over [%.3g, %.3g]",
                          diffusivity, reaction ? "sin u" : "0", modes, muMax, against, paths, muMax / 256, muMax / 16))
    }

    /// Spatial strong error of the exponential Euler spectral scheme at τ = 0.5 (α = 1, λ = 1, σ = 1,
    /// f(u) = sin u, Neumann, white noise, Δτ = 2^-9) with J = 8 ... 64 modes against J_ref = 512 on the
    /// same path (nested mode sets: mode j gets the same β_j at every J). Error RMS over paths of the
    /// L² norm, h = 1/J. Expected order 1/2.
    public static func space(paths: Int = 200, seed: UInt64 = 20266) throws -> StochasticStudyResult {
        try Validate.positive(paths, "paths")
        let problem = try StochasticHeatEquation(diffusivity: 1, decay: 1, noiseAmplitude: 1, reaction: { u in sin(u) })
        let modeLevels = [8, 16, 32, 64], reference = 512, steps = 256, horizon = 0.5
        var samples = [Double](repeating: 0, count: paths * modeLevels.count)
        samples.withUnsafeMutableBufferPointer { buffer in
            let out = SharedMutablePointer(buffer.baseAddress!)
            Parallel.forEach(paths) { p in
                var stream = XoshiroRandomStream(seed: seed, index: UInt64(p))
                var increments = [Double](repeating: 0, count: steps * reference)
                stream.fillGaussian(&increments, standardDeviation: (horizon / Double(steps)).squareRoot())
                guard let exact = finalCoefficients(problem, scheme: .exponentialEulerSpectral, modes: reference, referenceModes: reference,
                                                    horizon: horizon, steps: steps, fineSteps: steps, fineIncrements: increments) else { return }
                for (l, modes) in modeLevels.enumerated() {
                    let coarse = finalCoefficients(problem, scheme: .exponentialEulerSpectral, modes: modes, referenceModes: reference,
                                                   horizon: horizon, steps: steps, fineSteps: steps, fineIncrements: increments)
                    out[p * modeLevels.count + l] = coarse.map { c in
                        var e = 0.0
                        for j in 0..<reference { let d = (j < modes ? c[j] : 0) - exact[j]; e += d * d }
                        return e
                    } ?? .nan
                }
            }
        }
        // result() uses h = horizon/levels; pass horizon 1 so that h = 1/J.
        return try SDEConvergenceStudies.result(
            name: "heat-space", expected: 0.5, levels: modeLevels, horizon: 1, samples: samples, paths: paths, seed: seed,
            aggregate: { $0.squareRoot() },
            note: "strong L2 error at τ = 0.5 of the exponential Euler spectral Galerkin scheme (Neumann, α = 1, λ = 1, σ = 1, f = sin u, white noise, Δτ = 2^-9) with J modes against J_ref = 512 on the same path, h = 1/J (\(paths) paths)")
    }
}
