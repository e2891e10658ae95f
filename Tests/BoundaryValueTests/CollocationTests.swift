import Foundation
import Testing
@testable import BoundaryValue
import NumericCore

@Suite struct CollocationTests {
    /// Bratu λ = 1, both branches, both schemes, tolerance 1e-8: error < 1e-8 against the closed form
    /// y = −2 ln[cosh((t − ½)θ/2)/cosh(θ/4)], θ = √(2λ) cosh(θ/4), on 401 points of the dense output.
    @Test(arguments: [false, true], Collocation.Scheme.allCases)
    func bratuBothBranches(upper: Bool, scheme: Collocation.Scheme) throws {
        let reference = try ReferenceProblems.bratu(lambda: 1, upperBranch: upper)
        let solution = try solve(reference.problem, Collocation(scheme: scheme, tolerance: 1e-8),
                                 initialGuess: reference.initialGuess)
        #expect(solution.status == .success, "\(solution.message)")
        let error = try #require(reference.maxError(of: { solution.value(at: $0) }))
        #expect(error < 1e-8, "upper \(upper) \(scheme): error \(error), nodes \(solution.stats.nodes)")
        let theta = try #require(ReferenceProblems.bratuTheta(lambda: 1, upper: upper))
        #expect(abs(theta - (2.0).squareRoot() * cosh(theta / 4)) < 1e-12)
    }

    /// λ = 4 is beyond the fold (λ* ≈ 3.5138): no solution; a failure status, quickly, no crash.
    @Test func bratuBeyondTheFoldFails() throws {
        #expect(ReferenceProblems.bratuTheta(lambda: 4, upper: false) == nil)
        let reference = try ReferenceProblems.bratu(lambda: 4)
        for scheme in Collocation.Scheme.allCases {
            let solution = try solve(reference.problem, Collocation(scheme: scheme, tolerance: 1e-8),
                                     initialGuess: reference.initialGuess)
            #expect(solution.status != .success)
            #expect(!solution.message.isEmpty)
        }
    }

    /// LQ Hamiltonian BVP, n = 2 and 10 (and 50 at a looser tolerance), T = 5: error against the exact
    /// solution from exact interval propagators e^{MΔt}.
    @Test(arguments: [(2, 1e-8), (10, 1e-8), (50, 1e-6)])
    func linearQuadratic(shape: (Int, Double)) throws {
        let (n, tolerance) = shape
        let reference = try ReferenceProblems.linearQuadratic(dimension: n)
        let solution = try solve(reference.problem, Collocation(tolerance: tolerance), initialGuess: reference.initialGuess)
        #expect(solution.status == .success)
        let error = try #require(reference.maxError(of: { solution.value(at: $0) }, intervals: 100))
        #expect(error < 10 * tolerance, "n \(n): error \(error)")
        #expect(solution.boundaryResidual < 1e-10)
    }

    /// The exact LQ reference is itself checked against e^{Mt} y(0) of the matrix exponential (T = 5
    /// is short enough for the direct formula) and the boundary conditions.
    @Test func linearQuadraticReferenceAgreesWithMatrixExponential() throws {
        let n = 3, m = 6
        let reference = try ReferenceProblems.linearQuadratic(dimension: n)
        let grid = try #require(reference.exactOnUniformGrid?(50))
        let hamiltonian = ReferenceProblems.linearQuadraticHamiltonian(dimension: n)
        let y0 = Array(grid[0..<m])
        for k in [10, 37, 50] {
            let e = try MatrixExponential.compute(hamiltonian, dimension: m, scale: 5.0 * Double(k) / 50)
            let y = try BLAS.multiply(e, vector: y0, m: m, n: m)
            for i in 0..<m { #expect(abs(y[i] - grid[k * m + i]) < 1e-10 * max(1, abs(y[i]))) }
        }
        for i in 0..<n {
            #expect(abs(y0[i] - 1) < 1e-14)
            #expect(abs(grid[50 * m + n + i] - grid[50 * m + i]) < 1e-12)
        }
    }

    /// Orders on fixed meshes: trapezoid 2 ± 0.15, Lobatto IIIA 4 ± 0.2.
    @Test(arguments: Collocation.Scheme.allCases)
    func fittedOrder(scheme: Collocation.Scheme) throws {
        let data = try BoundaryValueConvergence.collocation(scheme)
        let tolerance = scheme == .trapezoid ? 0.15 : 0.2
        #expect(abs(data.fit.order - data.expectedOrder) < tolerance,
                "h \(data.steps) errors \(data.errors) fitted \(data.fit)")
    }

