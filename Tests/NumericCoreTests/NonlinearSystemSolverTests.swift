import Foundation
import Testing
@testable import NumericCore

@Suite struct NonlinearSystemSolverTests {
    /// Rosenbrock's system 1 − x = 0, 10(y − x²) = 0 has the single root (1, 1).
    @Test(arguments: NonlinearSystemSolver.Method.allCases)
    func rosenbrockRootWithAnalyticAndFiniteDifferenceJacobian(method: NonlinearSystemSolver.Method) throws {
        let function: NonlinearSystemSolver.Function = { x, f in f[0] = 1 - x[0]; f[1] = 10 * (x[1] - x[0] * x[0]); return true }
        let jacobian: NonlinearSystemSolver.Jacobian = { x, j in j[0] = -1; j[1] = 0; j[2] = -20 * x[0]; j[3] = 10; return true }
        for analytic in [true, false] {
            let result = try NonlinearSystemSolver.solve(initial: [-1.2, 1], method: method, residualTolerance: 1e-12,
                                                         function: function, jacobian: analytic ? jacobian : nil)
            #expect(result.status == .success, "\(method) analytic \(analytic): \(result.status)")
            #expect(abs(result.root[0] - 1) < 1e-10 && abs(result.root[1] - 1) < 1e-10)
            #expect(result.iterations > 0)
        }
    }

    /// x² + 1 = 0 has no real root: a failure status, not a crash or hang.
    @Test func noRealRootGivesStatus() throws {
        let result = try NonlinearSystemSolver.solve(initial: [0.5], maxIterations: 200,
                                                     function: { x, f in f[0] = x[0] * x[0] + 1; return true })
        #expect(result.status != .success)
    }

    @Test func nonFiniteFunctionGivesStatus() throws {
        let result = try NonlinearSystemSolver.solve(initial: [1], function: { _, f in f[0] = .nan; return false })
        #expect(result.status == .nonFinite)
    }

    @Test func invalidStartThrows() {
        #expect(throws: InvalidArgument.self) {
            try NonlinearSystemSolver.solve(initial: [.nan], function: { _, _ in true })
        }
    }
}

@Suite struct AdaptiveODEIntegratorTests {
    /// y'' = −y from (0, 1): y = sin t; rk8pd and rkf45 at 1e-10 reach it to ~1e-9 at t = 10.
    @Test(arguments: AdaptiveODEIntegrator.Method.allCases)
    func harmonicOscillator(method: AdaptiveODEIntegrator.Method) throws {
        let integrator = try AdaptiveODEIntegrator(dimension: 2, method: method, absoluteTolerance: 1e-11,
                                                   relativeTolerance: 1e-11) { _, y, dy in dy[0] = y[1]; dy[1] = -y[0] }
        var y = [0.0, 1.0]
        var recorded = 0
        let status = integrator.integrate(&y, from: 0, to: 10) { _, _ in recorded += 1 }
        #expect(status == .success)
        #expect(abs(y[0] - sin(10)) < 1e-8 && abs(y[1] - cos(10)) < 1e-8)
        #expect(recorded == integrator.steps)
    }

    @Test func blowUpGivesStatus() throws {
        let integrator = try AdaptiveODEIntegrator(dimension: 1, absoluteTolerance: 1e-8, relativeTolerance: 1e-8,
                                                   maxSteps: 10_000) { _, y, dy in dy[0] = y[0] * y[0] }
        var y = [1.0]
        #expect(integrator.integrate(&y, from: 0, to: 2) != .success) // y = 1/(1 − t) blows up at t = 1
    }
}

@Suite struct MatrixExponentialTests {
    /// e^{tJ} of the rotation generator J = [[0, −1], [1, 0]] is the rotation by t; e^{A} of a diagonal
    /// matrix is diag(e^{a_i}); e^{A}e^{−A} = I for a random A.
    @Test func closedForms() throws {
        let rotation = try MatrixExponential.compute([0, -1, 1, 0], dimension: 2, scale: 3)
        let expected = [cos(3.0), -sin(3.0), sin(3.0), cos(3.0)]
        for i in 0..<4 { #expect(abs(rotation[i] - expected[i]) < 1e-14) }
        let diagonal = try MatrixExponential.compute([2, 0, 0, -7], dimension: 2)
        #expect(abs(diagonal[0] - exp(2)) < 1e-13 * exp(2) && abs(diagonal[3] - exp(-7)) < 1e-15)
        let stream = RandomStream(seed: 41)
        let a = (0..<25).map { _ in stream.gaussian() }
        let forward = try MatrixExponential.compute(a, dimension: 5)
        let backward = try MatrixExponential.compute(a, dimension: 5, scale: -1)
        let product = try BLAS.multiply(forward, backward, m: 5, k: 5, n: 5)
        for i in 0..<5 { for j in 0..<5 { #expect(abs(product[i * 5 + j] - (i == j ? 1 : 0)) < 1e-12) } }
    }
}
