import NumericCore

/// What a `ConvergenceStudy` measures its levels against (Notes/convergence-studies.md).
public enum StudyReference: Sendable {
    /// The exact solution at the horizon as a function of the whole Brownian path (its fine increments,
    /// not only W(T)): strong errors are exact, and the weak error is estimated by the coupled mean of
    /// φ(X_h) − φ(X) on the same paths. Return nil to mark a path as failed. A solution that needs a
    /// stochastic integral (the Ornstein–Uhlenbeck ∫ e^{−κ(T−s)} dW) approximates it on the fine path
    /// (`OrnsteinUhlenbeckProcess.exactSolution(on:)`), so the fine path should be several times finer
    /// than the finest level.
    case exactSolution(@Sendable (BrownianPath) -> [Double]?)
    /// The exact expectation E φ(X(T)) of the study's weak functional φ: weak errors only (there is no
    /// path to measure a strong error against), estimated from independent samples, so the standard
    /// error is sd(φ(X_h))/√M and the weak error must be well above it (M ~ (σ_φ / error)²).
    case exactExpectation(Double)
    /// The same solver at a finer resolution on the same Brownian path (more steps, and for SPDEs more
    /// modes): its steps must be a multiple of every level's, and the path is generated at its steps.
    /// Errors include the reference's own error, so take it several times finer than the finest level.
    case fineSolution(StudyResolution)

    /// The exact solution at t0 + T of a problem whose solution is a function of W(t0 + T) − W(t0).
    public static func exactSolution<Problem: StochasticDifferentialEquation & ExactPathSolution>(
        of problem: Problem
    ) -> StudyReference {
        let t = problem.initialTime + problem.horizon
        return .exactSolution { path in problem.exactSolution(at: t, wienerValue: path.endValue) }
    }
}
