import NumericCore

/// The dense output of a shooting method on one interval [t0, t1] and its verification
/// (Notes/bvp-verification.md).
///
/// The trajectory is integrated from its initial value by the shooting integrator, and a reference
/// trajectory from the same initial value by a finer integration of the same kind: the fixed-step
/// methods with half the step (both of order 4, so the difference times 16/15 estimates the coarse
/// error, Richardson), the adaptive method at 1/64 of its tolerance. `errorEstimate` is the largest
/// relative difference |y − y_ref| / (1 + |y_ref|), componentwise, at the nodes and at the midpoint of
/// every interval, where the C¹ cubic Hermite output is compared: so it bounds the error of the dense
/// output, not only of the nodes. The adaptive method's nodes are its accepted steps, and an interval
/// whose midpoint is more than twice as far off as both its nodes (and min(integrator tolerance,
/// tolerance/4)) is
/// bisected (the midpoint, from the reference, becomes a node), so its dense output is as accurate as
/// its nodes; the fixed-step
/// methods keep their steps and report the estimate (their steps are the user's choice).
struct ShootingTrajectory {
    var mesh: [Double] = []
    /// Node values and slopes f(t, y), row-major.
    var values: [Double] = []
    var slopes: [Double] = []
    /// Estimated relative error of the dense output; +∞ when the reference integration failed.
    var errorEstimate = 0.0
    /// The integration itself failed (non-finite values, or the adaptive integrator gave up).
    var failed = false
    /// The value at t1.
    var end: [Double] { Array(values.suffix(values.count >= dimension ? dimension : 0)) }
    let dimension: Int
}

/// The integrators of one thread: the shooting flow and its reference (`ShootingTrajectory`).
final class TrajectoryRecorder {
    let problem: BoundaryValueProblem
    let flow: FlowIntegrator
    let reference: FlowIntegrator
    /// The smaller of the adaptive integrator's tolerance and a quarter of the solver's: the dense
    /// output is refined to the accuracy of the nodes or to that level, not beyond.
    private var resolution = 0.0
    /// Nodes the adaptive refinement may add to one trajectory.
    let maxNodes: Int
    /// Factor from the coarse–fine difference to the coarse error: 2⁴/(2⁴ − 1) for the order-4
    /// fixed-step methods at half the step; 1 for the adaptive reference at 1/64 of the tolerance.
    private let richardson: Double
    private var f: [Double]

    /// Smallest tolerance of the adaptive reference integration (rk8pd at round-off level fails).
    static let smallestReferenceTolerance = 1e-15

    init(problem: BoundaryValueProblem, method: ShootingIntegrator, tolerance: Double, maxNodes: Int = 100_000) throws {
        self.problem = problem
        self.maxNodes = maxNodes
        flow = try FlowIntegrator(problem: problem, method: method)
        switch method {
        case .rungeKutta4, .gaussLegendre4:
            reference = try FlowIntegrator(problem: problem, method: method)
            richardson = 16.0 / 15
        case let .adaptive(integratorTolerance):
            reference = try FlowIntegrator(
                problem: problem, method: .adaptive(tolerance: max(integratorTolerance / 64, Self.smallestReferenceTolerance)))
            richardson = 1
            resolution = min(integratorTolerance, tolerance / 4)
        }
        f = [Double](repeating: 0, count: problem.dimension)
    }

