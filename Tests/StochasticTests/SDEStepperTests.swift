import Foundation
import NumericCore
import Testing
@testable import Stochastic

/// The drawing loop (increments drawn as they are used, finiteness checked at the end of the path) and
/// the checking loop (stored increments, finiteness checked every step) perform the same arithmetic,
/// so they must agree bit for bit; and a path that blows up must end at the checking loop's last
/// finite state.
@Suite struct SDEStepperTests {
    /// Final state of path `index` from both loops.
    static func bothLoops<Problem: StochasticDifferentialEquation>(
        _ problem: Problem, _ scheme: StochasticScheme, steps: Int, seed: UInt64, index: UInt64
    ) -> (drawing: [Double], checking: [Double], drawingFinite: Bool, failedStep: Int) {
        let n = problem.dimension, m = problem.wienerDimension, h = problem.horizon / Double(steps)
        let drawingWorkspace = SDEWorkspace(for: problem), checkingWorkspace = SDEWorkspace(for: problem)
        for i in 0..<n { drawingWorkspace.state[i] = problem.initialValue[i]; checkingWorkspace.state[i] = problem.initialValue[i] }
        var stream = XoshiroRandomStream(seed: seed, index: index)
        let finite = SDEStepper.integrateDrawing(problem, scheme: scheme, stream: &stream, steps: steps, stepSize: h,
                                                 startTime: problem.initialTime, state: drawingWorkspace.state(of: 0),
                                                 workspace: drawingWorkspace)
        var increments = [Double](repeating: 0, count: steps * m)
        var replay = XoshiroRandomStream(seed: seed, index: index)
        replay.fillGaussian(&increments, standardDeviation: h.squareRoot())
        increments.withUnsafeBufferPointer { dW in
            SDEStepper.integrate(problem, scheme: scheme, increments: dW.baseAddress!, steps: steps, stepSize: h,
                                 startTime: problem.initialTime, workspace: checkingWorkspace)
        }
        return (Array(drawingWorkspace.state(of: 0)), Array(checkingWorkspace.state(of: 0)), finite, checkingWorkspace.failedStep[0])
    }

    static func problems() throws -> [(name: String, run: (StochasticScheme, UInt64) -> (drawing: [Double], checking: [Double], drawingFinite: Bool, failedStep: Int))] {
        let ou = try OrnsteinUhlenbeckProcess(rate: 1.3, volatility: 0.5, start: 1, level: 0.2, horizon: 1)
        let gbm = try GeometricBrownianMotion(growth: 0.4, volatility: 0.9)
        // Time-dependent drift and diffusion, coupled entries, diagonal noise and a linear part.
        let diagonal = try SDEProblem(initialValue: [1, -0.5, 0.25], horizon: 2, initialTime: 0.5, noise: .diagonal,
                                      linearPart: [-2, -0.5, 0],
                                      drift: { t, x, r in r[0] = sin(t) * x[1]; r[1] = x[0] * x[2]; r[2] = -x[0] },
                                      diffusion: { t, x, r in r[0] = 0.3 * cos(x[0]); r[1] = 0.2 + 0.1 * t; r[2] = 0.4 * x[2] })
        // Additive noise with m = 3 Wiener processes in R², and general noise with m = 2.
        let additive = try SDEProblem(initialValue: [0.5, 2], horizon: 1, noise: .additive(dimensions: 3), linearPart: [-1, -3],
                                      drift: { _, x, r in r[0] = x[1] - x[0] * x[0] * x[0]; r[1] = -x[0] },
                                      diffusion: { t, _, r in for i in r.indices { r[i] = 0.1 * Double(i + 1) * (1 + t) } })
        let general = try SDEProblem(initialValue: [1, 1], horizon: 1, noise: .general(dimensions: 2, commutative: false),
                                     drift: { _, x, r in r[0] = -x[1]; r[1] = x[0] },
                                     diffusion: { _, x, r in r[0] = 0.2 * x[1]; r[1] = 0.1; r[2] = 0; r[3] = 0.3 * x[0] })
        let scalar = try SDEProblem(initialValue: [1, 2], horizon: 1, noise: .scalar,
                                    drift: { _, x, r in r[0] = -x[0]; r[1] = 0.5 * x[0] },
                                    diffusion: { _, x, r in r[0] = 0.3 * x[1]; r[1] = 0.2 })
        return [
            ("ou", { bothLoops(ou, $0, steps: 97, seed: 11, index: $1) }),
            ("gbm", { bothLoops(gbm, $0, steps: 64, seed: 12, index: $1) }),
            ("diagonal", { bothLoops(diagonal, $0, steps: 80, seed: 13, index: $1) }),
            ("additive", { bothLoops(additive, $0, steps: 50, seed: 14, index: $1) }),
            ("general", { bothLoops(general, $0, steps: 40, seed: 15, index: $1) }),
            ("scalar", { bothLoops(scalar, $0, steps: 33, seed: 16, index: $1) }),
        ]
    }

