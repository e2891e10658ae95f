import Foundation
import NumericCore
import Testing
@testable import Stochastic

/// Nonlinear problems against what is known exactly: Burgers' conserved mean, Allen–Cahn's stationary
/// states, and the double-well transition time of the spatially constant mode (MATH.md §6.4).
@Suite struct SemilinearSPDEProblemsTests {
    /// Periodic stochastic Burgers du = (ν u_xx − u u_x) dτ + σ dW: ∫u u_x = 0 and ∫u_xx = 0, so the mean
    /// mode is exactly σ times the integrated noise of mode 0 (the pseudo-spectral u·u_x keeps this to
    /// rounding because the spectral derivative is antisymmetric).
    @Test(arguments: [SPDEScheme.semiImplicit, .exponentialEuler])
    func burgersMeanModeIsTheIntegratedNoise(scheme: SPDEScheme) throws {
        let problem = try SemilinearSPDE(boundaries: [.periodic], lengths: [2 * Double.pi], linearPart: SpectralOperator(diffusion: 0.05),
                                         nonlinearity: .burgers, noise: SPDENoise(amplitude: 0.4, covariance: .traceClass(regularity: 1)),
                                         initialValue: { _, x, _ in sin(x) + 0.2 })
        let stepper = try SPDEStepper(problem, modes: [64], scheme: scheme, timeStep: 1e-3)
        let start = stepper.modeCoefficients[0]
        var stream = XoshiroRandomStream(seed: 17, index: 0)
        var dW = [Double](repeating: 0, count: 64)
        var sum = 0.0
        for _ in 0..<2000 {
            dW.withUnsafeMutableBufferPointer { buffer in
                stream.fillGaussian(buffer, standardDeviation: 1e-3.squareRoot())
                #expect(stepper.step(increments: UnsafePointer(buffer.baseAddress!)))
            }
            sum += dW[0]
        }
        // q_0 = (1 + 0)^(−1) = 1; μ_0 = 0, so both schemes add σ ΔW_0 exactly.
        let mean = stepper.modeCoefficients[0]
        #expect(abs(mean - (start + 0.4 * sum)) < 1e-12, "mean mode \(mean), start + σ ΣΔW₀ = \(start + 0.4 * sum)")
        #expect(abs(start - 0.2 * (2 * Double.pi).squareRoot()) < 1e-12)
    }

    /// Deterministic Allen–Cahn u_τ = u_xx + u − u³ (Neumann, L = 40): an odd initial step relaxes to the
    /// kink tanh((x − L/2)/√2), a positive start to u ≡ 1. Stationary points of the semi-implicit and the
    /// exponential schemes are those of the Galerkin system, so only spatial (spectral) error remains.
    @Test(arguments: [SPDEScheme.semiImplicit, .exponentialEuler])
    func allenCahnReachesItsStationaryStates(scheme: SPDEScheme) throws {
        let L = 40.0
        typealias Profile = @Sendable (Double) -> Double
        let cases: [(Profile, Profile)] = [({ x in tanh(x - L / 2) }, { x in tanh((x - L / 2) / 2.0.squareRoot()) }),
                                           ({ x in 0.3 + 0.1 * cos(Double.pi * x / L) }, { _ in 1.0 })]
        for (initial, stationary) in cases {
            let problem = try SemilinearSPDE(boundaries: [.neumann], lengths: [L], linearPart: SpectralOperator(diffusion: 1),
                                             nonlinearity: .allenCahn, noise: .none, initialValue: { _, x, _ in initial(x) })
            let stepper = try SPDEStepper(problem, modes: [256], scheme: scheme, timeStep: 0.05)
            for _ in 0..<800 { #expect(stepper.step(increments: nil)) }
            let values = stepper.nodeValues
            let error = (0..<256).map { abs(values[$0] - stationary(stepper.grid.position(ofPoint: $0).x)) }.max() ?? .infinity
            #expect(error < 1e-7, "\(scheme): max |u(τ = 40) − stationary| = \(error)")
        }
    }

    /// Small-noise Allen–Cahn on a short interval with strong diffusion (α = 50, L = 1, white noise): the
    /// nonconstant modes relax in 1/(απ²) and carry variance O(ε/α), so the spatial mean ū obeys the
    /// double-well SDE dū = (ū − ū³)dτ + √(2ε) dβ with σ = √(2εL). Its mean passage time from −1 to +1
    /// matches the exact double integral (`EscapeLaws.meanFirstPassageTime`), within 3 standard errors
    /// plus 5% for the step (Δτ = 0.01) and the O(ε/α) mode coupling.
    @Test func allenCahnMeanModeHasTheDoubleWellTransitionTime() throws {
        let epsilon = 0.1, L = 1.0
        let problem = try SemilinearSPDE(boundaries: [.neumann], lengths: [L], linearPart: SpectralOperator(diffusion: 50),
                                         nonlinearity: .allenCahn, noise: SPDENoise(amplitude: (2 * epsilon * L).squareRoot()),
                                         initialValue: { _, _, _ in -1 })
        let rule = SPDEStoppingRule(name: "passage to +1") { _, c in c[0] / L.squareRoot() >= 1 }
        let ensemble = try SPDEEnsemble(scheme: .semiImplicit, modes: [8], timeStep: 0.01, steps: 200_000, paths: 400, seed: 31,
                                        stopping: rule)
        let result = try solve(problem, ensemble)
        let times = try #require(result.stoppingTimes)
        #expect(result.stoppedPaths == 400)
        let exact = EscapeLaws.meanFirstPassageTime(potential: EscapeLaws.doubleWell, temperature: epsilon, from: -1, to: 1, lower: -3)
        #expect(abs(times.mean - exact) < 3 * times.standardError + 0.05 * exact,
                "mean passage time \(times.mean) ± \(times.standardError), exact \(exact)")
    }
}
