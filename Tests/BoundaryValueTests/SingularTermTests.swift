import Foundation
import Testing
@testable import BoundaryValue
import NumericCore

/// A singular term S y/(t − a) at the left end (SciPy's `S`), against closed forms.
@Suite struct SingularTermTests {
    /// The Emden equation y'' + (2/t) y' + y⁵ = 0, y'(0) = 0, y(1) = √(3/4): y = (1 + t²/3)^(−1/2).
    static func emden(analyticJacobian: Bool) throws -> BoundaryValueProblem {
        let jacobian: VectorFieldJacobian = { _, y, j in j[0] = 0; j[1] = 1; j[2] = -5 * pow(y[0], 4); j[3] = 0 }
        let conditions = BoundaryConditions.separated(startCount: 1, start: { y, r in r[0] = y[1] },
                                                      end: { y, r in r[0] = y[0] - (0.75).squareRoot() })
        let problem = try BoundaryValueProblem(dimension: 2, start: 0, end: 1, field: { _, y, dy in dy[0] = y[1]; dy[1] = -pow(y[0], 5) },
                                               fieldJacobian: analyticJacobian ? jacobian : nil, boundaryConditions: conditions)
        return try problem.withSingularTerm([0, 0, 0, -2])
    }

    static func emdenExact(_ t: Double) -> Double { 1 / (1 + t * t / 3).squareRoot() }

    /// Adaptive Lobatto IIIA collocation (tolerance 1e-8) from the constant guess reaches the closed
    /// form to 1e-7 on 201 points, with and without the analytic Jacobian, and its status says success.
    @Test(arguments: [true, false])
    func emdenEquationMatchesTheClosedForm(analyticJacobian: Bool) throws {
        let solution = try solve(try Self.emden(analyticJacobian: analyticJacobian), Collocation(tolerance: 1e-8),
                                 initialGuess: .function({ _ in [1, 0] }, nodes: 11))
        try #require(solution.status == .success, "\(solution.message)")
        var error = 0.0
        for i in 0...200 {
            let t = Double(i) / 200
            error = max(error, abs(solution.value(at: t)[0] - Self.emdenExact(t)))
        }
        #expect(error < 1e-7, "max error \(error)")
    }

    /// The fixed-mesh error of the Lobatto IIIA scheme on the Emden equation falls at its order 4
    /// (fitted on 8..64 intervals, within ±0.3): the regular value at t = 0 keeps the order.
    @Test func emdenConvergesAtOrderFour() throws {
        let problem = try Self.emden(analyticJacobian: true)
        var steps = [Double](), errors = [Double]()
        for intervals in [8, 16, 32, 64] {
            let mesh = (0...intervals).map { Double($0) / Double(intervals) }
            let solution = try solve(problem, Collocation(tolerance: 1e-12, adaptive: false),
                                     initialGuess: .mesh(mesh, values: mesh.flatMap { _ in [1.0, 0.0] }))
            try #require(solution.succeeded, "\(intervals): \(solution.message)")
            var error = 0.0
            for (k, t) in mesh.enumerated() { error = max(error, abs(solution.values[2 * k] - Self.emdenExact(t))) }
            steps.append(1 / Double(intervals))
            errors.append(error)
        }
        let fit = try OrderFit.fit(steps: steps, errors: errors)
        #expect(abs(fit.order - 4) < 0.3, "h \(steps), errors \(errors), order \(fit.order)")
        print("Emden, Lobatto IIIA on fixed meshes: errors \(errors), fitted order \(fit.order)")
    }

    /// Bessel's equation of order 0, y'' + y'/t + y = 0, y'(0) = 0, y(1) = J₀(1): y = J₀(t), by
    /// collocation and by Chebyshev collocation (which evaluates the field at t = 0 as well).
    @Test func besselOrderZeroByCollocationAndChebyshev() throws {
        @Sendable func besselJ0(_ t: Double) -> Double {
            var term = 1.0, sum = 1.0
            for k in 1..<30 { term *= -(t * t / 4) / Double(k * k); sum += term }
            return sum
        }
        let problem = try BoundaryValueProblem(
            dimension: 2, start: 0, end: 1, field: { _, y, dy in dy[0] = y[1]; dy[1] = -y[0] },
            boundaryConditions: .separated(startCount: 1, start: { y, r in r[0] = y[1] }, end: { y, r in r[0] = y[0] - besselJ0(1) }))
            .withSingularTerm([0, 0, 0, -1])
        for (name, solution) in [("collocation", try solve(problem, Collocation(tolerance: 1e-9), initialGuess: .function({ _ in [1, 0] }, nodes: 5))),
                                 ("chebyshev", try solve(problem, ChebyshevCollocation(tolerance: 1e-12), initialGuess: .function({ _ in [1, 0] }, nodes: nil)))] {
            try #require(solution.succeeded, "\(name): \(solution.message)")
            var error = 0.0
            for i in 0...100 { let t = Double(i) / 100; error = max(error, abs(solution.value(at: t)[0] - besselJ0(t))) }
            #expect(error < 1e-8, "\(name): max error \(error)")
        }
    }

    /// Conditions that do not imply S y(a) = 0 (here y(0) = 1, y(1) = 0 for Bessel's equation: the
    /// regular solution would need y'(0) = 0 as well) are not a success.
    @Test func inconsistentConditionsAreNotASuccess() throws {
        let problem = try BoundaryValueProblem(
            dimension: 2, start: 0, end: 1, field: { _, y, dy in dy[0] = y[1]; dy[1] = -y[0] },
            boundaryConditions: .separated(startCount: 1, start: { y, r in r[0] = y[0] - 1 }, end: { y, r in r[0] = y[0] }))
            .withSingularTerm([0, 0, 0, -1])
        let solution = try solve(problem, Collocation(tolerance: 1e-6), initialGuess: .function({ t in [1 - t, -1] }, nodes: 5))
        #expect(solution.status != .success, "\(solution.message)")
    }

    @Test func invalidSingularTermsThrowNamingTheArgument() throws {
        let problem = try BoundaryValueProblem(
            dimension: 2, start: 0, end: 1, field: { _, y, dy in dy[0] = y[1]; dy[1] = -y[0] },
            boundaryConditions: .separated(startCount: 1, start: { y, r in r[0] = y[1] }, end: { y, r in r[0] = y[0] }))
        for s in [[0.0, 0, 0], [0, 0, 0, .nan], [1, 0, 0, 0]] {
            #expect(throws: InvalidArgument.self) { _ = try problem.withSingularTerm(s) }
            do { _ = try problem.withSingularTerm(s) } catch let error as InvalidArgument {
                #expect(error.argument.hasPrefix("singularTerm"), "\(error)")
            }
        }
    }
}
