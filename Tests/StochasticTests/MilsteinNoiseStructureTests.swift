import Foundation
import NumericCore
import Testing
@testable import Stochastic

/// Milstein's strong order 1 for diagonal and for general commutative noise, on two-dimensional linear
/// SDEs with closed-form solutions, and Euler–Maruyama's 1/2 on the same paths. 1000 paths, one refined
/// path each (2^9 steps; coarse levels are sums), tolerance ±0.1.
@Suite struct MilsteinNoiseStructureTests {
    static let levels = [16, 32, 64, 128, 256, 512]

    /// RMS over paths of |X_h(1) − X(1)| at each level.
    static func strongErrors(_ problem: SDEProblem, _ scheme: StochasticScheme, exact: @escaping @Sendable ([Double]) -> [Double]) throws -> [Double] {
        let paths = 1000
        var squares = [Double](repeating: 0, count: paths * levels.count)
        try squares.withUnsafeMutableBufferPointer { buffer in
            let out = SharedMutablePointer(buffer.baseAddress!)
            for p in 0..<paths {
                let path = try BrownianPath(seed: 606, index: UInt64(p), dimension: problem.wienerDimension, steps: 512, duration: 1)
                let reference = exact(path.endValue)
                for (l, steps) in levels.enumerated() {
                    let x = try solve(problem, scheme, path: path, steps: steps).finalState
                    out[p * levels.count + l] = zip(x, reference).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }
                }
            }
        }
        return levels.indices.map { l in ((0..<paths).reduce(0) { $0 + squares[$1 * levels.count + l] } / Double(paths)).squareRoot() }
    }

    static func order(_ errors: [Double]) throws -> OrderFit {
        try OrderFit.fit(steps: levels.map { 1 / Double($0) }, errors: errors)
    }

    /// Diagonal noise: dX_i = μ_i X_i dt + σ_i X_i dW_i, X_i(t) = X_i(0) exp((μ_i − σ_i²/2)t + σ_i W_i(t)).
    @Test func diagonalNoise() throws {
        let mu = [1.0, -0.5], sigma = [0.8, 1.2]
        let problem = try SDEProblem(initialValue: [1, 2], horizon: 1, noise: .diagonal,
                                     drift: { _, x, r in r[0] = mu[0] * x[0]; r[1] = mu[1] * x[1] },
                                     diffusion: { _, x, r in r[0] = sigma[0] * x[0]; r[1] = sigma[1] * x[1] },
                                     diffusionDerivative: { _, _, r in r[0] = sigma[0]; r[1] = sigma[1] })
        let exact: @Sendable ([Double]) -> [Double] = { w in
            [exp((mu[0] - 0.5 * sigma[0] * sigma[0]) + sigma[0] * w[0]), 2 * exp((mu[1] - 0.5 * sigma[1] * sigma[1]) + sigma[1] * w[1])]
        }
        let milstein = try Self.strongErrors(problem, .milstein, exact: exact)
        let euler = try Self.strongErrors(problem, .eulerMaruyama, exact: exact)
        let fitMilstein = try Self.order(milstein), fitEuler = try Self.order(euler)
        #expect(abs(fitMilstein.order - 1) <= 0.1, "diagonal Milstein: h \(Self.levels), errors \(milstein), \(fitMilstein)")
        #expect(abs(fitEuler.order - 0.5) <= 0.1, "diagonal EM: errors \(euler), \(fitEuler)")
    }

    /// Commutative general noise: dX = μX dt + Σ_j σ_j X dW_j (every column of b is proportional to X, so
    /// L^{j1} b_{i j2} = σ_{j1}σ_{j2} X_i is symmetric in j1, j2). X(t) = X(0) exp((μ − Σσ_j²/2)t + Σ σ_j W_j(t)).
    @Test func commutativeGeneralNoise() throws {
        let mu = 0.7, sigma = [0.6, 0.9]
        let problem = try SDEProblem(initialValue: [1, 0.5], horizon: 1, noise: .general(dimensions: 2, commutative: true),
                                     drift: { _, x, r in r[0] = mu * x[0]; r[1] = mu * x[1] },
                                     diffusion: { _, x, r in
                                         for i in 0..<2 { for j in 0..<2 { r[i * 2 + j] = sigma[j] * x[i] } }
                                     },
                                     diffusionDerivative: { _, x, r in
                                         for i in 0..<2 { for j1 in 0..<2 { for j2 in 0..<2 { r[(i * 2 + j1) * 2 + j2] = sigma[j1] * sigma[j2] * x[i] } } }
                                     })
        let drift = mu - 0.5 * (sigma[0] * sigma[0] + sigma[1] * sigma[1])
        let exact: @Sendable ([Double]) -> [Double] = { w in
            let g = exp(drift + sigma[0] * w[0] + sigma[1] * w[1])
            return [g, 0.5 * g]
        }
        let milstein = try Self.strongErrors(problem, .milstein, exact: exact)
        let euler = try Self.strongErrors(problem, .eulerMaruyama, exact: exact)
        let fitMilstein = try Self.order(milstein), fitEuler = try Self.order(euler)
        #expect(abs(fitMilstein.order - 1) <= 0.1, "commutative Milstein: h \(Self.levels), errors \(milstein), \(fitMilstein)")
        #expect(abs(fitEuler.order - 0.5) <= 0.1, "commutative EM: errors \(euler), \(fitEuler)")
    }

    /// Dense output interpolates linearly between grid values and returns the grid values at grid times.
    @Test func denseOutputInterpolatesTheGridValues() throws {
        let problem = try GeometricBrownianMotion(growth: 0.3, volatility: 0.4)
        let solution = try solve(problem, .eulerMaruyama, path: BrownianPath(seed: 3, steps: 10, duration: 1), steps: 10)
        #expect(solution.status == .success && solution.times.count == 11)
        #expect(solution.value(at: 0.3)[0] == solution.state(at: 3).first)
        let mid = solution.value(at: 0.35)[0]
        #expect(abs(mid - 0.5 * (solution.values[3] + solution.values[4])) < 1e-14)
    }
}