    /// Boundary layer ε y'' + y' = 0 and interior layer ε y'' + t y' = 0, ε = 1e-3, from a straight line.
    @Test func layersConvergeFromStraightLine() throws {
        for reference in [try ReferenceProblems.boundaryLayer(epsilon: 1e-3), try ReferenceProblems.interiorLayer(epsilon: 1e-3)] {
            let solution = try solve(reference.problem, Collocation(tolerance: 1e-8), initialGuess: reference.initialGuess)
            #expect(solution.status == .success, "\(reference.name): \(solution.message)")
            // The derivative in the layer is O(1/ε): compare the error relative to that scale.
            let error = try #require(reference.maxError(of: { solution.value(at: $0) }, intervals: 2000))
            #expect(error < 1e-5, "\(reference.name): error \(error) with \(solution.stats.nodes) nodes")
        }
    }

    /// The promise of `success` on the layer problems (ε = 1e-2, 1e-3, from straight lines): collocation
    /// must succeed, and its relative error against the closed forms on 4001 points is within the
    /// residual tolerance (the error is the residual through the problem's Green's function; measured
    /// here two decades below the bound). The returned residual and boundary residual are within
    /// their tolerances.
    @Test(arguments: [(Collocation.Scheme.lobatto3, 1e-6), (.lobatto3, 1e-9), (.trapezoid, 1e-5)])
    func layersSucceedWithAVerifiedError(setting: (Collocation.Scheme, Double)) throws {
        let (scheme, tolerance) = setting
        for reference in try ShootingVerificationTests.layers() {
            let solution = try solve(reference.problem, Collocation(scheme: scheme, tolerance: tolerance),
                                     initialGuess: reference.initialGuess)
            let error = try #require(reference.maxRelativeError(of: { solution.value(at: $0) }))
            #expect(solution.succeeded && error <= tolerance, "\(reference.name) \(scheme): \(solution.message), error \(error)")
            #expect(solution.maxResidual <= tolerance && solution.boundaryResidual <= tolerance)
        }
    }

