import Foundation

extension SPDEStepper {
    /// E û² per coefficient (mode order, then the globals) after `steps` steps from `reset()`, for a linear problem with
    /// additive noise (`SemilinearSPDE.isLinearAdditive`), else nil. Each mode is then an independent
    /// scalar recursion û' = aû + σc ΔW, so E û_N² = a^{2N}û₀² + σ²c²Δτ(1 − a^{2N})/(1 − a²):
    /// `discrete` is the scheme's own value; `continuous` the exact OU value
    /// e^{−2μτ}û₀² + σ²q(1 − e^{−2μτ})/(2μ) at τ = N·Δτ of the same mode (Notes/spde-schemes.md).
    public func exactSecondMoments(steps: Int) -> (discrete: [Double], continuous: [Double])? {
        guard problem.isLinearAdditive else { return nil }
        var initial = [Double](repeating: 0, count: total)
        initial.withUnsafeMutableBufferPointer { writeInitialCoefficients(into: $0.baseAddress!) }
        let start = (0..<total).map { initial[noiseTarget[$0]] }
        let mu = problem.rates(on: grid) + [Double](repeating: problem.globals?.decay ?? 0, count: total - count)
        let sigma = problem.noise.amplitude, dt = timeStep, tau = Double(steps) * dt, N = Double(steps)
        var discrete = [Double](repeating: 0, count: total), continuous = discrete
        for k in 0..<total {
            let i = noiseTarget[k]
            let a = stateFactor[i], c = noiseFactor[i], q = noiseRoot[i] * noiseRoot[i], u0 = start[k]
            let a2N = pow(a * a, N)
            let sum = abs(1 - a * a) < 1e-15 ? N : (1 - a2N) / (1 - a * a)
            discrete[k] = a2N * u0 * u0 + sigma * sigma * c * c * dt * sum
            let x = 2 * mu[i] * tau
            let growth = x != 0 ? -expm1(-x) / (2 * mu[i]) : tau
            continuous[k] = exp(-x) * u0 * u0 + sigma * sigma * q * growth
        }
        return (discrete, continuous)
    }
}
