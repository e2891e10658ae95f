import Foundation
import NumericCore
import Testing
@testable import Stochastic

/// The stochastic heat equation against its closed forms (MATH.md V7). Per-mode checks compare J
/// sample second moments at once, so they use 4 standard errors (a Bonferroni-style margin for J ≤ 16
/// simultaneous comparisons); single-number checks use 3.
@Suite struct StochasticHeatEquationTests {
    static func expectModes(_ result: HeatEnsembleResult, _ exact: (Int) -> Double, _ label: String) {
        for j in result.modeSecondMoments.indices {
            let deviation = (result.modeSecondMoments[j] - exact(j)) / result.modeStandardErrors[j]
            #expect(abs(deviation) < 4, "\(label) mode \(j): sample \(result.modeSecondMoments[j]) ± \(result.modeStandardErrors[j]), exact \(exact(j))")
        }
    }

    /// Exponential Euler samples every mode's OU law exactly: stationary variance σ²/(2μ_j) for any Δτ.
    @Test(arguments: StochasticHeatEquation.Boundary.allCases)
    func exponentialEulerHasTheExactStationaryModeVariance(boundary: StochasticHeatEquation.Boundary) throws {
        let problem = try StochasticHeatEquation(length: 2, diffusivity: 0.05, decay: 1, noiseAmplitude: 0.8, boundary: boundary)
        let result = try solve(problem, HeatEnsemble(scheme: .exponentialEulerSpectral, modes: 12, timeStep: 0.25, steps: 48, paths: 4000, seed: 41))
        Self.expectModes(result, { problem.stationaryModeVariance(mode: $0) }, "exponential Euler \(boundary)")
    }

    /// Semi-implicit Euler–Maruyama damps mode j: stationary variance σ²/(μ_j(2 + μ_jΔτ)).
    @Test func semiImplicitSpectralStationaryVarianceMatchesTheDiscreteFormula() throws {
        let problem = try StochasticHeatEquation(diffusivity: 0.1, decay: 1, noiseAmplitude: 1)
        let dt = 0.2
        let result = try solve(problem, HeatEnsemble(scheme: .semiImplicitSpectral, modes: 10, timeStep: dt, steps: 80, paths: 4000, seed: 42))
        Self.expectModes(result, { j in
            let mu = problem.eigenvalue(mode: j)
            return 1 / (mu * (2 + mu * dt))
        }, "semi-implicit spectral")
    }

    /// Finite differences: per grid-eigenvector, variance σ²/(μ_j^h(2 + μ_j^hΔτ)), μ_j^h the discrete
    /// eigenvalue (free-end Laplacian for Neumann, Dirichlet Laplacian on interior nodes).
    @Test(arguments: StochasticHeatEquation.Boundary.allCases)
    func finiteDifferenceStationaryVarianceMatchesTheDiscreteFormula(boundary: StochasticHeatEquation.Boundary) throws {
        let problem = try StochasticHeatEquation(diffusivity: 0.02, decay: 0.5, noiseAmplitude: 1, boundary: boundary)
        let dt = 0.1, modes = 16
        let stepper = try HeatEquationStepper(problem, scheme: .semiImplicitFiniteDifference, modes: modes, timeStep: dt)
        let result = try solve(problem, HeatEnsemble(scheme: .semiImplicitFiniteDifference, modes: modes, timeStep: dt, steps: 400, paths: 4000, seed: 43))
        Self.expectModes(result, { j in
            let mu = stepper.discreteEigenvalue(mode: j)
            return 1 / (mu * (2 + mu * dt))
        }, "finite differences \(boundary)")
    }

