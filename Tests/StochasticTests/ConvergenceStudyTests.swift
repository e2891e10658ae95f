import Foundation
import NumericCore
import Testing
@testable import Stochastic

/// `ConvergenceStudy` against the theorems (orders within ±0.1 strong, ±0.2 weak, ≥ 1000 paths on one
/// Brownian path each) and against exact values of the errors where they are known.
@Suite struct ConvergenceStudyTests {
    static let levels = [16, 32, 64, 128, 256, 512]

    /// GBM written by a user as closures: dX = 0.5X dt + X dW, X0 = 1, T = 1, exact X(T) = exp(W(T)) (a drift
    /// small against the noise, so the O(h^{1/2}) term dominates EM's error from h = 2^-4 on).
    static func closureGBM() throws -> SDEProblem {
        try SDEProblem(initialValue: [1], horizon: 1, noise: .scalar,
                       drift: { _, x, r in r[0] = 0.5 * x[0] }, diffusion: { _, x, r in r[0] = x[0] },
                       diffusionDerivative: { _, x, r in r[0] = x[0] })
    }

    static let gbmExact = StudyReference.exactSolution { path in [exp(path.endValue[0])] }

    static func describe(_ result: ConvergenceStudyResult) -> String {
        "h \(result.stepSizes)\n\(result.table)"
    }

    @Test func eulerMaruyamaStrongOrderIsOneHalf() throws {
        let study = try ConvergenceStudy(steps: Self.levels, reference: Self.gbmExact, paths: 1000, seed: 11)
        let result = try solve(SDEPathwiseSolver(Self.closureGBM(), scheme: .eulerMaruyama), study)
        let strong = try #require(result.strong)
        #expect(abs(strong.order - 0.5) <= 0.1, "\(Self.describe(result))")
        #expect(result.failedPaths == 0 && result.weak == nil && result.refinement == .time)
        #expect(result.stepSizes == Self.levels.map { 1 / Double($0) })
    }

    @Test func milsteinStrongOrderIsOne() throws {
        let study = try ConvergenceStudy(steps: Self.levels, reference: Self.gbmExact, paths: 1000, seed: 12)
        let result = try solve(SDEPathwiseSolver(Self.closureGBM(), scheme: .milstein), study)
        let strong = try #require(result.strong)
        #expect(abs(strong.order - 1) <= 0.1, "\(Self.describe(result))")
        let interval = try #require(strong.bootstrap95)
        #expect(interval.contains(strong.order), "\(Self.describe(result))")
    }

    /// The coupled weak estimator (mean of X_h − X on the same paths) gives order 1 for EM.
    @Test func eulerMaruyamaWeakOrderIsOne() throws {
        let problem = try GeometricBrownianMotion(growth: 1.5, volatility: 0.5)
        let study = try ConvergenceStudy(steps: [16, 32, 64, 128, 256], reference: .exactSolution(of: problem), paths: 4000,
                                         seed: 13, weakFunctional: .component(0))
        let result = try solve(SDEPathwiseSolver(problem, scheme: .eulerMaruyama), study)
        let weak = try #require(result.weak)
        #expect(abs(weak.order - 1) <= 0.2, "\(Self.describe(result))")
    }

    /// Against the exact expectation E X(1) = e^{1.5}: EM's mean is exactly (1 + 1.5h)^N, so each weak
    /// error is |(1 + 1.5h)^N − e^{1.5}| up to sampling (within 4 standard errors).
    @Test func weakErrorsAgainstAnExactExpectationMatchTheExactBias() throws {
        let problem = try GeometricBrownianMotion(growth: 1.5, volatility: 0.5)
        let levels = [8, 16, 32, 64]
        let study = try ConvergenceStudy(steps: levels, reference: .exactExpectation(exp(1.5)), paths: 20000, seed: 14,
                                         weakFunctional: .component(0))
        let result = try solve(SDEPathwiseSolver(problem, scheme: .eulerMaruyama), study)
        #expect(result.strong == nil)
        let weak = try #require(result.weak)
        for (l, n) in levels.enumerated() {
            let bias = abs(pow(1 + 1.5 / Double(n), Double(n)) - exp(1.5))
            #expect(abs(weak.errors[l] - bias) < 4 * weak.standardErrors[l], "N = \(n): \(Self.describe(result))")
        }
    }