    /// `success` only when the returned boundary residual is within `boundaryTolerance`: Bratu with
    /// the nonlinear end condition e^{y(1)} − 1 = 0 (same solution, y(1) = 0) at tolerance 1e-2, where
    /// Newton stops at a correction of 1e-5 and leaves a quadratic remainder in g. A bound of 1e-300
    /// can only be met by an exactly zero residual, otherwise the status is `noConvergence`; 1e-3 must
    /// succeed. Non-positive bounds throw, naming the argument.
    @Test func boundaryToleranceIsChecked() throws {
        let lambda = 1.0
        let problem = try BoundaryValueProblem(
            dimension: 2, start: 0, end: 1,
            field: { _, y, dy in dy[0] = y[1]; dy[1] = -lambda * exp(y[0]) },
            boundaryConditions: .separated(startCount: 1, start: { y, r in r[0] = y[0] }, end: { y, r in r[0] = exp(y[0]) - 1 }))
        for bound in [1e-300, 1e-3] {
            let solution = try solve(problem, Collocation(tolerance: 1e-2, boundaryTolerance: bound),
                                     initialGuess: .function({ _ in [0.5, 0] }, nodes: 11))
            #expect(solution.succeeded == (solution.boundaryResidual <= bound), "\(bound): \(solution.status), |g| \(solution.boundaryResidual)")
            if !solution.succeeded { #expect(solution.status == .noConvergence, "\(solution.message)") }
            if bound == 1e-3 { #expect(solution.succeeded, "\(solution.message)") }
        }
        do {
            _ = try solve(problem, Collocation(boundaryTolerance: 0), initialGuess: .function({ _ in [0, 0] }, nodes: 11))
            Issue.record("boundaryTolerance 0 must be rejected")
        } catch let error as InvalidArgument {
            #expect(error.argument == "boundaryTolerance")
        }
    }

    /// Mesh adaptation removes nodes where they are not needed: a 2001-node uniform start on smooth
    /// Bratu ends with far fewer nodes, still within tolerance.
    @Test func refinementRemovesNodes() throws {
        let reference = try ReferenceProblems.bratu(lambda: 1)
        let mesh = (0...2000).map { Double($0) / 2000 }
        let solution = try solve(reference.problem, Collocation(tolerance: 1e-6),
                                 initialGuess: .mesh(mesh, values: [Double](repeating: 0, count: 2 * mesh.count)))
        #expect(solution.status == .success)
        #expect(solution.stats.nodes < 1000, "nodes \(solution.stats.nodes)")
        #expect(solution.maxResidual <= 1e-6)
    }

    /// A failed optional coarsening pass keeps the solution that met tol/2. Bratu λ = 3.4 (near the fold
    /// λ* ≈ 3.5138, strongly nonlinear) on 401 uniform nodes, started from its own fixed-mesh solution,
    /// converges in the first Newton iteration (the correction is at round-off); the residual is far
    /// below tol/2, so merge-only passes follow, and on the merged meshes the interpolated guess is off
    /// by the coarser mesh's error: with one Newton iteration (tolerance 1e-2, Newton tolerance 1e-5)
    /// the quadratic remainder of the last merge exceeds the Newton tolerance and that pass fails. The
    /// result is the last solution that met tol/2: status success, residual below tol/2, within tol of
    /// the closed form.
    @Test func failedCoarseningPassKeepsTheSuccess() throws {
        let reference = try ReferenceProblems.bratu(lambda: 3.4)
        let mesh = (0...400).map { Double($0) / 400 }
        let fixed = try solve(reference.problem, Collocation(adaptive: false),
                              initialGuess: .mesh(mesh, values: reference.initialGuess.sample(on: mesh, dimension: 2)))
        try #require(fixed.status == .success, "\(fixed.message)")
        let tolerance = 1e-2
        let solution = try solve(reference.problem, Collocation(tolerance: tolerance, maxNewtonIterations: 1),
                                 initialGuess: .mesh(fixed.mesh, values: fixed.values))
        #expect(solution.status == .success && solution.stats.meshRefinements >= 1, "\(solution.message)")
        #expect(solution.message.contains("dropped") && solution.stats.nodes == solution.mesh.count, "\(solution.message)")
        #expect(solution.maxResidual <= tolerance / 2, "residual \(solution.maxResidual)")
        let error = try #require(reference.maxError(of: { solution.value(at: $0) }))
        #expect(error <= tolerance, "error \(error) on \(solution.mesh.count) nodes")
    }

    @Test func nodeLimitGivesMeshLimitStatus() throws {
        let reference = try ReferenceProblems.boundaryLayer(epsilon: 1e-3)
        let solution = try solve(reference.problem, Collocation(tolerance: 1e-8, maxNodes: 40),
                                 initialGuess: reference.initialGuess)
        #expect(solution.status == .meshLimit)
    }

    /// The dense output is C¹: value and derivative from both sides of a node agree; the derivative
    /// matches f(t, y(t)) at the nodes.
    @Test func denseOutputIsContinuouslyDifferentiable() throws {
        let reference = try ReferenceProblems.bratu(lambda: 1)
        let solution = try solve(reference.problem, Collocation(tolerance: 1e-8), initialGuess: reference.initialGuess)
        let node = solution.mesh[solution.mesh.count / 2]
        let left = solution.derivative(at: node - 1e-12), right = solution.derivative(at: node + 1e-12)
        for k in 0..<2 { #expect(abs(left[k] - right[k]) < 1e-9) }
        let y = solution.value(at: node)
        #expect(abs(right[1] + exp(y[0])) < 1e-9)
    }

    @Test func nonFiniteFieldGivesStatus() throws {
        let problem = try BoundaryValueProblem(
            dimension: 1, start: 0, end: 1, field: { t, _, dy in dy[0] = t > 0.5 ? .nan : 1 },
            boundaryConditions: .separated(startCount: 1, start: { y, r in r[0] = y[0] }, end: { _, _ in }))
        let solution = try solve(problem, Collocation(), initialGuess: .function({ _ in [0] }, nodes: 5))
        #expect(solution.status == .nonFinite)
    }

    @Test func invalidInputThrowsNamingTheArgument() throws {
        let reference = try ReferenceProblems.bratu(lambda: 1)
        #expect(throws: InvalidArgument.self) {
            try solve(reference.problem, Collocation(tolerance: 0), initialGuess: reference.initialGuess)
        }
        #expect(throws: InvalidArgument.self) {
            try solve(reference.problem, Collocation(), initialGuess: .mesh([0, 1], values: [0, .nan, 0, 0]))
        }
        #expect(throws: InvalidArgument.self) {
            try solve(reference.problem, Collocation(), initialGuess: .mesh([0], values: [0, 0]))
        }
        #expect(throws: InvalidArgument.self) {
            try solve(reference.problem, Collocation(), initialGuess: .mesh([0, 1], values: [0, 0, 0]))
        }
        #expect(throws: InvalidArgument.self) {
            try BoundaryValueProblem(dimension: 1, start: 1, end: 1, field: { _, _, _ in },
                                     boundaryConditions: .general({ _, _, _ in }))
        }
        // Coupled conditions are accepted now (`coupledConditions`); y' = 0 with y(0) = y(1) has every
        // constant as a solution, so the Newton matrix is singular: a status, not a success.
        let general = try BoundaryValueProblem(dimension: 1, start: 0, end: 1, field: { _, _, dy in dy[0] = 0 },
                                               boundaryConditions: .general({ a, b, r in r[0] = a[0] - b[0] }))
        let nonIsolated = try solve(general, Collocation(), initialGuess: .function({ _ in [0] }, nodes: 5))
        #expect(nonIsolated.status == .singularJacobian, "\(nonIsolated.status): \(nonIsolated.message)")
    }

    /// Coupled (non-separated) conditions g(y(a), y(b)) = 0, SciPy's bc(ya, yb): the periodic problem
    /// y'' − y = cos t, y(0) = y(2π), y'(0) = y'(2π) has the unique solution y = −cos(t)/2, and the
    /// conditions y(0) − y(π/2) = −1, y'(0) − y'(π/2) = 1 for y'' = −y give y = sin t. Both schemes,
    /// with and without the analytic Jacobian: success, the error against the closed form within the
    /// tolerance, |g| of the coupled conditions within it, and the solution has the original dimension.
    @Test(arguments: Collocation.Scheme.allCases)
    func coupledConditions(scheme: Collocation.Scheme) throws {
        let tolerance = scheme == .lobatto3 ? 1e-8 : 1e-6
        let jacobian: VectorFieldJacobian = { _, _, j in j[0] = 0; j[1] = 1; j[2] = 1; j[3] = 0 }
        for analytic in [false, true] {
            let periodic = try BoundaryValueProblem(
                dimension: 2, start: 0, end: 2 * Double.pi, field: { t, y, dy in dy[0] = y[1]; dy[1] = y[0] + cos(t) },
                fieldJacobian: analytic ? jacobian : nil,
                boundaryConditions: .general({ a, b, r in r[0] = a[0] - b[0]; r[1] = a[1] - b[1] }))
            let solution = try solve(periodic, Collocation(scheme: scheme, tolerance: tolerance),
                                     initialGuess: .function({ _ in [0, 0] }, nodes: 11))
            #expect(solution.succeeded && solution.dimension == 2 && solution.values.count == 2 * solution.mesh.count,
                    "\(solution.message)")
            var error = 0.0
            for i in 0...1000 {
                let t = 2 * Double.pi * Double(i) / 1000, y = solution.value(at: t)
                error = max(error, abs(y[0] + cos(t) / 2), abs(y[1] - sin(t) / 2))
            }
            #expect(error <= tolerance && solution.boundaryResidual <= tolerance, "periodic \(scheme) analytic \(analytic): error \(error)")
        }
        let rotation = try BoundaryValueProblem(
            dimension: 2, start: 0, end: Double.pi / 2, field: { _, y, dy in dy[0] = y[1]; dy[1] = -y[0] },
            boundaryConditions: .general({ a, b, r in r[0] = a[0] - b[0] + 1; r[1] = a[1] - b[1] - 1 }))
        let solution = try solve(rotation, Collocation(scheme: scheme, tolerance: tolerance),
                                 initialGuess: .function({ _ in [0, 0] }, nodes: nil))
        #expect(solution.succeeded, "\(solution.message)")
        for t in [0.1, 0.7, 1.3] { #expect(abs(solution.value(at: t)[0] - sin(t)) <= tolerance) }
    }
}

