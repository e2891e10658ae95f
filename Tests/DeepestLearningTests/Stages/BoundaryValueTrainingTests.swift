import BoundaryValue
import Foundation
import NumericCore
import Testing
@testable import DeepestLearning

/// The training formulation solved by multiple shooting and Chebyshev collocation: V1 against its
/// closed form (MATH.md §4), and tiny annealed training runs of the three BoundaryValue methods
/// against each other and the envelope theorem.
@Suite struct BoundaryValueTrainingTests {
    static let shooting = MultipleShooting(integrator: .rungeKutta4(steps: 400), segments: 4, tolerance: 1e-11)
    static let chebyshev = ChebyshevCollocation(tolerance: 1e-13)

    /// V1 (Hamiltonian form) by multiple shooting, RK4 with h = T/400 (global error O(h⁴) ≈ 1e-10 here):
    /// p(0) = p0 to 1e-8 relative, x(t) to 1e-8, and the action at the solution (Simpson on the RK4
    /// mesh, O(h⁴)) equals the closed-form minimum action to 1e-8 relative.
    @Test func v1ByMultipleShootingMatchesTheClosedForm() throws {
        try checkV1(Self.shooting, stateTolerance: 1e-8, actionTolerance: 1e-8)
    }

    /// V1 by Chebyshev collocation (tail tolerance 1e-13: spectral, the states to 1e-11); the action's
    /// Simpson rule on the Chebyshev nodes is O(h⁴) in the largest spacing πT/(2N), so 1e-6 relative.
    @Test func v1ByChebyshevMatchesTheClosedForm() throws {
        try checkV1(Self.chebyshev, stateTolerance: 1e-11, actionTolerance: 1e-6)
    }

    func checkV1<Algorithm: BoundaryValueAlgorithm>(_ algorithm: Algorithm, stateTolerance: Double,
                                                     actionTolerance: Double) throws {
        let v = ContinuousTrainingProblemTests.V1()
        let spec = try v.problem()
        let built = try spec.hamiltonianForm()
        let solution = try solve(try built.boundaryValueProblem(), algorithm,
                                 initialGuess: .function({ _ in [v.y0, 0] }, nodes: 11))
        try #require(solution.succeeded, "\(solution.message)")
        let p0Error = abs(solution.value(at: 0)[1] - v.p0) / abs(v.p0)
        #expect(p0Error < stateTolerance, "p(0) = \(solution.value(at: 0)[1]) vs p0 = \(v.p0)")
        var xError = 0.0
        for t in stride(from: 0.0, through: v.horizon, by: v.horizon / 16) { xError = max(xError, abs(solution.value(at: t)[0] - v.x(t))) }
        #expect(xError < stateTolerance, "max |x − x*| = \(xError)")
        let action = BoundaryValueTraining.continuumAction(spec, layout: built.layout, form: .hamiltonian, solution: solution)
        let actionError = abs(action.total - v.minimumAction) / v.minimumAction
        #expect(actionError < actionTolerance, "A = \(action.total) vs A* = \(v.minimumAction)")
    }

