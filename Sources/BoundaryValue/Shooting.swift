import Dispatch
import NumericCore

/// Single shooting: Newton on the unknown initial value s = y(a) of the residual r(s) = g(s, y(b; s)).
///
/// The Jacobian r'(s) = G_a + G_b Φ(b) comes from the variational equation Φ' = f_y Φ, Φ(a) = I,
/// integrated alongside y by the same integrator (`ShootingIntegrator`: RK4, adaptive rk8pd, or the
/// symplectic 2-stage Gauss–Legendre). The nonlinear solve is GSL's multiroot (`NonlinearSystemSolver`,
/// Powell's hybrid by default) to max |g| <= `boundaryTolerance`. Order: that of the integrator (4 for
/// RK4 and Gauss–Legendre). Conditioning: ‖Φ(b)‖ grows like e^{L(b−a)}, so about log₁₀ e^{L(b−a)}
/// digits are lost and single shooting fails once L(b−a) ≳ 20–35 even for a well-conditioned BVP
/// (Notes/shooting.md); use `MultipleShooting` there. Accepts general (non-separated) boundary conditions.
///
/// Verification (Notes/bvp-verification.md): the returned trajectory is the one Newton evaluated;
/// before `success` the solver checks its boundary residual against `boundaryTolerance` and the
/// estimated error of its dense output (`ShootingTrajectory`: a finer reference integration from the
/// same initial value, compared at every node and interval midpoint) against `tolerance`. The
/// adaptive integrator's output nodes are refined until the dense output meets the tolerance; fixed
/// steps are kept, and when they are too coarse the status is `meshLimit`. Cost of the check: one
/// integration at half the step (fixed steps) or two at 1/64 of the integrator tolerance (adaptive).
public struct Shooting: Sendable {
    public var integrator: ShootingIntegrator
    /// The relative error |y − y_exact| / (1 + |y_exact|) allowed in the returned dense output, as the
    /// solver estimates it (`errorEstimate` on the solution); above it the status is `meshLimit`.
    public var tolerance: Double
    /// max |g(y(a), y(b))|: Newton's target, and checked on the returned trajectory (above it the status
    /// is `noConvergence`).
    public var boundaryTolerance: Double
    public var maxIterations: Int
    public var method: NonlinearSystemSolver.Method

    public init(integrator: ShootingIntegrator = .rungeKutta4(steps: 200), tolerance: Double = 1e-6,
                boundaryTolerance: Double = 1e-10, maxIterations: Int = 100,
                method: NonlinearSystemSolver.Method = .hybridsj) {
        self.integrator = integrator
        self.tolerance = tolerance
        self.boundaryTolerance = boundaryTolerance
        self.maxIterations = maxIterations
        self.method = method
    }
}

