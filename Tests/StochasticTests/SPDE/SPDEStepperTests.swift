import Foundation
import NumericCore
import Testing
@testable import Stochastic

/// Linear problems in 1-D and 2-D with white and trace-class noise: every mode is an OU process, so
/// the sample second moments are compared with the exact ones of the scheme and of the solution.
/// Per-mode checks use 4.5 standard errors (up to 200 simultaneous comparisons); totals use 3.
@Suite struct SPDEStepperTests {
    static func heat(_ boundaries: [SpectralBasis], covariance: QWienerCovariance, components: Int = 1,
                     initial: (@Sendable (Int, Double, Double) -> Double)? = nil) throws -> SemilinearSPDE {
        try SemilinearSPDE(boundaries: boundaries, lengths: boundaries.count == 1 ? [2] : [2, 1.5], components: components,
                           linearPart: SpectralOperator(diffusion: [0.1, 0.3].prefix(components).map { $0 }, decay: [1]),
                           noise: SPDENoise(amplitude: 0.7, covariance: covariance), initialValue: initial)
    }

    static func expectModes(_ result: SPDEEnsembleResult, _ exact: [Double], _ label: String) {
        // A mode without noise (the periodic Nyquist cosine) is deterministic: only rounding separates it.
        for k in exact.indices where exact[k] > 0 {
            let difference = abs(result.modeSecondMoments[k] - exact[k])
            #expect(difference < 4.5 * result.modeStandardErrors[k] + 1e-12 * exact[k], "\(label) mode \(k): \(result.modeSecondMoments[k]) ± \(result.modeStandardErrors[k]), exact \(exact[k])")
        }
    }