    /// Sine, 3 samples, width 2, 16 layers (the first rung's guess takes θ from the first layer's
    /// initial weights; stationary points of the action are not unique, and all three methods must
    /// start in the basin of the same one to be compared), T = 0.5, α = 10, λ = μ = 1 (a well-conditioned problem:
    /// without the Tikhonov continuation the default λ = μ = 1e-4 does not converge from the constant
    /// guess; the continuation in T is switched off here), r_f = 1·2^β for β = 0..3. Every method completes all four
    /// rungs with status success; by the envelope theorem dA*/dr_f = ½∫Σ|ẋ − F|² ≥ 0 along the
    /// continuation branch, so the rung actions do not decrease; multiple shooting (RK4, h = T/400) and
    /// Chebyshev agree rung by rung to 1e-6 relative, and collocation (residual tolerance 1e-6, order 4)
    /// agrees with them to 1e-4 relative.
    @Test func tinySineRunsAgreeAcrossMethods() throws {
        let split = try catalogSplit(.sine)
        var reports = [ContinuumRungSolver.Algorithm: TrainingReport]()
        for algorithm in ContinuumRungSolver.Algorithm.allCases {
            var c = try TrainingConfiguration.defaults(dataset: .sine, recipe: "collocation-continuation")
            c.samples = 3; c.width = 2; c.layers = 16; c.horizon = 0.5; c.smoothness = 10
            c.tikhonov = 1; c.readoutTikhonov = 1
            let solver = try ContinuumRungSolver(algorithm: algorithm)
            let report = try c.run([try TikhonovContinuationStage(solver: solver), try ContinuumAnnealingStage(steps: 3, solver: solver)],
                                   split: split).report
            reports[algorithm] = report
            #expect(report.status == "success" && report.annealingRungs == 4,
                    "\(algorithm.rawValue): \(report.rungs.map { "\($0.beta) \($0.status)" })")
            let actions = report.rungs.map(\.action)
            for i in 1..<actions.count {
                #expect(actions[i] >= actions[i - 1] * (1 - 1e-8), "\(algorithm.rawValue) actions \(actions)")
            }
        }
        let shooting = try #require(reports[.multipleShooting]), chebyshev = try #require(reports[.chebyshev])
        let collocation = try #require(reports[.collocation])
        for (i, rung) in shooting.rungs.enumerated() where i < chebyshev.rungs.count && i < collocation.rungs.count {
            let scale = abs(rung.action)
            #expect(abs(rung.action - chebyshev.rungs[i].action) < 1e-6 * scale,
                    "rung \(i): multiple shooting \(rung.action), Chebyshev \(chebyshev.rungs[i].action)")
            #expect(abs(rung.action - collocation.rungs[i].action) < 1e-4 * scale,
                    "rung \(i): multiple shooting \(rung.action), collocation \(collocation.rungs[i].action)")
        }
    }

    /// Collocation on the continuation path (discrete start off: action weights M·λ = M·μ = 1e-4, α = 1,
    /// T = 5 reached by continuation in T from T/10, r_f = 1·2^β, β = 0..10) on three sine samples: the Tikhonov decades, the horizons and every
    /// annealing rung succeed (with the adaptive midpoints where needed), the rungs before the schedule
    /// carry their horizon, and by the envelope theorem the rung actions at fixed T do not decrease in r_f.
    @Test func collocationConvergesAtTheDefaults() throws {
        let split = try catalogSplit(.sine)
        // The collocation-continuation recipe; the action's weights M·(λ, μ) = 1e-4 as before the per-sample scaling.
        var c = try TrainingConfiguration.defaults(dataset: .sine, recipe: "collocation-continuation")
        c.samples = 3; c.tikhonov = 1e-4 / 3; c.readoutTikhonov = 1e-4 / 3
        let report = try TrainingExperiment.run(c, split: split).report
        let schedule = report.stages.last?.rungs ?? []
        #expect(report.status == "success" && schedule.count == 11, "\(report.rungs.map { "\($0.beta) \($0.status)" })")
        for rung in report.rungs { #expect(rung.status == "success", "β \(rung.beta): \(rung.status)") }
        #expect(report.stages[1].rungs.compactMap(\.horizon).count == 4)
        for (previous, next) in zip(schedule, schedule.dropFirst()) {
            #expect(next.action >= previous.action * (1 - 1e-6), "actions \(schedule.map(\.action))")
        }
    }

    /// The dense methods refuse large problems in one line naming the size and the limit.
    @Test func denseMethodsRefuseLargeProblems() throws {
        let split = try catalogSplit(.sine)
        for method in ["multiple-shooting", "chebyshev"] {
            var c = try TrainingConfiguration.defaults(dataset: .sine, recipe: method)
            c.samples = 50; c.smoothness = 1
            do {
                _ = try TrainingExperiment.run(c, split: split)
                Issue.record("\(method) accepted 50 samples")
            } catch let error as MethodUnavailable {
                #expect(error.description.contains(method) && !error.description.contains("\n"), "\(error)")
            }
        }
    }
}

/// The Tikhonov continuation before the annealing schedule: decades from 1 down to the targets, and a
/// finite schedule when a target is zero (it stops at the floor instead of running to underflow).
@Suite struct RegularizationScheduleTests {
    @Test func decadesReachTheTargets() {
        let schedule = TikhonovContinuationStage.schedule(tikhonov: 1e-4, readoutTikhonov: 1e-2)
        #expect(schedule.map(\.0) == [1, 0.1, 0.01, 1e-3].map { max($0, 1e-4) })
        #expect(schedule.allSatisfy { $0.1 >= 1e-2 })
        #expect(TikhonovContinuationStage.schedule(tikhonov: 2, readoutTikhonov: 1).isEmpty)
    }

    @Test func zeroTargetsEndAtTheFloor() {
        let schedule = TikhonovContinuationStage.schedule(tikhonov: 0, readoutTikhonov: 0)
        #expect(schedule.count == 9, "\(schedule.count) decades")
        #expect(schedule.allSatisfy { $0.0 >= TikhonovContinuationStage.floor * (1 - 1e-12) })
    }
}
