import Foundation
import Testing
@testable import BoundaryValue
import NumericCore

@Suite struct ShootingTests {
    static let integrators: [ShootingIntegrator] = [.rungeKutta4(steps: 400), .gaussLegendre4(steps: 400), .adaptive(tolerance: 1e-10)]

    /// Bratu λ = 1, both branches, every integrator: error < 1e-8 against the closed form.
    @Test(arguments: [false, true])
    func bratuBothBranches(upper: Bool) throws {
        let reference = try ReferenceProblems.bratu(lambda: 1, upperBranch: upper)
        for integrator in Self.integrators {
            let solution = try solve(reference.problem, Shooting(integrator: integrator), initialGuess: reference.initialGuess)
            #expect(solution.status == .success, "\(integrator): \(solution.message)")
            let error = try #require(reference.maxError(of: { solution.value(at: $0) }))
            #expect(error < 1e-8, "upper \(upper) \(integrator): error \(error)")
        }
    }

    @Test func bratuBeyondTheFoldFails() throws {
        let reference = try ReferenceProblems.bratu(lambda: 4)
        for integrator in Self.integrators {
            let solution = try solve(reference.problem, Shooting(integrator: integrator), initialGuess: reference.initialGuess)
            #expect(solution.status != .success, "\(integrator)")
        }
    }

    /// LQ n = 2, 10, 50 (T = 5) with Gauss–Legendre shooting; the Hamiltonian
    /// H = p·(Ax) − |p|²/2 + |x|²/2 is constant along the computed solution to 1e-10 (the method
    /// preserves quadratic invariants exactly; what remains is the stage-solve and round-off level).
    @Test(arguments: [2, 10, 50])
    func gaussLegendreKeepsTheHamiltonian(n: Int) throws {
        let reference = try ReferenceProblems.linearQuadratic(dimension: n)
        let solution = try solve(reference.problem, Shooting(integrator: .gaussLegendre4(steps: 200)),
                                 initialGuess: reference.initialGuess)
        #expect(solution.status == .success, "\(solution.message)")
        let a = ReferenceProblems.linearQuadraticMatrix(dimension: n)
        var energies = [Double]()
        for node in 0..<solution.mesh.count {
            let x = Array(solution.values[(node * 2 * n)..<(node * 2 * n + n)])
            let p = Array(solution.values[(node * 2 * n + n)..<((node + 1) * 2 * n)])
            let ax = try BLAS.multiply(a, vector: x, m: n, n: n)
            var h = 0.0
            for i in 0..<n { h += p[i] * ax[i] - 0.5 * p[i] * p[i] + 0.5 * x[i] * x[i] }
            energies.append(h)
        }
        let drift = (energies.max() ?? 0) - (energies.min() ?? 0)
        #expect(drift < 1e-10, "n \(n): H drift \(drift)")
        let error = try #require(reference.maxError(of: { solution.value(at: $0) }, intervals: 100))
        #expect(error < 1e-6, "n \(n): error \(error)")
    }

    /// Fitted orders: RK4 shooting 4 ± 0.2, Gauss–Legendre shooting 4 ± 0.2.
    @Test(arguments: BoundaryValueConvergence.ShootingScheme.allCases)
    func fittedOrder(scheme: BoundaryValueConvergence.ShootingScheme) throws {
        let data = try BoundaryValueConvergence.shooting(scheme)
        #expect(abs(data.fit.order - 4) < 0.2, "h \(data.steps) errors \(data.errors) fitted \(data.fit)")
    }

    /// General (non-separated) conditions: y'' = −y with periodic-type conditions y(0) − y(π/2) = −1,
    /// y'(0) − y'(π/2) = 1 has the solution y = sin t: a coupled problem only shooting accepts.
    @Test func generalBoundaryConditions() throws {
        let problem = try BoundaryValueProblem(
            dimension: 2, start: 0, end: Double.pi / 2, field: { _, y, dy in dy[0] = y[1]; dy[1] = -y[0] },
            boundaryConditions: .general({ a, b, r in r[0] = a[0] - b[0] + 1; r[1] = a[1] - b[1] - 1 }))
        let solution = try solve(problem, Shooting(integrator: .rungeKutta4(steps: 200)),
                                 initialGuess: .function({ _ in [0, 0] }, nodes: nil))
        #expect(solution.status == .success)
        for t in [0.1, 0.7, 1.3] { #expect(abs(solution.value(at: t)[0] - sin(t)) < 1e-8) }
    }

    @Test func invalidInputThrows() throws {
        let reference = try ReferenceProblems.bratu(lambda: 1)
        #expect(throws: InvalidArgument.self) {
            try solve(reference.problem, Shooting(integrator: .rungeKutta4(steps: 0)), initialGuess: reference.initialGuess)
        }
        #expect(throws: InvalidArgument.self) {
            try solve(reference.problem, Shooting(tolerance: -1), initialGuess: reference.initialGuess)
        }
    }
}
