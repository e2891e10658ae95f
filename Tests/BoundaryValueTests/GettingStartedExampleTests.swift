import Foundation
import Testing
import BoundaryValue

/// The code of Sources/BoundaryValue/BoundaryValue.docc/GettingStarted.md, checked against the closed
/// form: y'' = −λ y, y(0) = y(1) = 0, y'(0) = 1 has λ = π² and y = sin(πt)/π. Plain `import` (no
/// @testable), so the article uses only public API.
@Suite struct GettingStartedExampleTests {
    @Test func eigenvalueAsUnknownParameter() throws {
        let problem = try BoundaryValueProblem.withParameters(
            dimension: 2, parameterCount: 1, start: 0, end: 1,
            field: { _, y, dy in
                dy[0] = y[1]            // y'  = v
                dy[1] = -y[2] * y[0]    // v'  = −λ y
            },
            boundaryConditions: .separated(
                startCount: 2,
                start: { y, r in r[0] = y[0]; r[1] = y[1] - 1 },  // y(0) = 0, y'(0) = 1
                end: { y, r in r[0] = y[0] }))                    // y(1) = 0

        let guess = InitialGuess.function({ t in [t * (1 - t), 1 - 2 * t, 8] }, nodes: 11)
        let solution = try solve(problem, Collocation(tolerance: 1e-8), initialGuess: guess)

        let lambda = solution.parameters[0]
        #expect(solution.succeeded, "\(solution.message)")
        #expect(solution.parameters.count == 1)
        #expect(abs(lambda - Double.pi * Double.pi) < 1e-6, "λ = \(lambda)")
        #expect(abs(solution.value(at: 0.5)[0] - 1 / Double.pi) < 1e-6)
        // The dense output is the eigenfunction sin(πt)/π and its derivative cos(πt) everywhere.
        for t in stride(from: 0.0, through: 1.0, by: 0.05) {
            #expect(abs(solution.value(at: t)[0] - sin(Double.pi * t) / Double.pi) < 1e-6)
            #expect(abs(solution.value(at: t)[1] - cos(Double.pi * t)) < 1e-5)
        }

        let algorithms: [any BoundaryValueAlgorithm] = [
            Shooting(integrator: .rungeKutta4(steps: 400)),
            MultipleShooting(integrator: .rungeKutta4(steps: 400), segments: 4),
            ChebyshevCollocation(),
        ]
        for algorithm in algorithms {
            let other = try algorithm.solve(problem, initialGuess: guess)
            #expect(other.succeeded, "\(type(of: algorithm)): \(other.message)")
            #expect(abs(other.parameters[0] - Double.pi * Double.pi) < 1e-6, "\(type(of: algorithm)): λ = \(other.parameters)")
        }
    }
}