extension Shooting: BoundaryValueAlgorithm {
    public func solve(_ problem: BoundaryValueProblem, initialGuess: InitialGuess) throws -> BoundaryValueSolution {
        try integrator.validate()
        try Validate.positive(tolerance, "tolerance")
        try Validate.positive(boundaryTolerance, "boundaryTolerance")
        try Validate.positive(maxIterations, "maxIterations")
        try initialGuess.validate(dimension: problem.dimension, start: problem.start, end: problem.end)
        let started = DispatchTime.now().uptimeNanoseconds
        let n = problem.dimension, a = problem.start, b = problem.end
        let recorder = try TrajectoryRecorder(problem: problem, method: integrator, tolerance: tolerance)
        let flow = recorder.flow
        let conditions = problem.boundaryConditions
        var jacobianEvaluations = 0
        let start = InitialGuess.sampleOne(initialGuess, at: a, dimension: n)
        var end = [Double](repeating: 0, count: n)
        var phi = [Double](repeating: 0, count: n * n)
        let result = try NonlinearSystemSolver.solve(
            initial: start, method: method, residualTolerance: boundaryTolerance, maxIterations: maxIterations,
            function: { s, r in
                flow.resetFailure()
                for i in 0..<n { end[i] = s[i] }
                end.withUnsafeMutableBufferPointer { flow.propagate($0.baseAddress!, phi: nil, from: a, to: b) }
                if flow.failed { return false }
                end.withUnsafeBufferPointer { conditions.evaluate(start: s, end: $0.baseAddress!, residual: r) }
                return true
            },
            jacobian: { s, jacobian in
                jacobianEvaluations += 1
                flow.resetFailure()
                for i in 0..<n { end[i] = s[i] }
                for i in 0..<(n * n) { phi[i] = i % (n + 1) == 0 ? 1 : 0 }
                end.withUnsafeMutableBufferPointer { e in
                    phi.withUnsafeMutableBufferPointer { p in flow.propagate(e.baseAddress!, phi: p.baseAddress!, from: a, to: b) }
                }
                if flow.failed { return false }
                let (ga, gb) = conditions.jacobians(start: Array(UnsafeBufferPointer(start: s, count: n)), end: end, dimension: n)
                // J = G_a + G_b Φ
                for r in 0..<n {
                    for c in 0..<n {
                        var sum = ga[r * n + c]
                        for k in 0..<n { sum += gb[r * n + k] * phi[k * n + c] }
                        jacobian[r * n + c] = sum
                    }
                }
                return true
            })
        // Trajectory from the last iterate (the solution on success, the last good state otherwise),
        // verified when Newton converged.
        let trajectory = recorder.record(from: result.root, a, b, verify: result.status == .success)
        let mesh = trajectory.mesh, values = trajectory.values
        var status: BoundaryValueStatus
        var message: String
        switch result.status {
        case .success: (status, message) = (.success, "converged")
        case .maxIterations: (status, message) = (.maxIterations, "shooting Newton did not converge in \(maxIterations) iterations: there may be no solution near the guess, or the problem is too unstable for single shooting (try MultipleShooting)")
        case .noProgress: (status, message) = (.noConvergence, "shooting Newton stopped making progress (|g| = \(result.residualNorm)): no solution near the guess, or Φ(b) too ill-conditioned (try MultipleShooting)")
        case .singularJacobian: (status, message) = (.singularJacobian, "the shooting Jacobian G_a + G_b Φ(b) is singular: \(result.detail ?? "")")
        case .nonFinite: (status, message) = (.nonFinite, "the integration overflowed or produced NaN: the initial value problem blows up (try MultipleShooting or a better guess)")
        }
        let last = values.count >= n ? Array(values.suffix(n)) : result.root
        let boundaryResidual = BoundaryValueSolution.boundaryResidual(problem: problem, start: result.root, end: last)
        if status == .success {
            if trajectory.failed {
                (status, message) = (.nonFinite, "the final integration failed")
            } else if !(boundaryResidual <= boundaryTolerance) {
                (status, message) = (.noConvergence, "the returned trajectory misses the boundary conditions: |g| = \(boundaryResidual) > boundaryTolerance = \(boundaryTolerance) (the initial value problem is too unstable for single shooting: try MultipleShooting or Collocation)")
            } else if !(trajectory.errorEstimate <= tolerance) {
                (status, message) = (.meshLimit, "the estimated error \(trajectory.errorEstimate) of the returned solution is above tolerance = \(tolerance): \(Self.advice(integrator))")
            } else {
                message = "converged; estimated error \(trajectory.errorEstimate), |g| = \(boundaryResidual)"
            }
        }
        let slopes = trajectory.slopes
        var stats = BoundaryValueStats()
        stats.newtonIterations = result.iterations
        stats.fieldEvaluations = flow.fieldEvaluations + recorder.reference.fieldEvaluations
        stats.jacobianEvaluations = jacobianEvaluations
        stats.nodes = mesh.count
        stats.seconds = Double(DispatchTime.now().uptimeNanoseconds - started) * 1e-9
        var solution = BoundaryValueSolution(
            dimension: n, status: status, message: message, mesh: mesh, values: values, slopes: slopes, stats: stats,
            maxResidual: BoundaryValueSolution.outputResidual(problem: problem, mesh: mesh, values: values, slopes: slopes),
            boundaryResidual: boundaryResidual)
        if result.status == .success { solution.errorEstimate = trajectory.errorEstimate }
        solution.parameterCount = problem.parameterCount
        return solution
    }

    /// What to try when the integration does not meet the tolerance.
    static func advice(_ integrator: ShootingIntegrator) -> String {
        switch integrator {
        case .rungeKutta4, .gaussLegendre4: return "the fixed steps are too coarse (more steps, the adaptive integrator, or Collocation)"
        case .adaptive: return "the integrator tolerance is too loose or the initial value problem too unstable (a tighter integrator tolerance, MultipleShooting or Collocation)"
        }
    }
}