    /// EM on OU (additive noise) has strong order 1 against the exact solution, whose stochastic
    /// integral ∫ e^{−κ(T−s)} dW needs the whole path (taken on a path 16 times finer than the finest level).
    @Test func eulerMaruyamaOnOrnsteinUhlenbeckAgainstTheExactPathSolutionHasOrderOne() throws {
        let problem = try OrnsteinUhlenbeckProcess(rate: 2, volatility: 0.5, start: 1, horizon: 1)
        let study = try ConvergenceStudy(steps: Self.levels, reference: .exactSolution { problem.exactSolution(on: $0) },
                                         paths: 1000, seed: 15, pathSteps: 8192)
        let result = try solve(SDEPathwiseSolver(problem, scheme: .eulerMaruyama), study)
        let strong = try #require(result.strong)
        #expect(abs(strong.order - 1) <= 0.1, "\(Self.describe(result))")
        let builtIn = try SDEConvergenceStudies.strongOrnsteinUhlenbeck()
        #expect(abs(builtIn.fit.order - 1) <= 0.1, "\(builtIn.summary)")
    }

    /// Per-path slots reduced in path order: any chunking gives the same bits, equal to a serial loop
    /// over `solve(_:_:path:steps:)`.
    @Test func resultsAreBitwiseIndependentOfTheThreadCount() throws {
        let problem = try GeometricBrownianMotion(growth: 2, volatility: 1)
        let levels = [8, 16, 32, 64]
        func run(_ chunks: Int?) throws -> ConvergenceStudyResult {
            let study = try ConvergenceStudy(steps: levels, reference: .exactSolution(of: problem), paths: 301, seed: 16,
                                             weakFunctional: .component(0), chunks: chunks)
            return try solve(SDEPathwiseSolver(problem, scheme: .eulerMaruyama), study)
        }
        let one = try run(1), seven = try run(7), automatic = try run(nil)
        for other in [seven, automatic] {
            #expect(one.strong?.errors == other.strong?.errors && one.weak?.errors == other.weak?.errors)
            #expect(one.strong?.standardErrors == other.strong?.standardErrors)
            #expect(one.strong?.bootstrap95 == other.strong?.bootstrap95 && one.weak?.bootstrap95 == other.weak?.bootstrap95)
        }
        var sums = [Double](repeating: 0, count: levels.count)
        for p in 0..<301 {
            let path = try BrownianPath(seed: 16, index: UInt64(p), steps: 64, duration: 1)
            let exact = problem.exactSolution(at: 1, wienerValue: path.endValue)[0]
            for (l, n) in levels.enumerated() {
                let e = try solve(problem, .eulerMaruyama, path: path, steps: n).finalState[0] - exact
                sums[l] += e * e
            }
        }
        #expect(one.strong?.errors == sums.map { ($0 / 301).squareRoot() })
    }

    /// A solver that fails on every third path: those paths are counted and excluded from every level.
    struct FailingEveryThirdPath: PathwiseSolver {
        let inner: SDEPathwiseSolver<GeometricBrownianMotion>
        var wienerDimension: Int { inner.wienerDimension }
        var horizon: Double { inner.horizon }
        func solve(on path: BrownianPath, resolution: StudyResolution) -> [Double]? {
            path.index % 3 == 0 && resolution.steps == 32 ? nil : inner.solve(on: path, resolution: resolution)
        }
    }

    @Test func failedPathsAreCountedAndExcluded() throws {
        let problem = try GeometricBrownianMotion(growth: 1, volatility: 0.5)
        let solver = FailingEveryThirdPath(inner: try SDEPathwiseSolver(problem, scheme: .eulerMaruyama))
        let study = try ConvergenceStudy(steps: [16, 32, 64], reference: .exactSolution(of: problem), paths: 90, seed: 17)
        let result = try solve(solver, study)
        #expect(result.failedPaths == 30 && result.usedPaths == 60)
        var sums = [Double](repeating: 0, count: 3)
        for p in 0..<90 where p % 3 != 0 {
            let path = try BrownianPath(seed: 17, index: UInt64(p), steps: 64, duration: 1)
            let exact = problem.exactSolution(at: 1, wienerValue: path.endValue)[0]
            for (l, n) in [16, 32, 64].enumerated() {
                let e = try solve(problem, .eulerMaruyama, path: path, steps: n).finalState[0] - exact
                sums[l] += e * e
            }
        }
        #expect(result.strong?.errors == sums.map { ($0 / 60).squareRoot() })
    }

