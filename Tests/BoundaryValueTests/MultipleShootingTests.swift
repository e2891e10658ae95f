import Foundation
import Testing
@testable import BoundaryValue
import NumericCore

@Suite struct MultipleShootingTests {
    /// Bratu λ = 1, both branches: error < 1e-8; λ = 4: a failure status.
    @Test func bratu() throws {
        for upper in [false, true] {
            let reference = try ReferenceProblems.bratu(lambda: 1, upperBranch: upper)
            for segments in [nil, 4] as [Int?] {
                let solution = try solve(reference.problem,
                                         MultipleShooting(integrator: .rungeKutta4(steps: 800), segments: segments),
                                         initialGuess: reference.initialGuess)
                #expect(solution.status == .success, "\(solution.message)")
                let error = try #require(reference.maxError(of: { solution.value(at: $0) }))
                #expect(error < 1e-8, "upper \(upper) segments \(String(describing: segments)): error \(error)")
            }
        }
        let impossible = try ReferenceProblems.bratu(lambda: 4)
        let failed = try solve(impossible.problem, MultipleShooting(segments: 4), initialGuess: impossible.initialGuess)
        #expect(failed.status != .success)
    }

    /// LQ with T = 40: ‖Φ(T)‖ ~ e^{1.8·40} ≈ 1e31, so single shooting's Jacobian is hopelessly
    /// ill-conditioned and it fails; multiple shooting (breakpoints from the growth of Φ) converges to
    /// the exact solution.
    @Test func longHorizonNeedsMultipleShooting() throws {
        let reference = try ReferenceProblems.linearQuadratic(dimension: 2, horizon: 40)
        let single = try solve(reference.problem, Shooting(integrator: .gaussLegendre4(steps: 4000), maxIterations: 50),
                               initialGuess: reference.initialGuess)
        #expect(single.status != .success, "single shooting unexpectedly succeeded: \(single.message)")
        let multiple = try solve(reference.problem, MultipleShooting(integrator: .gaussLegendre4(steps: 4000)),
                                 initialGuess: reference.initialGuess)
        #expect(multiple.status == .success, "\(multiple.message)")
        let error = try #require(reference.maxError(of: { multiple.value(at: $0) }, intervals: 400))
        #expect(error < 1e-8, "single: \(single.status) (\(single.message)); multiple: error \(error), \(multiple.message)")
    }

    @Test func linearQuadraticTen() throws {
        let reference = try ReferenceProblems.linearQuadratic(dimension: 10)
        let solution = try solve(reference.problem, MultipleShooting(integrator: .adaptive(tolerance: 1e-11)),
                                 initialGuess: reference.initialGuess)
        #expect(solution.status == .success, "\(solution.message)")
        let error = try #require(reference.maxError(of: { solution.value(at: $0) }, intervals: 100))
        #expect(error < 1e-8, "error \(error)")
    }

    @Test func invalidInputThrows() throws {
        let reference = try ReferenceProblems.bratu(lambda: 1)
        #expect(throws: InvalidArgument.self) {
            try solve(reference.problem, MultipleShooting(segments: 0), initialGuess: reference.initialGuess)
        }
        let general = try BoundaryValueProblem(dimension: 1, start: 0, end: 1, field: { _, _, dy in dy[0] = 0 },
                                               boundaryConditions: .general({ a, b, r in r[0] = a[0] - b[0] }))
        #expect(throws: InvalidArgument.self) {
            try solve(general, MultipleShooting(), initialGuess: .function({ _ in [0] }, nodes: nil))
        }
    }
}
