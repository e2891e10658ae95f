import Foundation
import NumericCore

extension OrnsteinUhlenbeckProcess {
    /// The exact solution at the end of `path` (duration T), X(T) = m + (x0 − m)e^{−κT} + σ ∫₀^T e^{−κ(T−s)} dW(s),
    /// a function of the whole path, not only of W(T). The stochastic integral is taken on the path's fine
    /// grid as its conditional expectation given the increments,
    /// Σ_k ΔW_k · (1/Δ) ∫_{t_k}^{t_{k+1}} e^{−κ(T−s)} ds = Σ_k ΔW_k e^{−κ(T−t_{k+1})} (1 − e^{−κΔ})/(κΔ),
    /// whose root-mean-square error is σ (Σ_k ∫ (e^{−κ(T−s)} − mean)² ds)^{1/2} ≈ σκΔ √(T/12) = O(Δ): take
    /// the path several times finer than the finest level of a strong study (`ConvergenceStudy.pathSteps`).
    /// Returns nil for a path of dimension other than 1. Cost: one multiply-add per fine step.
    public func exactSolution(on path: BrownianPath) -> [Double]? {
        guard path.dimension == 1 else { return nil }
        let h = path.stepSize, n = path.steps
        let average = -expm1(-rate * h) / (rate * h)
        // Σ_k ΔW_k r^{n−k−1}, r = e^{−κΔ}, by Horner's rule.
        let r = exp(-rate * h)
        var integral = 0.0
        for k in 0..<n { integral = integral * r + path.increments[k] }
        return [level + (start - level) * exp(-rate * path.duration) + volatility * average * integral]
    }
}
