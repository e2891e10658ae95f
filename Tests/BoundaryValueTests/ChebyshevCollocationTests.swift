import Foundation
import Testing
@testable import BoundaryValue
import NumericCore

@Suite struct ChebyshevCollocationTests {
    /// Spectral convergence on Bratu: a negative exponential rate fitted over N = 4…14 (error falls by
    /// more than a factor 5 per added point) and an error below 1e-12 by N = 64.
    @Test func exponentialConvergence() throws {
        let (data, errorAt64) = try BoundaryValueConvergence.chebyshev()
        #expect(data.fit.order < -1.6, "N \(data.steps) errors \(data.errors) rate \(data.fit)")
        #expect(data.fit.rSquared > 0.98)
        #expect(errorAt64 < 1e-12, "error at N = 64: \(errorAt64)")
    }

    /// Automatic N (coefficient decay) on Bratu both branches and on LQ n = 2: error < 1e-8.
    @Test func automaticDegree() throws {
        for upper in [false, true] {
            let reference = try ReferenceProblems.bratu(lambda: 1, upperBranch: upper)
            let solution = try solve(reference.problem, ChebyshevCollocation(), initialGuess: reference.initialGuess)
            #expect(solution.status == .success)
            let error = try #require(reference.maxError(of: { solution.value(at: $0) }))
            #expect(error < 1e-8, "upper \(upper): error \(error) at N = \(solution.stats.nodes - 1)")
        }
        let lq = try ReferenceProblems.linearQuadratic(dimension: 2)
        let solution = try solve(lq.problem, ChebyshevCollocation(), initialGuess: lq.initialGuess)
        let error = try #require(lq.maxError(of: { solution.value(at: $0) }, intervals: 100))
        #expect(solution.status == .success && error < 1e-8, "LQ error \(error)")
    }

    /// Layer problems (ε = 1e-2, 1e-3): success only with the relative error against the closed form
    /// below 1e-8 (coefficient tail 1e-10) and the boundary residual within its tolerance; the interior
    /// layers (analytic, width √ε) must succeed.
    @Test func layersSucceedOnlyWithAVerifiedError() throws {
        for reference in try ShootingVerificationTests.layers() {
            let solution = try solve(reference.problem, ChebyshevCollocation(tolerance: 1e-10), initialGuess: reference.initialGuess)
            let error = try #require(reference.maxRelativeError(of: { solution.value(at: $0) }))
            if solution.succeeded { #expect(error < 1e-8 && solution.boundaryResidual <= 1e-10, "\(reference.name): error \(error)") }
            if reference.name == "interior-layer" { #expect(solution.succeeded, "\(solution.message)") }
        }
    }

    @Test func bratuBeyondTheFoldFails() throws {
        let reference = try ReferenceProblems.bratu(lambda: 4)
        let solution = try solve(reference.problem, ChebyshevCollocation(), initialGuess: reference.initialGuess)
        #expect(solution.status != .success)
    }

    @Test func invalidInputThrows() throws {
        let reference = try ReferenceProblems.bratu(lambda: 1)
        #expect(throws: InvalidArgument.self) {
            try solve(reference.problem, ChebyshevCollocation(degree: 1), initialGuess: reference.initialGuess)
        }
    }
}