@Suite struct UnknownParameterTests {
    /// An eigenvalue as unknown parameter: y'' + λ y = 0, y(0) = 0, y'(0) = 1, y(π) = 0 has λ = 1
    /// (y = sin t) near the guess λ = 0.8; three conditions for (y, y', λ).
    @Test func eigenvalueAsParameter() throws {
        let problem = try BoundaryValueProblem.withParameters(
            dimension: 2, parameterCount: 1, start: 0, end: Double.pi,
            field: { _, y, dy in dy[0] = y[1]; dy[1] = -y[2] * y[0] },
            boundaryConditions: .separated(startCount: 2, start: { y, r in r[0] = y[0]; r[1] = y[1] - 1 },
                                           end: { y, r in r[0] = y[0] }))
        for algorithm in [Collocation(tolerance: 1e-9)] {
            let solution = try solve(problem, algorithm, initialGuess: .function({ t in [sin(t), cos(t), 0.8] }, nodes: 21))
            #expect(solution.status == .success)
            #expect(abs(solution.values[2] - 1) < 1e-8, "lambda \(solution.values[2])")
            #expect(abs(solution.value(at: 1)[0] - sin(1)) < 1e-8)
        }
        let shot = try solve(problem, Shooting(integrator: .rungeKutta4(steps: 400)),
                             initialGuess: .function({ t in [sin(t), cos(t), 0.8] }, nodes: nil))
        #expect(shot.status == .success && abs(shot.values[2] - 1) < 1e-8)
    }