    /// The trajectory from `start` over [t0, t1]; verified (reference, estimate, bisection) when
    /// `verify`, else only integrated (the last state of a failed solve).
    func record(from start: [Double], _ t0: Double, _ t1: Double, verify: Bool) -> ShootingTrajectory {
        let n = problem.dimension
        var trajectory = ShootingTrajectory(dimension: n)
        var y = start
        flow.resetFailure()
        let steps = flow.method.steps(on: t0, t1, whole: problem.start, problem.end)
        y.withUnsafeMutableBufferPointer { buffer in
            flow.propagate(buffer.baseAddress!, phi: nil, from: t0, to: t1, steps: steps > 0 ? steps : nil) { t, state in
                trajectory.mesh.append(t)
                for i in 0..<n { trajectory.values.append(state[i]) }
            }
        }
        trajectory.slopes = BoundaryValueSolution.slopes(problem: problem, mesh: trajectory.mesh, values: trajectory.values)
        if flow.failed || !trajectory.values.allSatisfy({ $0.isFinite }) {
            trajectory.failed = true
            trajectory.errorEstimate = .infinity
            return trajectory
        }
        guard verify else { return trajectory }
        if case .adaptive = flow.method {
            refineAndVerify(&trajectory)
        } else {
            verifyFixedSteps(&trajectory, steps: steps)
        }
        return trajectory
    }

    /// Richardson: the same method with twice the steps; nodes against the even reference nodes,
    /// the Hermite midpoints against the odd ones.
    private func verifyFixedSteps(_ trajectory: inout ShootingTrajectory, steps: Int) {
        let n = problem.dimension
        var r = Array(trajectory.values.prefix(n))
        var fine = [Double]()
        fine.reserveCapacity((2 * steps + 1) * n)
        reference.resetFailure()
        let t0 = trajectory.mesh[0], t1 = trajectory.mesh[trajectory.mesh.count - 1]
        r.withUnsafeMutableBufferPointer { buffer in
            reference.propagate(buffer.baseAddress!, phi: nil, from: t0, to: t1, steps: 2 * steps) { _, state in
                for i in 0..<n { fine.append(state[i]) }
            }
        }
        guard !reference.failed, fine.count == (2 * steps + 1) * n, fine.allSatisfy({ $0.isFinite }) else {
            trajectory.errorEstimate = .infinity
            return
        }
        var worst = 0.0
        var middle = [Double](repeating: 0, count: n)
        for k in 0..<trajectory.mesh.count {
            worst = max(worst, Self.relativeDifference(trajectory.values, k * n, fine, 2 * k * n, n))
            if k + 1 < trajectory.mesh.count {
                Self.hermiteMidpoint(trajectory, k, into: &middle)
                worst = max(worst, Self.relativeDifference(middle, 0, fine, (2 * k + 1) * n, n))
            }
        }
        trajectory.errorEstimate = richardson * worst
    }

    /// The adaptive integrator's steps, bisected where the interpolation error dominates the nodes'
    /// error; the estimate over every final node and midpoint.
    private func refineAndVerify(_ trajectory: inout ShootingTrajectory) {
        let n = problem.dimension
        let coarse = trajectory
        trajectory.mesh = [coarse.mesh[0]]
        trajectory.values = Array(coarse.values.prefix(n))
        trajectory.slopes = Array(coarse.slopes.prefix(n))
        trajectory.errorEstimate = 0
        var referenceLeft = Array(coarse.values.prefix(n))
        for k in 0..<(coarse.mesh.count - 1) {
            let left = Node(t: coarse.mesh[k], y: Array(coarse.values[(k * n)..<((k + 1) * n)]),
                            f: Array(coarse.slopes[(k * n)..<((k + 1) * n)]))
            let right = Node(t: coarse.mesh[k + 1], y: Array(coarse.values[((k + 1) * n)..<((k + 2) * n)]),
                             f: Array(coarse.slopes[((k + 1) * n)..<((k + 2) * n)]))
            guard let next = refine(left, right, referenceLeft: referenceLeft, depth: 0, into: &trajectory) else {
                trajectory.errorEstimate = .infinity
                // Keep the unverified remainder of the coarse trajectory as the output.
                for j in (k + 1)..<coarse.mesh.count where coarse.mesh[j] > trajectory.mesh[trajectory.mesh.count - 1] {
                    trajectory.mesh.append(coarse.mesh[j])
                    trajectory.values += coarse.values[(j * n)..<((j + 1) * n)]
                    trajectory.slopes += coarse.slopes[(j * n)..<((j + 1) * n)]
                }
                return
            }
            referenceLeft = next
        }
    }