    /// A spectral toy problem with nested mode sets: at J modes the solution is c_j = q_j W_j(T) for
    /// j < J (no time error). Against J_ref modes, padded with zeros, the squared error is
    /// Σ_{J ≤ j < J_ref} q_j² W_j(T)², whose mean is T Σ q_j²: each error is within 4 standard errors of
    /// (T Σ_{j=J}^{J_ref−1} q_j²)^{1/2}, and the order is fitted against h = 1/J.
    struct ModeSum: PathwiseSolver {
        let modes: Int
        var wienerDimension: Int { modes }
        var horizon: Double { 1 }
        static func amplitude(_ j: Int) -> Double { 1 / Double(j + 1) }
        func solve(on path: BrownianPath, resolution: StudyResolution) -> [Double]? {
            guard let count = resolution.modes, count <= modes else { return nil }
            let w = path.endValue
            return (0..<count).map { ModeSum.amplitude($0) * w[$0] }
        }
    }

    @Test func modeRefinementUsesNestedModeSetsAndPadsWithZeros() throws {
        let reference = 256, modeLevels = [8, 16, 32, 64]
        let study = try ConvergenceStudy(levels: modeLevels.map { StudyResolution(steps: 4, modes: $0) },
                                         reference: .fineSolution(StudyResolution(steps: 4, modes: reference)), paths: 2000, seed: 18)
        let result = try solve(ModeSum(modes: reference), study)
        #expect(result.refinement == .modes && result.stepSizes == modeLevels.map { 1 / Double($0) })
        let strong = try #require(result.strong)
        for (l, j) in modeLevels.enumerated() {
            let exact = (j..<reference).reduce(0) { $0 + ModeSum.amplitude($1) * ModeSum.amplitude($1) }.squareRoot()
            #expect(abs(strong.errors[l] - exact) < 4 * strong.standardErrors[l], "J = \(j): \(Self.describe(result))")
        }
        // Σ_{j ≥ J} (j + 1)^{−2} ≈ 1/J: order 1/2 in h = 1/J.
        #expect(abs(strong.order - 0.5) <= 0.1, "\(Self.describe(result))")
    }

    @Test func invalidStudiesThrowNamingTheArgument() {
        func argument(_ body: () throws -> Void) -> String? {
            do { try body() } catch let error as InvalidArgument { return error.argument } catch { return "other" }
            return nil
        }
        #expect(argument { _ = try ConvergenceStudy(steps: [16], reference: Self.gbmExact, paths: 10, seed: 1) } == "levels.count")
        #expect(argument { _ = try ConvergenceStudy(steps: [16, 24], reference: Self.gbmExact, paths: 10, seed: 1) } == "levels.steps")
        #expect(argument { _ = try ConvergenceStudy(steps: [16, 32], reference: .fineSolution(StudyResolution(steps: 48)),
                                                    paths: 10, seed: 1) } == "reference.steps")
        #expect(argument { _ = try ConvergenceStudy(steps: [16, 32], reference: .exactExpectation(1), paths: 10, seed: 1) }
                    == "weakFunctional")
        #expect(argument { _ = try ConvergenceStudy(steps: [16, 32], reference: Self.gbmExact, paths: 10, seed: 1,
                                                    weakFunctional: .runningMaximum(0)) } == "weakFunctional")
        #expect(argument { _ = try ConvergenceStudy(steps: [16, 32], reference: Self.gbmExact, paths: 10, seed: 1,
                                                    pathSteps: 48) } == "pathSteps")
        #expect(argument { _ = try ConvergenceStudy(levels: [StudyResolution(steps: 16, modes: 4), StudyResolution(steps: 32)],
                                                    reference: Self.gbmExact, paths: 10, seed: 1) } == "levels.modes")
    }
}
