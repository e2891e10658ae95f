import Foundation
import NumericCore
import Stochastic
import Testing

/// The code of Sources/Stochastic/Stochastic.docc/GettingStarted.md and SimulatingAnSPDE.md, checked
/// against mathematics. Plain `import` (no @testable), so the articles use only public API.
@Suite struct GettingStartedExampleTests {
    /// dX = ½X dt + √(1 + X²) dW has X(t) = sinh(W(t) + asinh x0): Euler–Maruyama's fitted strong order is
    /// ½ and Milstein's 1; Euler–Maruyama's mean after N steps is exactly x0 (1 + h/2)^N (linear drift).
    @Test func convergenceStudyOfYourOwnSDE() throws {
        let x0 = 0.5
        let problem = try SDEProblem(
            initialValue: [x0], horizon: 1, noise: .scalar,
            drift: { _, x, r in r[0] = 0.5 * x[0] },
            diffusion: { _, x, r in r[0] = (1 + x[0] * x[0]).squareRoot() },
            diffusionDerivative: { _, x, r in r[0] = x[0] })   // L¹b = b ∂b/∂x = x

        let path = try BrownianPath(seed: 2026, index: 0, steps: 512, duration: 1)
        let coarse = try solve(problem, .eulerMaruyama, path: path, steps: 16)
        let fine = try solve(problem, .milstein, path: path, steps: 512)
        let exact = sinh(path.endValue[0] + asinh(x0))
        #expect(coarse.status == .success && fine.status == .success)
        #expect(abs(fine.finalState[0] - exact) < abs(coarse.finalState[0] - exact))

        let levels = [16, 32, 64, 128, 256, 512]
        let paths = 1000
        func strongErrors(_ scheme: StochasticScheme) throws -> [Double] {
            var squares = [Double](repeating: 0, count: levels.count)
            for p in 0..<paths {
                let path = try BrownianPath(seed: 2026, index: UInt64(p), steps: 512, duration: 1)
                let exact = sinh(path.endValue[0] + asinh(x0))
                for (l, steps) in levels.enumerated() {
                    let x = try solve(problem, scheme, path: path, steps: steps).finalState[0]
                    squares[l] += (x - exact) * (x - exact)
                }
            }
            return squares.map { ($0 / Double(paths)).squareRoot() }
        }
        let h = levels.map { 1 / Double($0) }
        let eulerMaruyama = try OrderFit.fit(steps: h, errors: try strongErrors(.eulerMaruyama))
        let milstein = try OrderFit.fit(steps: h, errors: try strongErrors(.milstein))
        #expect(abs(eulerMaruyama.order - 0.5) < 0.1, "Euler–Maruyama: \(eulerMaruyama)")
        #expect(abs(milstein.order - 1) < 0.1, "Milstein: \(milstein)")

        let ensemble = try Ensemble(scheme: .eulerMaruyama, steps: 64, paths: 20_000, seed: 7,
                                    functionals: [.component(0)])
        let result = try solve(problem, ensemble)
        let mean = result.statistics[0]
        #expect(result.allPathsSucceeded)
        let eulerMean = x0 * pow(1 + 0.5 / 64, 64)
        #expect(abs(mean.mean - eulerMean) < 4 * mean.standardError, "mean \(mean.mean) ± \(mean.standardError), exact \(eulerMean)")
    }

    /// The linear stochastic heat equation from zero: E û_j(τ)² = σ²(1 − e^{−2μ_jτ})/(2μ_j) per mode and
    /// its sum for the energy, within 4 standard errors. Allen–Cahn from cos(πt): the ends settle near the
    /// stable states ±1, and the ensemble's path 0 is the path stepped by hand, bit for bit.
    @Test func stochasticHeatEquation() throws {
        let heat = try StochasticHeatEquation(diffusivity: 1, decay: 1, noiseAmplitude: 1.5)
        let ensemble = try HeatEnsemble(scheme: .exponentialEulerSpectral, modes: 32, timeStep: 0.01,
                                        steps: 20, paths: 4000, seed: 44)
        let result = try solve(heat, ensemble)
        let exactEnergy = try #require(result.exactEnergy)
        #expect(abs(result.energy.mean - exactEnergy) < 4 * result.energy.standardError,
                "energy \(result.energy.mean) ± \(result.energy.standardError), exact \(exactEnergy)")
        let tau = 0.2
        var closedForm = 0.0
        for j in 0..<32 {
            let mu = heat.eigenvalue(mode: j)
            let exact = 2.25 * -expm1(-2 * mu * tau) / (2 * mu)
            closedForm += exact
            #expect(abs(result.modeSecondMoments[j] - exact) < 4 * result.modeStandardErrors[j], "mode \(j)")
        }
        #expect(abs(closedForm - exactEnergy) <= 1e-12 * exactEnergy)