    private struct Node {
        let t: Double
        let y: [Double]
        let f: [Double]
    }

    /// Appends the output nodes of (left.t, right.t] and returns the reference value at right.t (nil
    /// when the reference integration failed). `referenceLeft` is the reference value at left.t.
    private func refine(_ left: Node, _ right: Node, referenceLeft: [Double], depth: Int,
                        into trajectory: inout ShootingTrajectory) -> [Double]? {
        let n = problem.dimension
        let tm = 0.5 * (left.t + right.t), h = right.t - left.t
        var referenceMiddle = referenceLeft
        guard integrateReference(&referenceMiddle, from: left.t, to: tm) else { return nil }
        var referenceRight = referenceMiddle
        guard integrateReference(&referenceRight, from: tm, to: right.t) else { return nil }
        var middle = [Double](repeating: 0, count: n)
        for i in 0..<n { middle[i] = 0.5 * (left.y[i] + right.y[i]) + 0.125 * h * (left.f[i] - right.f[i]) }
        let middleError = Self.relativeDifference(middle, 0, referenceMiddle, 0, n)
        let leftError = Self.relativeDifference(left.y, 0, referenceLeft, 0, n)
        let rightError = Self.relativeDifference(right.y, 0, referenceRight, 0, n)
        // Bisect while the interpolation error dominates: the midpoint is more than twice as far off as
        // both nodes and `resolution` (below the nodes' error bisection cannot help).
        if middleError > 2 * max(leftError, rightError, resolution) && depth < 40
            && trajectory.mesh.count < maxNodes && tm > left.t && tm < right.t {
            var slope = [Double](repeating: 0, count: n)
            referenceMiddle.withUnsafeBufferPointer { y in
                slope.withUnsafeMutableBufferPointer { problem.field(tm, y.baseAddress!, $0.baseAddress!) }
            }
            let inserted = Node(t: tm, y: referenceMiddle, f: slope)
            guard refine(left, inserted, referenceLeft: referenceLeft, depth: depth + 1, into: &trajectory) != nil else { return nil }
            return refine(inserted, right, referenceLeft: referenceMiddle, depth: depth + 1, into: &trajectory)
        }
        trajectory.errorEstimate = max(trajectory.errorEstimate, richardson * max(middleError, rightError))
        trajectory.mesh.append(right.t)
        trajectory.values += right.y
        trajectory.slopes += right.f
        return referenceRight
    }

    private func integrateReference(_ y: inout [Double], from t0: Double, to t1: Double) -> Bool {
        reference.resetFailure()
        y.withUnsafeMutableBufferPointer { reference.propagate($0.baseAddress!, phi: nil, from: t0, to: t1) }
        return !reference.failed && y.allSatisfy { $0.isFinite }
    }

    /// The cubic Hermite output at the midpoint of interval k.
    private static func hermiteMidpoint(_ trajectory: ShootingTrajectory, _ k: Int, into middle: inout [Double]) {
        let n = trajectory.dimension
        let h = trajectory.mesh[k + 1] - trajectory.mesh[k]
        for i in 0..<n {
            let y0 = trajectory.values[k * n + i], y1 = trajectory.values[(k + 1) * n + i]
            let f0 = trajectory.slopes[k * n + i], f1 = trajectory.slopes[(k + 1) * n + i]
            middle[i] = 0.5 * (y0 + y1) + 0.125 * h * (f0 - f1)
        }
    }

    /// max_i |a_i − b_i| / (1 + |b_i|) over n values from the given offsets (+∞ for NaN).
    static func relativeDifference(_ a: [Double], _ aOffset: Int, _ b: [Double], _ bOffset: Int, _ n: Int) -> Double {
        var worst = 0.0
        for i in 0..<n {
            let d = abs(a[aOffset + i] - b[bOffset + i]) / (1 + abs(b[bOffset + i]))
            if !(d <= worst) { worst = d.isNaN ? .infinity : d }
        }
        return worst
    }
}
