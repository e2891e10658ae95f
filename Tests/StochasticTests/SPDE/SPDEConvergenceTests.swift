import Foundation
import NumericCore
import Testing
@testable import Stochastic

/// Orders of the SPDE schemes against theory (MATH.md §2.4, Notes/spde-schemes.md): strong orders in
/// time through `ConvergenceStudy` with the engine's `SPDEPathwiseSolver` (one Brownian path per
/// sample, coarse increments summed, ≥ 1000 paths, ±0.1), and weak orders of the energy in closed form.
@Suite struct SPDEConvergenceTests {
    static func describe(_ result: StochasticStudyResult) -> String {
        "\(result.name): h = \(result.steps), errors = \(result.errors), order \(result.fit.order)"
    }

    /// Semi-implicit Euler with additive noise, many modes (μ_max Δτ ≫ 1), exact J-mode solution on the
    /// same path: strong order (r + 1/2)/2 for q_j = (1 + κ_j²)^(−r): 1/4 (white), 3/8, 3/4.
    @Test(arguments: [(nil, 0.25), (0.25, 0.375), (1.0, 0.75)] as [(Double?, Double)])
    func semiImplicitStrongOrderInTimeFollowsTheNoiseRegularity(regularity: Double?, expected: Double) throws {
        let result = try HeatConvergenceStudies.time(modes: 128, diffusivity: 1, reaction: false, regularity: regularity, paths: 1000)
        #expect(abs(result.fit.order - expected) < 0.1, "\(Self.describe(result))")
        #expect(abs(result.expectedOrder - expected) < 1e-12)
    }

    /// The weak error of the energy E‖u_h(T)‖² − E‖u(T)‖² is known exactly for a linear problem (each
    /// mode's discrete and exact variances): its order is twice the strong one, capped at 1:
    /// 1/2 (white), 3/4 (r = 1/4), 1 (r = 1), uniformly in J (here 1024 modes).
    @Test(arguments: [(0.0, 0.5), (0.25, 0.75), (1.0, 1.0)])
    func semiImplicitWeakOrderOfTheEnergyIsTwiceTheStrongOrder(regularity: Double, expected: Double) throws {
        let problem = try SemilinearSPDE.heat(boundaries: [.neumann], lengths: [1], diffusivity: 1, decay: 1,
                                              noise: SPDENoise(amplitude: 1, covariance: regularity == 0 ? .white : .traceClass(regularity: regularity)))
        let steps = [16, 32, 64, 128, 256, 512]
        let errors = try steps.map { n -> Double in
            let stepper = try SPDEStepper(problem, modes: [1024], scheme: .semiImplicit, timeStep: 1 / Double(n))
            let moments = try #require(stepper.exactSecondMoments(steps: n))
            return abs(moments.discrete.reduce(0, +) - moments.continuous.reduce(0, +))
        }
        let fit = try OrderFit.fit(steps: steps.map { 1 / Double($0) }, errors: errors)
        #expect(abs(fit.order - expected) < 0.1, "r = \(regularity): errors \(errors), order \(fit.order)")
    }

    /// Pointwise multiplicative noise σ g(u) dW^Q, g(u) = u, on a fixed mode set (J = 8, noise in 4
    /// modes, f = sin u): Milstein is strong order 1, semi-implicit Euler–Maruyama 1/2, against the same
    /// scheme with 16× finer steps on the same path.
    @Test(arguments: [(SPDEScheme.milstein, 1.0), (.semiImplicit, 0.5)])
    func milsteinIsOrderOneWithMultiplicativeNoise(scheme: SPDEScheme, expected: Double) throws {
        let problem = try SemilinearSPDE.heat(boundaries: [.neumann], lengths: [1], diffusivity: 0.05, decay: 0.5, reaction: { sin($0) },
                                              noise: SPDENoise(amplitude: 0.8, covariance: .traceClass(regularity: 0.5), cutoff: 4,
                                                               multiplicative: .init({ $0 }, derivative: { _ in 1 })),
                                              initialValue: { _, x, _ in 1 + 0.5 * cos(Double.pi * x) })
        let solver = try SPDEPathwiseSolver(problem, scheme: scheme, horizon: 1, finestModes: [8])
        let study = try ConvergenceStudy(steps: [16, 32, 64, 128, 256], reference: .fineSolution(StudyResolution(steps: 4096)),
                                         paths: 1000, seed: 77)
        let run = try solve(solver, study)
        let curve = try #require(run.strong)
        #expect(run.failedPaths == 0)
        #expect(abs(curve.order - expected) < 0.1, "\(scheme): errors \(curve.errors), order \(curve.order)")
    }

    /// 2-D, periodic × Neumann, trace-class noise r = 2 (in 2-D, ‖A^{(β−1)/2}Q^{1/2}‖_HS < ∞ for β < r),
    /// Allen–Cahn reaction, 12 × 12 modes: semi-implicit strong order in time β/2 → 1 (β < min(r, 2))
    /// against a 16× finer step on the same path; ±0.15 because the reference's own error and 400
    /// paths widen the fit.
    @Test func twoDimensionalStrongOrderInTime() throws {
        let problem = try SemilinearSPDE.allenCahn(boundaries: [.periodic, .neumann], lengths: [1, 1], diffusivity: 0.1,
                                                   noise: SPDENoise(amplitude: 0.5, covariance: .traceClass(regularity: 2)))
        let solver = try SPDEPathwiseSolver(problem, scheme: .semiImplicit, horizon: 0.5, finestModes: [12, 12])
        let study = try ConvergenceStudy(steps: [8, 16, 32, 64, 128], reference: .fineSolution(StudyResolution(steps: 2048)),
                                         paths: 400, seed: 78)
        let run = try solve(solver, study)
        let curve = try #require(run.strong)
        #expect(abs(curve.order - 1) < 0.15, "2-D: errors \(curve.errors), order \(curve.order)")
    }

    /// Mode refinement through the study API: exponential Euler with white noise converges in J at
    /// order 1/2 in h = 1/J (Gyöngy), nested mode sets driven by the same Wiener processes.
    @Test func spatialOrderWithNestedModes() throws {
        let result = try HeatConvergenceStudies.space(paths: 200)
        #expect(abs(result.fit.order - 0.5) < 0.1, "\(Self.describe(result))")
    }
}