@Suite struct MilsteinCommutativityCheckTests {
    /// A problem declared commutative whose derivative tensor is not symmetric is rejected up front.
    @Test func wronglyDeclaredCommutativeNoiseIsRejected() throws {
        let problem = try SDEProblem(initialValue: [1, 1], horizon: 1, noise: .general(dimensions: 2, commutative: true),
                                     drift: { _, _, r in r[0] = 0; r[1] = 0 },
                                     diffusion: { _, x, r in r[0] = x[1]; r[1] = 0; r[2] = 0; r[3] = x[0] },
                                     diffusionDerivative: { _, x, r in
                                         // L^{j1} b_{i j2} = Σ_k b_{k j1} ∂_k b_{i j2}: only (0,1,0) = x0 and (1,0,1) = x1 are non-zero.
                                         for q in r.indices { r[q] = 0 }
                                         r[(0 * 2 + 1) * 2 + 0] = x[0]
                                         r[(1 * 2 + 0) * 2 + 1] = x[1]
                                     })
        #expect(throws: InvalidArgument.self) { try StochasticScheme.milstein.validate(for: problem) }
        #expect(throws: Never.self) { try StochasticScheme.eulerMaruyama.validate(for: problem) }
    }
}

/// Milstein's coefficients are checked numerically when the scheme is validated (both mistakes used to
/// pass silently and cost the order: 0.57 and 0.52 instead of 1).
@Suite struct MilsteinCoefficientCheckTests {
    static func argument(_ body: () throws -> Void) -> String? {
        do { try body() } catch let error as InvalidArgument { return error.argument } catch { return "other" }
        return nil
    }

    /// Diagonal noise b_i = σ_i x_i needs ∂b_i/∂x_i = σ_i; the scalar-noise layout b_i ∂b_i/∂x_i = σ_i² x_i
    /// is rejected (it agrees at x = 1 for σ = 1, so the check must look at more than one state).
    @Test func aDerivativeInTheWrongLayoutIsRejected() throws {
        let sigma = [1.0, 0.5]
        let wrong = try SDEProblem(initialValue: [1, 2], horizon: 1, noise: .diagonal,
                                   drift: { _, x, r in r[0] = x[0]; r[1] = x[1] },
                                   diffusion: { _, x, r in r[0] = sigma[0] * x[0]; r[1] = sigma[1] * x[1] },
                                   diffusionDerivative: { _, x, r in r[0] = sigma[0] * sigma[0] * x[0]; r[1] = sigma[1] * sigma[1] * x[1] })
        #expect(Self.argument { try StochasticScheme.milstein.validate(for: wrong) } == "diffusionDerivative")
        #expect(Self.argument { _ = try SDEPathwiseSolver(wrong, scheme: .milstein) } == "diffusionDerivative")
        #expect(Self.argument { try StochasticScheme.eulerMaruyama.validate(for: wrong) } == nil)
        // Scalar GBM with ∂b/∂x = σ in place of L¹b = σ²x.
        let scalar = try SDEProblem(initialValue: [1], horizon: 1, noise: .scalar,
                                    drift: { _, x, r in r[0] = 2 * x[0] }, diffusion: { _, x, r in r[0] = 0.5 * x[0] },
                                    diffusionDerivative: { _, _, r in r[0] = 0.5 })
        #expect(Self.argument { try StochasticScheme.milstein.validate(for: scalar) } == "diffusionDerivative")
        let right = try SDEProblem(initialValue: [1, 2], horizon: 1, noise: .diagonal,
                                   drift: { _, x, r in r[0] = x[0]; r[1] = x[1] },
                                   diffusion: { _, x, r in r[0] = sigma[0] * x[0]; r[1] = sigma[1] * x[1] },
                                   diffusionDerivative: { _, _, r in r[0] = sigma[0]; r[1] = sigma[1] })
        #expect(Self.argument { try StochasticScheme.milstein.validate(for: right) } == nil)
        #expect(Self.argument { try StochasticScheme.milstein.validate(for: GeometricBrownianMotion(growth: 2, volatility: 1)) } == nil)
    }

    /// A diffusion that depends on the state, declared additive, would make Milstein Euler–Maruyama.
    @Test func aStateDependentDiffusionDeclaredAdditiveIsRejected() throws {
        let problem = try SDEProblem(initialValue: [1], horizon: 1, noise: .additive(dimensions: 1),
                                     drift: { _, x, r in r[0] = 2 * x[0] }, diffusion: { _, x, r in r[0] = x[0] })
        #expect(Self.argument { try StochasticScheme.milstein.validate(for: problem) } == "noise")
        // Time-dependent additive noise is additive.
        let timeDependent = try SDEProblem(initialValue: [1], horizon: 1, noise: .additive(dimensions: 1),
                                           drift: { _, x, r in r[0] = -x[0] }, diffusion: { t, _, r in r[0] = 1 + t })
        #expect(Self.argument { try StochasticScheme.milstein.validate(for: timeDependent) } == nil)
        #expect(Self.argument { try StochasticScheme.milstein.validate(for: SDEConvergenceStudies.additiveProblem()) } == nil)
    }
}
