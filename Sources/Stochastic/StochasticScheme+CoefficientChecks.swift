import NumericCore

/// Numerical checks of what Milstein relies on, run by `StochasticScheme.validate(for:)` so that a
/// wrongly declared problem throws instead of silently losing an order (Notes/sde-schemes.md):
/// - `.additive` noise: Milstein has no correction term, so a diffusion that depends on the state would
///   make it Euler–Maruyama (strong order 1/2). The diffusion is compared at the check states.
/// - scalar, diagonal and general noise: the supplied `diffusionDerivative` is compared with central
///   differences of the diffusion in the layout of `NoiseStructure.derivativeCount` (L¹b for scalar
///   noise, ∂b_i/∂x_i for diagonal noise, L^{j1} b_{i j2} for general noise). A derivative in the wrong
///   layout gives strong order about 1/2 instead of 1.
///
/// The check states are x0 and x0 ± δ with δ_i = |x0_i|/4 (1/4 where x0_i = 0), which keep the sign of
/// every nonzero entry (so a coefficient such as √x stays defined); states where a coefficient is not
/// finite are skipped. Differences use steps ε_k = 10⁻⁶|x_k| (10⁻⁶ where x_k = 0); a mismatch above
/// 10⁻⁵ of the largest entry at that state throws. Cost: (1 + 2n) diffusion evaluations per state.
extension StochasticScheme {
    /// The states the checks evaluate the coefficients at.
    static func checkStates<Problem: StochasticDifferentialEquation>(_ problem: Problem) -> [[Double]] {
        let x0 = problem.initialValue
        let delta = x0.map { $0 == 0 ? 0.25 : 0.25 * abs($0) }
        return [x0, zip(x0, delta).map { $0 + $1 }, zip(x0, delta).map { $0 - $1 }]
    }

    static func diffusion<Problem: StochasticDifferentialEquation>(_ problem: Problem, at x: [Double]) -> [Double] {
        var b = [Double](repeating: 0, count: problem.noise.diffusionCount(stateDimension: problem.dimension))
        x.withUnsafeBufferPointer { state in b.withUnsafeMutableBufferPointer { problem.diffusion(problem.initialTime, state, $0) } }
        return b
    }

    /// Throws if the diffusion of a problem declared additive changes with the state.
    static func checkAdditiveDiffusion<Problem: StochasticDifferentialEquation>(_ problem: Problem) throws {
        let states = checkStates(problem)
        let b0 = diffusion(problem, at: states[0])
        guard b0.allSatisfy(\.isFinite) else { return }
        let scale = b0.reduce(0) { max($0, abs($1)) }
        for x in states.dropFirst() {
            let b = diffusion(problem, at: x)
            for (j, value) in b.enumerated() where value.isFinite && abs(value - b0[j]) > 1e-10 * (1 + scale) {
                throw InvalidArgument("noise", problem.noise.description,
                                      "milstein: the diffusion depends on the state (b[\(j)] = \(b0[j]) at x = \(states[0]), \(value) at x = \(x)), "
                                        + "so it is not additive; declare it .scalar, .diagonal or .general with its derivative")
            }
        }
    }

    /// Throws if `diffusionDerivative` differs from central differences of the diffusion in its layout.
    static func checkDiffusionDerivative<Problem: StochasticDifferentialEquation>(_ problem: Problem) throws {
        let n = problem.dimension, m = problem.wienerDimension
        for x in checkStates(problem) {
            let b = diffusion(problem, at: x)
            var supplied = [Double](repeating: 0, count: problem.noise.derivativeCount(stateDimension: n))
            x.withUnsafeBufferPointer { state in
                supplied.withUnsafeMutableBufferPointer { problem.diffusionDerivative(problem.initialTime, state, $0) }
            }
            // db[k][e] = ∂b_e/∂x_k by central differences.
            var db: [[Double]] = []
            for k in 0..<n {
                let epsilon = 1e-6 * (x[k] == 0 ? 1 : abs(x[k]))
                var plus = x, minus = x
                plus[k] += epsilon
                minus[k] -= epsilon
                let bp = diffusion(problem, at: plus), bm = diffusion(problem, at: minus)
                db.append(zip(bp, bm).map { ($0 - $1) / (plus[k] - minus[k]) })
            }
            var expected = [Double](repeating: 0, count: supplied.count)
            switch problem.noise {
            case .scalar:
                for i in 0..<n { for k in 0..<n { expected[i] += b[k] * db[k][i] } }
            case .diagonal:
                for i in 0..<n { expected[i] = db[i][i] }
            case .general:
                for i in 0..<n {
                    for j1 in 0..<m {
                        for j2 in 0..<m {
                            for k in 0..<n { expected[(i * m + j1) * m + j2] += b[k * m + j1] * db[k][i * m + j2] }
                        }
                    }
                }
            case .additive:
                return
            }
            guard b.allSatisfy(\.isFinite), expected.allSatisfy(\.isFinite), supplied.allSatisfy(\.isFinite) else { continue }
            let scale = zip(expected, supplied).reduce(0) { max($0, abs($1.0), abs($1.1)) }
            for e in expected.indices where abs(expected[e] - supplied[e]) > 1e-5 * scale {
                throw InvalidArgument("diffusionDerivative", "[\(e)] = \(supplied[e]) at x = \(x)",
                                      "milstein with \(problem.noise) noise needs \(layout(problem.noise)); central differences of "
                                        + "the diffusion give \(expected[e]) (a derivative in another layout loses the order)")
            }
        }
    }

    static func layout(_ noise: NoiseStructure) -> String {
        switch noise {
        case .scalar: return "L¹b_i = Σ_k b_k ∂b_i/∂x_k (n entries)"
        case .diagonal: return "∂b_i/∂x_i (n entries, not b_i ∂b_i/∂x_i)"
        case .general: return "L^{j1} b_{i j2} = Σ_k b_{k j1} ∂b_{i j2}/∂x_k at [(i·m + j1)·m + j2]"
        case .additive: return "no derivative"
        }
    }
}
