import NumericCore

/// The time-stepping schemes for `StochasticDifferentialEquation` (orders and conditions:
/// Notes/sde-schemes.md). Strong/weak orders hold for smooth, globally Lipschitz coefficients:
/// - `eulerMaruyama`: strong 1/2, weak 1; strong 1 for additive noise.
/// - `milstein`: strong 1, weak 1, for scalar, diagonal, additive and commutative noise. Non-commutative
///   noise needs Lévy areas, which are not simulated, so it is rejected.
/// - `semiImplicit(theta:)`: θ-method Euler–Maruyama, the diagonal linear part L taken at θ·X_{n+1} +
///   (1 − θ)·X_n, the rest explicit. For θ ≥ 1/2 the linear part is mean-square stable for any step
///   (A-stable); θ = 1 is the semi-implicit scheme of MATH.md §2.3. Orders as Euler–Maruyama.
public enum StochasticScheme: Sendable, Equatable, CustomStringConvertible {
    case eulerMaruyama
    case milstein
    case semiImplicit(theta: Double)

    public var description: String {
        switch self {
        case .eulerMaruyama: return "euler-maruyama"
        case .milstein: return "milstein"
        case .semiImplicit(let theta): return theta == 1 ? "semi-implicit" : "theta-\(theta)"
        }
    }

    /// Throws `InvalidArgument` when the problem is malformed (dimension < 1, initial value of the wrong
    /// length, horizon <= 0) or the scheme cannot be used for it: Milstein with non-commutative noise or
    /// without `diffusionDerivative`, θ outside [0, 1]. For Milstein the coefficients are also checked
    /// numerically at a few states (StochasticScheme+CoefficientChecks.swift): a diffusion declared
    /// `.additive` that depends on the state, and a `diffusionDerivative` that differs from central
    /// differences of the diffusion in its noise structure's layout, throw `InvalidArgument`.
    public func validate<Problem: StochasticDifferentialEquation>(for problem: Problem) throws {
        try Validate.atLeast(problem.dimension, 1, "dimension")
        try Validate.count(problem.initialValue.count, problem.dimension, "initialValue")
        try Validate.positive(problem.horizon, "horizon")
        try Validate.atLeast(problem.wienerDimension, 1, "noise dimensions")
        switch self {
        case .eulerMaruyama:
            return
        case .semiImplicit(let theta):
            guard theta.isFinite, theta >= 0, theta <= 1 else { throw InvalidArgument("theta", theta, "must be in [0, 1]") }
        case .milstein:
            switch problem.noise {
            case .additive:
                try Self.checkAdditiveDiffusion(problem)
            case .general(_, let commutative) where !commutative:
                throw InvalidArgument("scheme", "milstein",
                                      "needs commutative noise; this problem has \(problem.noise) noise (use euler-maruyama)")
            default:
                guard problem.providesDiffusionDerivative else {
                    throw InvalidArgument("scheme", "milstein", "needs the diffusion derivative, which this problem does not provide")
                }
                try Self.checkDiffusionDerivative(problem)
                if case .general(let m, _) = problem.noise { try checkCommutativity(problem, m) }
            }
        }
    }

    /// Noise declared commutative must satisfy L^{j1} b_{·j2} = L^{j2} b_{·j1}: checked at the initial
    /// state (relative tolerance 1e-8), which catches a wrongly declared problem before any stepping.
    private func checkCommutativity<Problem: StochasticDifferentialEquation>(_ problem: Problem, _ m: Int) throws {
        let n = problem.dimension
        var tensor = [Double](repeating: 0, count: n * m * m)
        problem.initialValue.withUnsafeBufferPointer { x in
            tensor.withUnsafeMutableBufferPointer { problem.diffusionDerivative(problem.initialTime, x, $0) }
        }
        let scale = tensor.reduce(0) { max($0, abs($1)) }
        for i in 0..<n {
            for j1 in 0..<m {
                for j2 in (j1 + 1)..<max(j1 + 1, m) {
                    let a = tensor[(i * m + j1) * m + j2], b = tensor[(i * m + j2) * m + j1]
                    if abs(a - b) > 1e-8 * (1 + scale) {
                        throw InvalidArgument("scheme", "milstein",
                                              "needs commutative noise; L^\(j1) b[\(i),\(j2)] = \(a) differs from L^\(j2) b[\(i),\(j1)] = \(b) at the initial state")
                    }
                }
            }
        }
    }
}
