import NumericCore

/// One path of an SDE solved on a uniform grid: values at every step, the path's identity (seed, index)
/// that reproduces it, status and counts.
public struct SDESolution: Sendable {
    public let times: [Double]
    /// (steps + 1) × n values, row k = X at times[k].
    public let values: [Double]
    public let dimension: Int
    public let status: PathStatus
    public let seed: UInt64
    public let pathIndex: UInt64
    public let scheme: StochasticScheme
    /// Steps actually completed (all of them on success) and drift evaluations (one per step).
    public let completedSteps: Int

    @usableFromInline
    init(times: [Double], values: [Double], dimension: Int, status: PathStatus, seed: UInt64, pathIndex: UInt64,
         scheme: StochasticScheme, completedSteps: Int) {
        self.times = times
        self.values = values
        self.dimension = dimension
        self.status = status
        self.seed = seed
        self.pathIndex = pathIndex
        self.scheme = scheme
        self.completedSteps = completedSteps
    }

    /// X at time index k.
    public func state(at k: Int) -> ArraySlice<Double> { values[(k * dimension)..<((k + 1) * dimension)] }

    /// The final state reached (the last finite one if the status is not success).
    public var finalState: [Double] { Array(state(at: completedSteps)) }

    /// Dense output: piecewise-linear interpolation of the grid values at any t in [times.first, times.last]
    /// (clamped outside). Between grid points this is the conditional mean of the scheme's path given the
    /// two grid values only for additive noise; it is meant for plotting and for evaluating functionals.
    public func value(at t: Double) -> [Double] {
        let last = completedSteps
        guard last > 0, let first = times.first else { return Array(state(at: 0)) }
        let h = times[1] - first
        let position = min(max((t - first) / h, 0), Double(last))
        let k = min(Int(position), last - 1)
        let w = position - Double(k)
        return (0..<dimension).map { i in (1 - w) * values[k * dimension + i] + w * values[(k + 1) * dimension + i] }
    }
}

/// Solves one path of `problem` with `scheme` driven by `path` on a grid of `steps` steps (steps must
/// divide the path's fine steps; the path's duration must equal the problem's horizon).
/// Throws `InvalidArgument` for an unusable scheme (Milstein with non-commutative noise), mismatched
/// dimensions or grids. Numerical blow-up is reported in `status`, not thrown.
/// (`@inlinable` so that callers in other modules get a stepping loop specialised to their problem type.)
/// Cost: the checking loop's (`SDEStepper.integrate`) plus the increments and the (steps + 1) × n values it
/// stores; for many paths of the final state only, an `Ensemble` is several times faster.
@inlinable
public func solve<Problem: StochasticDifferentialEquation>(
    _ problem: Problem, _ scheme: StochasticScheme, path: BrownianPath, steps: Int
) throws -> SDESolution {
    try scheme.validate(for: problem)
    try Validate.count(path.dimension, problem.wienerDimension, "path.dimension")
    guard abs(path.duration - problem.horizon) <= 1e-12 * problem.horizon else {
        throw InvalidArgument("path.duration", path.duration, "must equal the problem's horizon \(problem.horizon)")
    }
    let increments = try path.increments(steps: steps)
    let n = problem.dimension, h = problem.horizon / Double(steps)
    let workspace = SDEWorkspace(for: problem)
    for i in 0..<n { workspace.state[i] = problem.initialValue[i] }
    var values = [Double](repeating: 0, count: (steps + 1) * n)
    values.withUnsafeMutableBufferPointer { record in
        increments.withUnsafeBufferPointer { dW in
            SDEStepper.integrate(problem, scheme: scheme, increments: dW.baseAddress!, steps: steps, stepSize: h,
                                 startTime: problem.initialTime, workspace: workspace, record: record.baseAddress)
        }
    }
    let failedStep = workspace.failedStep[0]
    let status: PathStatus = failedStep == 0 ? .success : .nonFinite(step: failedStep)
    let completed = failedStep == 0 ? steps : failedStep - 1
    let times = (0...steps).map { problem.initialTime + Double($0) * h }
    return SDESolution(times: times, values: values, dimension: n, status: status, seed: path.seed,
                       pathIndex: path.index, scheme: scheme, completedSteps: completed)
}