    /// E||P_J u(τ)||² from u(0) = 0 against Σ_j σ²q_j(1 − e^{−2μ_jτ})/(2μ_j), before stationarity, for
    /// white and trace-class noise, within 3 standard errors.
    @Test func expectedEnergyFromZeroMatchesTheClosedForm() throws {
        let q = (0..<32).map { 1 / pow(1 + Double($0), 2) }
        for noise in [StochasticHeatEquation.SpatialNoise.white, .traceClass(eigenvalues: q)] {
            let problem = try StochasticHeatEquation(diffusivity: 1, decay: 1, noiseAmplitude: 1.5, noise: noise)
            let result = try solve(problem, HeatEnsemble(scheme: .exponentialEulerSpectral, modes: 32, timeStep: 0.01, steps: 20, paths: 4000, seed: 44))
            let exact = try #require(result.exactEnergy)
            let closed = (0..<32).reduce(0.0) { sum, j in
                let mu = 1 + pow(Double(j) * Double.pi, 2), w = j < q.count && noise != .white ? q[j] : 1
                return sum + 2.25 * w * (1 - exp(-2 * mu * 0.2)) / (2 * mu)
            }
            #expect(abs(exact - closed) < 1e-12 * closed)
            #expect(abs(result.energy.mean - exact) < 3 * result.energy.standardError,
                    "\(noise): mean energy \(result.energy.mean) ± \(result.energy.standardError), exact \(exact)")
        }
    }

    /// The FD solver's tridiagonal solve: with σ = 0 and f = 0 the scheme is u' = (I + Δτ(αA_h + λ))^{-1} u,
    /// which multiplies grid eigenvector j by 1/(1 + Δτ μ_j^h) exactly.
    @Test func finiteDifferenceLinearStepDampsEachEigenvectorExactly() throws {
        let problem = try StochasticHeatEquation(diffusivity: 0.3, decay: 0.2, noiseAmplitude: 0, initialValue: { t in cos(3 * Double.pi * t) })
        let modes = 20, dt = 0.05
        let stepper = try HeatEquationStepper(problem, scheme: .semiImplicitFiniteDifference, modes: modes, timeStep: dt)
        let before = stepper.modeCoefficients
        let zeros = [Double](repeating: 0, count: modes)
        zeros.withUnsafeBufferPointer { _ = stepper.step(increments: $0) }
        let after = stepper.modeCoefficients
        for j in 0..<modes {
            let expected = before[j] / (1 + dt * stepper.discreteEigenvalue(mode: j))
            #expect(abs(after[j] - expected) < 1e-13, "mode \(j): \(after[j]) vs \(expected)")
        }
        // cos(3πt) sampled at cell centres is exactly grid eigenvector 3.
        #expect(before.enumerated().allSatisfy { $0.offset == 3 || abs($0.element) < 1e-13 })
    }

    @Test func invalidInputThrows() {
        #expect(throws: InvalidArgument.self) { try StochasticHeatEquation(diffusivity: 0, decay: 1, noiseAmplitude: 1) }
        #expect(throws: InvalidArgument.self) { try StochasticHeatEquation(diffusivity: 1, decay: 1, noiseAmplitude: 1, noise: .traceClass(eigenvalues: [1, -1])) }
        #expect(throws: InvalidArgument.self) {
            try HeatEquationStepper(StochasticHeatEquation(diffusivity: 1, decay: 1, noiseAmplitude: 1), scheme: .semiImplicitSpectral, modes: 0, timeStep: 0.1)
        }
    }
}

/// Temporal and spatial orders of the heat equation schemes (studies at test size).
@Suite struct HeatConvergenceStudiesTests {
    /// Fixed small mode set with μ_max Δτ ≲ 1: a finite-dimensional additive-noise SDE, order 1.
    @Test func semiImplicitTemporalOrderIsOneOnASmallModeSet() throws {
        let study = try HeatConvergenceStudies.time(modes: 16, diffusivity: 0.01, paths: 1000)
        #expect(abs(study.fit.order - 1) <= 0.15, "\(study.summary)")
    }

    /// Many white-noise modes with μ_max Δτ ≫ 1: the rate against the (fine-Δτ) solution is 1/4.
    @Test func semiImplicitTemporalOrderIsOneQuarterForWhiteNoise() throws {
        let study = try HeatConvergenceStudies.time(modes: 128, diffusivity: 1, reaction: false, paths: 1000)
        #expect(abs(study.fit.order - 0.25) <= 0.1, "\(study.summary)")
    }

    /// Spatial order 1/2 in h = 1/J for white noise (nested mode sets).
    @Test func spectralSpatialOrderIsOneHalf() throws {
        let study = try HeatConvergenceStudies.space(paths: 200)
        #expect(abs(study.fit.order - 0.5) <= 0.1, "\(study.summary)")
    }
}
