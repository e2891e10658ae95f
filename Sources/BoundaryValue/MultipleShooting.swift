import Dispatch
import NumericCore

/// Multiple shooting: node values s_0 … s_m at τ_0 = a < … < τ_m = b, continuity φ_j(s_j) − s_{j+1} = 0
/// on every segment and the separated boundary conditions at both ends.
///
/// Newton's matrix is almost block diagonal with block rows [Φ_j, −I] (Φ_j the segment's fundamental
/// matrix), factored by `AlmostBlockDiagonalLU` (alternate column and row pivoting) in O(m n³);
/// segments are integrated in parallel (`Parallel.forEach`, results independent of the thread
/// count). Newton is damped by the natural monotonicity test. With `segments == nil` the
/// breakpoints come from the growth of the fundamental solution along the initial guess: a new
/// segment starts whenever ‖Φ‖ exceeds `growthLimit`, so each segment loses at most
/// log₁₀(growthLimit) digits (Notes/shooting.md). Order: that of the integrator.
///
/// Verification (Notes/bvp-verification.md): every segment's dense output is recorded and checked like
/// single shooting's (`ShootingTrajectory`, segments in parallel); the estimate also covers the jumps
/// φ_j(s_j) − s_{j+1} at the breakpoints. `success` needs that estimate within `tolerance` (else
/// `meshLimit`) and max |g| at the end nodes within `boundaryTolerance` (else `noConvergence`).
public struct MultipleShooting: Sendable {
    public var integrator: ShootingIntegrator
    /// Number of equal segments, or nil to choose the breakpoints from the growth of Φ.
    public var segments: Int?
    public var growthLimit: Double
    /// The relative error |y − y_exact| / (1 + |y_exact|) allowed in the returned dense output, as
    /// the solver estimates it (`errorEstimate`); Newton also stops when max |Δs_i| / (1 + |s_i|) is
    /// below it.
    public var tolerance: Double
    /// max |g(y(a), y(b))| allowed at the returned end nodes.
    public var boundaryTolerance: Double
    public var maxIterations: Int

    public init(integrator: ShootingIntegrator = .rungeKutta4(steps: 400), segments: Int? = nil,
                growthLimit: Double = 20, tolerance: Double = 1e-8, boundaryTolerance: Double = 1e-10,
                maxIterations: Int = 50) {
        self.integrator = integrator
        self.segments = segments
        self.growthLimit = growthLimit
        self.tolerance = tolerance
        self.boundaryTolerance = boundaryTolerance
        self.maxIterations = maxIterations
    }
}

/// Holds per-segment integrators and results for the parallel loops; each worker touches only its
/// own segment.
private final class SegmentWorkers: @unchecked Sendable {
    let recorders: [TrajectoryRecorder]
    let flows: [FlowIntegrator]
    /// One box per segment, so parallel workers never write to a shared array.
    let trajectories: [TrajectoryBox]
    init(recorders: [TrajectoryRecorder]) {
        self.recorders = recorders
        flows = recorders.map(\.flow)
        trajectories = recorders.map { TrajectoryBox(ShootingTrajectory(dimension: $0.problem.dimension)) }
    }
}

private final class TrajectoryBox {
    var trajectory: ShootingTrajectory
    init(_ trajectory: ShootingTrajectory) { self.trajectory = trajectory }
}