    /// The same eigenvalue problem with the analytic Jacobian ∂f/∂(y, λ) = [[0, 1, 0], [−λ, 0, −y]]
    /// (SciPy's fun_jac with df_dp): every solver finds λ = 1, returned by `parameters`, and the analytic
    /// Jacobian replaces the difference quotients (fewer field evaluations for the same solve).
    @Test func analyticParameterJacobianAndAccessor() throws {
        let conditions = BoundaryConditions.separated(startCount: 2, start: { y, r in r[0] = y[0]; r[1] = y[1] - 1 },
                                                      end: { y, r in r[0] = y[0] })
        let field: VectorField = { _, y, dy in dy[0] = y[1]; dy[1] = -y[2] * y[0] }
        let analytic = try BoundaryValueProblem.withParameters(
            dimension: 2, parameterCount: 1, start: 0, end: Double.pi, field: field,
            fieldJacobian: { _, y, j in j[0] = 0; j[1] = 1; j[2] = 0; j[3] = -y[2]; j[4] = 0; j[5] = -y[0] },
            boundaryConditions: conditions)
        let differenced = try BoundaryValueProblem.withParameters(
            dimension: 2, parameterCount: 1, start: 0, end: Double.pi, field: field, boundaryConditions: conditions)
        #expect(analytic.parameterCount == 1 && analytic.dimension == 3)
        let guess = InitialGuess.function({ t in [sin(t), cos(t), 0.8] }, nodes: 21)
        let algorithms: [(String, any BoundaryValueAlgorithm)] = [
            ("collocation", Collocation(tolerance: 1e-9)), ("chebyshev", ChebyshevCollocation()),
            ("shooting", Shooting(integrator: .rungeKutta4(steps: 400))),
            ("multiple shooting", MultipleShooting(integrator: .rungeKutta4(steps: 400), segments: 4)),
        ]
        for (name, algorithm) in algorithms {
            let solution = try algorithm.solve(analytic, initialGuess: guess)
            #expect(solution.succeeded, "\(name): \(solution.message)")
            #expect(solution.parameters.count == 1 && abs(solution.parameters[0] - 1) < 1e-8, "\(name): \(solution.parameters)")
        }
        let withJacobian = try solve(analytic, Collocation(tolerance: 1e-9), initialGuess: guess)
        let withDifferences = try solve(differenced, Collocation(tolerance: 1e-9), initialGuess: guess)
        #expect(withDifferences.parameters.count == 1 && abs(withDifferences.parameters[0] - 1) < 1e-8)
        #expect(withJacobian.stats.fieldEvaluations < withDifferences.stats.fieldEvaluations)
        let bratu = try ReferenceProblems.bratu(lambda: 1)
        let plain = try solve(bratu.problem, Collocation(), initialGuess: bratu.initialGuess)
        #expect(plain.parameters.isEmpty)
    }
}
