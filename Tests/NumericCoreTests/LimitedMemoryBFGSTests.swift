import Foundation
import Testing
@testable import NumericCore

@Suite struct LimitedMemoryBFGSTests {
    /// Rosenbrock's function from (−1.2, 1): the unique minimiser (1, 1), value 0.
    @Test func findsTheRosenbrockMinimum() throws {
        let minimizer = try LimitedMemoryBFGS(memory: 5, gradientTolerance: 1e-10, maximumIterations: 500)
        let result = minimizer.minimize(start: [-1.2, 1]) { u, g in
            let a = 1 - u[0], b = u[1] - u[0] * u[0]
            g[0] = -2 * a - 400 * u[0] * b
            g[1] = 200 * b
            return a * a + 100 * b * b
        }
        #expect(result.status == .converged)
        #expect(abs(result.point[0] - 1) < 1e-8 && abs(result.point[1] - 1) < 1e-8, "\(result.point)")
        #expect(result.value < 1e-16)
    }

    /// A strictly convex quadratic ½uᵀAu − bᵀu (A = tridiag(−1, 4, −1), n = 200): the solution of Au = b
    /// to the gradient tolerance (relative to max(1, |f|)), every accepted step decreasing the value.
    @Test func solvesAConvexQuadratic() throws {
        let n = 200
        let b = (0..<n).map { sin(Double($0)) }
        var values = [Double]()
        func apply(_ u: [Double]) -> [Double] {
            (0..<n).map { i in 4 * u[i] - (i > 0 ? u[i - 1] : 0) - (i < n - 1 ? u[i + 1] : 0) }
        }
        let minimizer = try LimitedMemoryBFGS(gradientTolerance: 1e-9, maximumIterations: 200)
        let result = minimizer.minimize(start: [Double](repeating: 0, count: n), evaluate: { u, g in
            let au = apply(u)
            var f = 0.0
            for i in 0..<n { g[i] = au[i] - b[i]; f += 0.5 * u[i] * au[i] - b[i] * u[i] }
            return f
        }, progress: { _, f, _ in values.append(f) })
        #expect(result.status == .converged)
        let residual = zip(apply(result.point), b).map { abs($0 - $1) }.max()!
        #expect(residual <= 1e-9 * max(1, abs(result.value)))
        #expect(zip(values, values.dropFirst()).allSatisfy { $1 <= $0 })
    }

    /// The iteration limit is a status with the best point so far (below the start's value).
    @Test func stopsAtTheIterationLimit() throws {
        let minimizer = try LimitedMemoryBFGS(maximumIterations: 3)
        let result = minimizer.minimize(start: [-1.2, 1]) { u, g in
            let a = 1 - u[0], b = u[1] - u[0] * u[0]
            g[0] = -2 * a - 400 * u[0] * b
            g[1] = 200 * b
            return a * a + 100 * b * b
        }
        #expect(result.status == .iterationLimit && result.iterations == 3)
        #expect(result.value < 24.2)
    }

    /// A non-finite start is a status, not a crash; bad settings throw naming the argument.
    @Test func reportsBadInput() throws {
        let minimizer = try LimitedMemoryBFGS()
        let result = minimizer.minimize(start: [1]) { _, g in g[0] = .nan; return .nan }
        #expect(result.status == .nonFinite)
        #expect(throws: InvalidArgument.self) { try LimitedMemoryBFGS(memory: 0) }
        #expect(throws: InvalidArgument.self) { try LimitedMemoryBFGS(gradientTolerance: -1) }
    }
}