extension MultipleShooting: BoundaryValueAlgorithm {
    public func solve(_ problem: BoundaryValueProblem, initialGuess: InitialGuess) throws -> BoundaryValueSolution {
        try integrator.validate()
        try Validate.positive(tolerance, "tolerance")
        try Validate.positive(boundaryTolerance, "boundaryTolerance")
        try Validate.positive(maxIterations, "maxIterations")
        if let segments { try Validate.positive(segments, "segments") }
        guard growthLimit > 1, growthLimit.isFinite else { throw InvalidArgument("growthLimit", growthLimit, "must be finite and > 1") }
        guard let na = problem.boundaryConditions.startCount else {
            throw InvalidArgument("boundaryConditions", "general", "multiple shooting needs separated conditions; use Shooting for coupled ones")
        }
        try initialGuess.validate(dimension: problem.dimension, start: problem.start, end: problem.end)
        let started = DispatchTime.now().uptimeNanoseconds
        let n = problem.dimension, nn = n * n
        let breakpoints = segments.map { uniformMesh(problem.start, problem.end, count: $0 + 1) }
            ?? growthBreakpoints(problem, initialGuess)
        let m = breakpoints.count - 1
        let size = (m + 1) * n
        var nodes = initialGuess.sample(on: breakpoints, dimension: n)
        let workers = SegmentWorkers(recorders: try (0..<m).map { _ in
            try TrajectoryRecorder(problem: problem, method: integrator, tolerance: tolerance)
        })
        let lu = AlmostBlockDiagonalLU()
        var ends = [Double](repeating: 0, count: m * n)
        var phis = [Double](repeating: 0, count: m * nn)
        var residual = [Double](repeating: 0, count: size), step = residual, trial = residual, simplified = residual
        var stats = BoundaryValueStats()
        let conditions = problem.boundaryConditions

        /// Integrates every segment from `start` (with Φ when asked); false when one failed.
        func propagate(_ start: [Double], withPhi: Bool) -> Bool {
            ends.withUnsafeMutableBufferPointer { endBuffer in
                phis.withUnsafeMutableBufferPointer { phiBuffer in
                    let endPointer = SharedMutablePointer(endBuffer.baseAddress!)
                    let phiPointer = SharedMutablePointer(phiBuffer.baseAddress!)
                    let startCopy = start
                    Parallel.forEach(m) { j in
                        let flow = workers.flows[j]
                        flow.resetFailure()
                        let y = endPointer.base + j * n
                        for i in 0..<n { y[i] = startCopy[j * n + i] }
                        if withPhi {
                            let phi = phiPointer.base + j * nn
                            for i in 0..<nn { phi[i] = i % (n + 1) == 0 ? 1 : 0 }
                            flow.propagate(y, phi: phi, from: breakpoints[j], to: breakpoints[j + 1])
                        } else {
                            flow.propagate(y, phi: nil, from: breakpoints[j], to: breakpoints[j + 1])
                        }
                    }
                }
            }
            return workers.flows.allSatisfy { !$0.failed } && ends.allSatisfy { $0.isFinite }
        }

        /// Residual in the ABD row order: start conditions, continuity, end conditions.
        func evaluateResidual(_ values: [Double], into r: inout [Double]) {
            values.withUnsafeBufferPointer { v in
                r.withUnsafeMutableBufferPointer { rb in
                    conditions.startResidual?(v.baseAddress!, rb.baseAddress!)
                    for j in 0..<m { for i in 0..<n { rb[na + j * n + i] = ends[j * n + i] - v[(j + 1) * n + i] } }
                    conditions.endResidual?(v.baseAddress! + m * n, rb.baseAddress! + na + m * n)
                }
            }
        }

        func scaledNorm(_ delta: [Double], _ values: [Double]) -> Double {
            var norm = 0.0
            for i in 0..<size { norm = max(norm, abs(delta[i]) / (1 + abs(values[i]))) }
            return delta.allSatisfy { $0.isFinite } ? norm : .infinity
        }

        // An adaptive integrator's output depends on s only up to its tolerance (step-size selection is
        // not smooth), so Newton cannot resolve corrections below about ten times that.
        var newtonTolerance = tolerance
        if case let .adaptive(integratorTolerance) = integrator { newtonTolerance = max(tolerance, 10 * integratorTolerance) }
        var status = BoundaryValueStatus.maxIterations
        var message = "multiple shooting Newton did not converge in \(maxIterations) iterations: try more segments or a better guess"
        newton: for _ in 0..<maxIterations {
            stats.newtonIterations += 1
            guard propagate(nodes, withPhi: true) else {
                status = .nonFinite; message = "a segment integration failed (overflow or NaN): use more segments"; break
            }
            evaluateResidual(nodes, into: &residual)
            guard residual.allSatisfy({ $0.isFinite }) else { status = .nonFinite; message = "non-finite residual"; break }
            stats.jacobianEvaluations += 1
            do { try lu.prepare(blockSize: n, blockCount: m, topRows: na) } catch { break }
            for j in 0..<m {
                let row = lu.blockRow(j)
                for r in 0..<n {
                    for c in 0..<n { row[r * 2 * n + c] = phis[j * nn + r * n + c]; row[r * 2 * n + n + c] = 0 }
                    row[r * 2 * n + n + r] = -1
                }
            }
            let (ga, gb) = conditions.jacobians(start: Array(nodes[0..<n]), end: Array(nodes[(m * n)..<size]), dimension: n)
            lu.withBoundaryBlocks { top, bottom in
                for i in 0..<(na * n) { top[i] = ga[i] }
                for i in 0..<((n - na) * n) { bottom[i] = gb[na * n + i] }
            }
            stats.factorizations += 1
            if case let .singular(block, column) = lu.factorPrepared() {
                status = .singularJacobian
                message = "the multiple-shooting matrix is singular (block \(block), column \(column)): inconsistent boundary conditions or a non-isolated solution"
                break
            }
            for i in 0..<size { step[i] = -residual[i] }
            lu.solve(&step)
            let norm = scaledNorm(step, nodes)
            if norm < newtonTolerance {
                for i in 0..<size { nodes[i] += step[i] }
                status = .success; message = "converged"
                break
            }
            var alpha = 1.0
            while alpha >= 1.0 / 1024 {
                for i in 0..<size { trial[i] = nodes[i] + alpha * step[i] }
                if propagate(trial, withPhi: false) {
                    evaluateResidual(trial, into: &simplified)
                    for i in 0..<size { simplified[i] = -simplified[i] }
                    lu.solve(&simplified)
                    if scaledNorm(simplified, trial) <= (1 - alpha / 4) * norm {
                        nodes = trial
                        continue newton
                    }
                }
                alpha *= 0.5
            }
            status = .noConvergence
            message = "damped Newton could not reduce the multiple-shooting residual: no solution near the guess"
            break
        }

        // Output: every segment recorded from its node (in parallel), verified when Newton converged,
        // then joined in order.
        let verify = status == .success
        let finalNodes = nodes
        Parallel.forEach(m) { j in
            workers.trajectories[j].trajectory = workers.recorders[j].record(
                from: Array(finalNodes[(j * n)..<((j + 1) * n)]), breakpoints[j], breakpoints[j + 1], verify: verify)
        }
        var mesh = [Double](), values = [Double](), slopes = [Double]()
        var errorEstimate = 0.0, failed = false
        for j in 0..<m {
            let trajectory = workers.trajectories[j].trajectory
            failed = failed || trajectory.failed
            errorEstimate = max(errorEstimate, trajectory.errorEstimate)
            if j + 1 < m, trajectory.values.count >= n {
                // The jump at the breakpoint: the dense output switches from φ_j(s_j) to s_{j+1}.
                errorEstimate = max(errorEstimate, TrajectoryRecorder.relativeDifference(
                    trajectory.end, 0, Array(nodes[((j + 1) * n)..<((j + 2) * n)]), 0, n))
            }
            let first = j > 0 ? 1 : 0
            if trajectory.mesh.count > first {
                mesh += trajectory.mesh[first...]
                values += trajectory.values[(first * n)...]
                slopes += trajectory.slopes[(first * n)...]
            }
            stats.fieldEvaluations += workers.flows[j].fieldEvaluations + workers.recorders[j].reference.fieldEvaluations
        }
        let boundaryResidual = BoundaryValueSolution.boundaryResidual(problem: problem, start: Array(nodes[0..<n]),
                                                                      end: Array(nodes[(m * n)..<size]))
        if status == .success {
            if failed {
                status = .nonFinite; message = "the final integration of a segment failed"
            } else if !(boundaryResidual <= boundaryTolerance) {
                status = .noConvergence
                message = "the returned end nodes miss the boundary conditions: |g| = \(boundaryResidual) > boundaryTolerance = \(boundaryTolerance)"
            } else if !(errorEstimate <= tolerance) {
                status = .meshLimit
                message = "the estimated error \(errorEstimate) of the returned solution is above tolerance = \(tolerance): \(Shooting.advice(integrator))"
            } else {
                message = "converged; estimated error \(errorEstimate), |g| = \(boundaryResidual)"
            }
        }
        stats.nodes = mesh.count
        stats.meshRefinements = 0
        stats.seconds = Double(DispatchTime.now().uptimeNanoseconds - started) * 1e-9
        var solution = BoundaryValueSolution(
            dimension: n, status: status, message: message + " (\(m) segments)", mesh: mesh, values: values, slopes: slopes,
            stats: stats,
            maxResidual: BoundaryValueSolution.outputResidual(problem: problem, mesh: mesh, values: values, slopes: slopes),
            boundaryResidual: boundaryResidual)
        if verify { solution.errorEstimate = errorEstimate }
        solution.parameterCount = problem.parameterCount
        return solution
    }

