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

/// Multiple shooting on the layer problems: success only with a verified error (relative error within
/// the tolerance against the closed forms on 4001 points), and a dense output as accurate as its nodes.
@Suite struct MultipleShootingVerificationTests {
    static let configurations: [(String, MultipleShooting)] = [
        ("rk4 400", MultipleShooting(integrator: .rungeKutta4(steps: 400), tolerance: 1e-6)),
        ("adaptive 1e-10", MultipleShooting(integrator: .adaptive(tolerance: 1e-10), tolerance: 1e-8)),
    ]

    /// Every layer problem: success ⇒ error within 2 × tolerance; the adaptive configuration must
    /// succeed on all four (segments keep each initial value problem well conditioned).
    @Test func succeedsOnlyWithAVerifiedError() throws {
        for reference in try ShootingVerificationTests.layers() {
            for (name, algorithm) in Self.configurations {
                let solution = try solve(reference.problem, algorithm, initialGuess: reference.initialGuess)
                let error = try #require(reference.maxRelativeError(of: { solution.value(at: $0) }))
                let label = "\(reference.name) \(name): \(solution.status) \(solution.message), error \(error)"
                if solution.succeeded { #expect(error <= 2 * algorithm.tolerance, "\(label)") }
                if name.hasPrefix("adaptive") { #expect(solution.succeeded, "\(label)") }
            }
        }
    }

    /// Known false success 3: RK4 multiple shooting (400 steps) on the boundary layer ε = 1e-3
    /// (h/ε = 2.5, beyond RK4's stability interval) returned `success` with a max error of 566.
    @Test func unstableFixedStepsAreNotASuccess() throws {
        let reference = try ReferenceProblems.boundaryLayer(epsilon: 1e-3)
        let solution = try solve(reference.problem, MultipleShooting(integrator: .rungeKutta4(steps: 400)),
                                 initialGuess: reference.initialGuess)
        #expect(solution.status == .meshLimit, "\(solution.status): \(solution.message)")
    }

    /// Known defect: the adaptive dense output interpolated on a fixed 400-interval grid, with errors
    /// of 1e-4 between accurate nodes on the interior layer ε = 1e-3. Now the error at every interval
    /// midpoint is within twice the largest node error or the tolerance.
    @Test func denseOutputIsAsAccurateAsTheNodes() throws {
        let reference = try ReferenceProblems.interiorLayer(epsilon: 1e-3)
        let tolerance = 1e-8
        let solution = try solve(reference.problem, MultipleShooting(integrator: .adaptive(tolerance: 1e-10), tolerance: tolerance),
                                 initialGuess: reference.initialGuess)
        #expect(solution.succeeded, "\(solution.message)")
        let scale = (2 * 1e-3).squareRoot(), denominator = erf(1 / scale)
        let slope = 2 / (Double.pi.squareRoot() * scale * denominator)
        func relative(_ t: Double, _ y: [Double]) -> Double {
            let exact = [erf(t / scale) / denominator, slope * exp(-t * t / (2 * 1e-3))]
            return (0..<2).map { abs(y[$0] - exact[$0]) / (1 + abs(exact[$0])) }.max() ?? .nan
        }
        var nodeError = 0.0, middleError = 0.0
        for i in 0..<solution.mesh.count {
            nodeError = max(nodeError, relative(solution.mesh[i], Array(solution.values[(2 * i)..<(2 * i + 2)])))
            if i + 1 < solution.mesh.count {
                let t = 0.5 * (solution.mesh[i] + solution.mesh[i + 1])
                middleError = max(middleError, relative(t, solution.value(at: t)))
            }
        }
        #expect(middleError <= 2 * max(nodeError, tolerance), "midpoints \(middleError), nodes \(nodeError)")
    }
}