    @Test func drawingLoopEqualsCheckingLoopBitwise() throws {
        let schemes: [StochasticScheme] = [.eulerMaruyama, .semiImplicit(theta: 1), .semiImplicit(theta: 0.5)]
        for (name, run) in try Self.problems() {
            for scheme in schemes {
                for index: UInt64 in [0, 1, 977] {
                    let result = run(scheme, index)
                    #expect(result.drawingFinite && result.failedStep == 0, "\(name) \(scheme) path \(index)")
                    #expect(result.drawing.map(\.bitPattern) == result.checking.map(\.bitPattern),
                            "\(name) \(scheme) path \(index): \(result.drawing) vs \(result.checking)")
                }
            }
        }
        // Milstein has no correction for additive noise, so the drawing loop handles it too.
        let additive = try OrnsteinUhlenbeckProcess(rate: 2, volatility: 1, start: 0)
        #expect(SDEStepper.drawsIncrements(additive, scheme: .milstein))
        #expect(!SDEStepper.drawsIncrements(try GeometricBrownianMotion(growth: 0, volatility: 1), scheme: .milstein))
        let milstein = Self.bothLoops(additive, .milstein, steps: 30, seed: 3, index: 4)
        #expect(milstein.drawing.map(\.bitPattern) == milstein.checking.map(\.bitPattern))
    }

    /// Explicit Euler–Maruyama on OU with κh = 6000 · 1/2000 = 3 > 2 is unstable: |1 − κh| = 2 per step, so X reaches
    /// infinity after about 1024 steps. The drawing loop reports a non-finite end, and the ensemble
    /// keeps the checking loop's last finite state and counts the path as failed.
    @Test func blowUpKeepsTheLastFiniteState() throws {
        let problem = try OrnsteinUhlenbeckProcess(rate: 6000, volatility: 1, start: 1, horizon: 1)
        let steps = 2000
        let result = Self.bothLoops(problem, .eulerMaruyama, steps: steps, seed: 5, index: 2)
        #expect(!result.drawingFinite)
        #expect(result.failedStep > 1000 && result.failedStep <= steps, "failed at \(result.failedStep)")
        #expect(result.checking[0].isFinite)
        let ensemble = try solve(problem, Ensemble(scheme: .eulerMaruyama, steps: steps, paths: 5, seed: 5,
                                                   functionals: [.component(0)], keepFinalStates: true, chunks: 2))
        #expect(ensemble.failedPaths == 5)
        #expect(ensemble.finalStates?[2].bitPattern == result.checking[0].bitPattern)
        let single = try solve(problem, .eulerMaruyama, path: BrownianPath(seed: 5, index: 2, steps: steps, duration: 1), steps: steps)
        #expect(single.status == .nonFinite(step: result.failedStep))
        #expect(single.finalState[0].bitPattern == result.checking[0].bitPattern)
    }

    /// The ensemble's drawing path: bitwise the same statistics and final states for any chunk count,
    /// and path k equals a single solve on BrownianPath(seed, k).
    @Test func drawingEnsembleIsBitwiseIndependentOfTheThreadCount() throws {
        let problem = try OrnsteinUhlenbeckProcess(rate: 1, volatility: 0.5, start: 1)
        func run(_ chunks: Int) throws -> EnsembleResult {
            try solve(problem, Ensemble(scheme: .eulerMaruyama, steps: 100, paths: 301, seed: 9,
                                        functionals: [.component(0), .squaredNorm], keepFinalStates: true, chunks: chunks))
        }
        let one = try run(1), two = try run(2), five = try run(5)
        #expect(one.statistics == two.statistics)
        #expect(one.statistics == five.statistics)
        #expect(one.finalStates == five.finalStates)
        let single = try solve(problem, .eulerMaruyama, path: BrownianPath(seed: 9, index: 123, steps: 100, duration: 1), steps: 100)
        #expect(single.finalState[0].bitPattern == one.finalStates?[123].bitPattern)
    }
}