    /// Breakpoints where the fundamental solution of the variational equation along the guess grows
    /// past `growthLimit` (RK4 with 2000 steps over [a, b]; Φ restarts at I at every breakpoint).
    func growthBreakpoints(_ problem: BoundaryValueProblem, _ guess: InitialGuess) -> [Double] {
        let n = problem.dimension, nn = n * n
        let steps = 2000
        let a = problem.start, b = problem.end, h = (b - a) / Double(steps)
        var derivatives = FieldDerivatives(problem: problem)
        var phi = [Double](repeating: 0, count: nn)
        for i in 0..<n { phi[i * n + i] = 1 }
        var breakpoints = [a]
        var jacobian = [Double](repeating: 0, count: nn), product = jacobian
        var stages = [[Double]](repeating: [Double](repeating: 0, count: nn), count: 4)
        var f = [Double](repeating: 0, count: n)
        func derivative(at t: Double, _ state: [Double], into out: inout [Double]) {
            var y = InitialGuess.sampleOne(guess, at: t, dimension: n)
            y.withUnsafeMutableBufferPointer { yb in
                f.withUnsafeMutableBufferPointer { fb in
                    problem.field(t, yb.baseAddress!, fb.baseAddress!)
                    jacobian.withUnsafeMutableBufferPointer { jb in
                        _ = derivatives.jacobian(t, yb.baseAddress!, fb.baseAddress!, into: jb.baseAddress!)
                    }
                }
            }
            jacobian.withUnsafeBufferPointer { jb in
                state.withUnsafeBufferPointer { sb in
                    out.withUnsafeMutableBufferPointer { ob in FlowIntegrator.multiply(jb.baseAddress!, sb.baseAddress!, into: ob.baseAddress!, n: n) }
                }
            }
        }
        for s in 0..<steps {
            let t = a + Double(s) * h
            derivative(at: t, phi, into: &stages[0])
            product = zip(phi, stages[0]).map { $0 + 0.5 * h * $1 }
            derivative(at: t + h / 2, product, into: &stages[1])
            product = zip(phi, stages[1]).map { $0 + 0.5 * h * $1 }
            derivative(at: t + h / 2, product, into: &stages[2])
            product = zip(phi, stages[2]).map { $0 + h * $1 }
            derivative(at: t + h, product, into: &stages[3])
            for i in 0..<nn { phi[i] += h / 6 * (stages[0][i] + 2 * stages[1][i] + 2 * stages[2][i] + stages[3][i]) }
            let growth = phi.reduce(0) { max($0, abs($1)) }
            if !(growth <= growthLimit) && s < steps - 1 {
                breakpoints.append(t + h)
                for i in 0..<nn { phi[i] = i % (n + 1) == 0 ? 1 : 0 }
            }
        }
        breakpoints.append(b)
        return breakpoints
    }
}