    @Test(arguments: [SPDEScheme.semiImplicit, .exponentialEuler])
    func linearModesMatchTheSchemesExactMomentsIn1D(scheme: SPDEScheme) throws {
        for (basis, covariance) in [(SpectralBasis.neumann, QWienerCovariance.white), (.periodic, .traceClass(regularity: 1)),
                                    (.dirichletNeumann, .white)] {
            let problem = try Self.heat([basis], covariance: covariance, initial: { _, x, _ in cos(x) })
            let ensemble = try SPDEEnsemble(scheme: scheme, modes: [10], timeStep: 0.1, steps: 15, paths: 3000, seed: 5)
            let result = try solve(problem, ensemble)
            let stepper = try SPDEStepper(problem, modes: [10], scheme: scheme, timeStep: 0.1)
            let exact = try #require(stepper.exactSecondMoments(steps: 15))
            Self.expectModes(result, exact.discrete, "\(scheme) \(basis)")
            let energy = try #require(result.exactDiscreteEnergy)
            #expect(abs(result.energy.mean - energy) < 3 * result.energy.standardError)
            if scheme == .exponentialEuler {
                // Exact OU law: the scheme's moments are the solution's.
                for k in exact.discrete.indices { #expect(abs(exact.discrete[k] - exact.continuous[k]) < 1e-12 * max(1, exact.continuous[k])) }
            } else {
                // Semi-implicit damps every mode: discrete variance below the exact one (zero mean start aside).
                #expect(exact.discrete.reduce(0, +) < exact.continuous.reduce(0, +))
            }
        }
    }

    @Test func linearModesMatchInTwoDimensionsWithTwoComponents() throws {
        let problem = try Self.heat([.periodic, .neumann], covariance: .traceClass(regularity: 1.5), components: 2)
        let ensemble = try SPDEEnsemble(scheme: .semiImplicit, modes: [6, 5], timeStep: 0.2, steps: 10, paths: 3000, seed: 6)
        let result = try solve(problem, ensemble)
        let exact = try #require(try SPDEStepper(problem, modes: [6, 5], scheme: .semiImplicit, timeStep: 0.2).exactSecondMoments(steps: 10))
        Self.expectModes(result, exact.discrete, "2-D periodic × neumann")
        // Stationary limit per mode of semi-implicit EM: σ²q/(μ(2 + μΔτ)) (MATH.md V7) — reached to 1e-6 after many steps.
        let long = try #require(try SPDEStepper(problem, modes: [6, 5], scheme: .semiImplicit, timeStep: 0.2).exactSecondMoments(steps: 2000))
        let grid = try problem.grid(modes: [6, 5])
        let mu = problem.rates(on: grid), q = try problem.noiseEigenvalues(on: grid)
        for k in 0..<grid.count {
            let i = (k / grid.pointCount) * grid.pointCount + grid.modeSlots[k % grid.pointCount]
            let stationary = 0.49 * q[i] / (mu[i] * (2 + mu[i] * 0.2))
            #expect(abs(long.discrete[k] - stationary) < 1e-9, "mode \(k): \(long.discrete[k]) vs \(stationary)")
        }
    }

    /// The ensemble is a pure function of the seed: path k alone, driven by stream (seed, k), gives the
    /// same final energy bitwise, whatever the chunking of the parallel run.
    @Test func pathsAreReproducibleAlone() throws {
        let problem = try SemilinearSPDE(boundaries: [.periodic], lengths: [6], linearPart: SpectralOperator(diffusion: 0.2, decay: 0),
                                         nonlinearity: .allenCahn, noise: SPDENoise(amplitude: 0.3))
        let ensemble = try SPDEEnsemble(scheme: .semiImplicit, modes: [32], timeStep: 0.01, steps: 50, paths: 7, seed: 9,
                                        functionals: [.integral()])
        let result = try solve(problem, ensemble)
        let stepper = try SPDEStepper(problem, modes: [32], scheme: .semiImplicit, timeStep: 0.01)
        var energies: [Double] = []
        for path in 0..<7 {
            stepper.reset()
            var stream = XoshiroRandomStream(seed: 9, index: UInt64(path))
            var dW = [Double](repeating: 0, count: 32)
            for _ in 0..<50 {
                dW.withUnsafeMutableBufferPointer { buffer in
                    stream.fillGaussian(buffer, standardDeviation: 0.1)
                    _ = stepper.step(increments: UnsafePointer(buffer.baseAddress!))
                }
            }
            energies.append(stepper.energy)
        }
        let serial = SampleStatistics(name: "energy", values: energies, quantileLevels: [0.05, 0.5, 0.95])
        #expect(serial.mean == result.energy.mean)
        #expect(serial.standardError == result.energy.standardError)
    }

    /// Global unknowns (`SPDEGlobals`) are OU processes with rate λ_g and noise σ·s_g beside the field:
    /// their sample second moments match the scheme's exact ones, and the Wiener increments after the
    /// field's drive them (a study's path dimension counts them).
    @Test(arguments: [SPDEScheme.semiImplicit, .exponentialEuler])
    func globalsAreOrnsteinUhlenbeckProcessesBesideTheField(scheme: SPDEScheme) throws {
        let globals = try SPDEGlobals(count: 2, decay: 0.5, noiseScale: 0.3, initialValue: [1, -2])
        let problem = try SemilinearSPDE(boundaries: [.neumann], lengths: [1], linearPart: SpectralOperator(diffusion: 0.1, decay: 1),
                                         noise: SPDENoise(amplitude: 0.7), globals: globals)
        let stepper = try SPDEStepper(problem, modes: [6], scheme: scheme, timeStep: 0.1)
        #expect(stepper.noiseCount == 8)
        #expect(stepper.globalValues == [1, -2])
        let exact = try #require(stepper.exactSecondMoments(steps: 12))
        let result = try solve(problem, SPDEEnsemble(scheme: scheme, modes: [6], timeStep: 0.1, steps: 12, paths: 4000, seed: 21))
        Self.expectModes(result, exact.discrete, "globals \(scheme)")
        // Global 0 from 1: E g² = a^{2N} + σ²s²Δτ(1 − a^{2N})/(1 − a²) with a = 1/(1 + 0.05) (semi-implicit).
        if scheme == .semiImplicit {
            let a = 1 / 1.05, a24 = pow(a, 24.0)
            #expect(abs(exact.discrete[6] - (a24 + 0.49 * 0.09 * 0.1 * a * a * (1 - a24) / (1 - a * a))) < 1e-14)
        }
        let solver = try SPDEPathwiseSolver(problem, scheme: scheme, horizon: 1, finestModes: [6])
        #expect(solver.wienerDimension == 8)
    }
}