        let allenCahn = try StochasticHeatEquation(
            diffusivity: 0.01, decay: 0, noiseAmplitude: 0.02,
            reaction: { u in u - u * u * u }, initialValue: { t in cos(Double.pi * t) })
        let dt = 0.01, modes = 64
        let stepper = try HeatEquationStepper(allenCahn, scheme: .semiImplicitSpectral, modes: modes, timeStep: dt)
        stepper.reset()
        var stream = XoshiroRandomStream(seed: 3, index: 0)
        var dW = [Double](repeating: 0, count: modes)
        for _ in 0..<500 {
            stream.fillGaussian(&dW, standardDeviation: dt.squareRoot())
            dW.withUnsafeBufferPointer { _ = stepper.step(increments: $0) }
        }
        let u = stepper.nodeValues
        #expect(abs(u[0] - 1) < 0.2 && abs(u[modes - 1] + 1) < 0.2, "u at the ends: \(u[0]), \(u[modes - 1])")
        #expect(stepper.nodes[0] < 0.05 && stepper.nodes[modes - 1] > 0.95)
        let single = try solve(allenCahn, try HeatEnsemble(scheme: .semiImplicitSpectral, modes: modes, timeStep: dt,
                                                            steps: 500, paths: 1, seed: 3))
        #expect(single.energy.mean == stepper.energy)
    }

    /// Sources/Stochastic/Stochastic.docc/SemilinearSPDEs.md: a 2-D linear ensemble against the scheme's
    /// exact energy, Burgers' mean mode equal to its integrated noise, a forced steady state below the
    /// linear one (comparison principle: −u³ ≤ 0 where u ≥ 0), and a study whose fitted order lies between
    /// the uniform rate 3/4 (β < r + 1/2 − 1/2 = 1.5 in 2-D) and the fixed-mode-set rate 1.
    @Test func semilinearSPDEs() throws {
        let heat = try SemilinearSPDE.heat(boundaries: [.periodic, .neumann], lengths: [2, 1.5], diffusivity: 0.1, decay: 1,
                                           noise: SPDENoise(amplitude: 0.7, covariance: .traceClass(regularity: 1.5)))
        let ensemble = try SPDEEnsemble(scheme: .semiImplicit, modes: [8, 6], timeStep: 0.05, steps: 20, paths: 2000, seed: 1)
        let linear = try solve(heat, ensemble)
        let exact = try #require(linear.exactDiscreteEnergy)
        #expect(abs(linear.energy.mean - exact) < 4 * linear.energy.standardError)

        let burgers = try SemilinearSPDE.burgers(boundaries: [.periodic], lengths: [2 * Double.pi], viscosity: 0.05,
                                                 noise: SPDENoise(amplitude: 0.3))
        let stepper = try SPDEStepper(burgers, modes: [64], scheme: .exponentialEuler, timeStep: 0.001)
        var stream = XoshiroRandomStream(seed: 7, index: 0)
        var increments = [Double](repeating: 0, count: 64)
        var meanModeNoise = 0.0
        for _ in 0..<1000 {
            stream.fillGaussian(&increments, standardDeviation: 0.001.squareRoot())
            meanModeNoise += 0.3 * increments[0]
            _ = increments.withUnsafeBufferPointer { stepper.step(increments: $0.baseAddress) }
        }
        #expect(abs(stepper.modeCoefficients[0] - meanModeNoise) < 1e-12)

        let custom: SPDENonlinearity = .forcing { _, x, _ in sin(Double.pi * x) } + .pointwise { -$0 * $0 * $0 }
        let forced = try SemilinearSPDE(boundaries: [.dirichlet], lengths: [1], linearPart: SpectralOperator(diffusion: 1),
                                        nonlinearity: custom, noise: .none)
        let deterministic = try SPDEStepper(forced, modes: [32], scheme: .semiImplicit, timeStep: 0.01)
        for _ in 0..<2000 { _ = deterministic.step(increments: nil) }
        let steady = deterministic.nodeValues
        _ = deterministic.step(increments: nil)
        #expect(zip(steady, deterministic.nodeValues).allSatisfy { abs($0 - $1) < 1e-12 })
        let nodes = (0..<32).map { deterministic.grid.position(ofPoint: $0).x }
        #expect(zip(steady, nodes).allSatisfy { u, x in u > 0 && u < sin(Double.pi * x) / (Double.pi * Double.pi) })

        let solver = try SPDEPathwiseSolver(heat, scheme: .semiImplicit, horizon: 0.5, finestModes: [8, 6])
        let study = try ConvergenceStudy(steps: [8, 16, 32, 64], reference: .fineSolution(StudyResolution(steps: 1024)),
                                         paths: 400, seed: 2)
        let run = try solve(solver, study)
        let order = try #require(run.strong?.order)
        #expect(order > 0.7 && order < 1.15, "\(run.table)")
    }
}
