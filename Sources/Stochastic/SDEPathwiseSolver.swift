import NumericCore

/// A `StochasticDifferentialEquation` with a `StochasticScheme`, as a `PathwiseSolver` for convergence
/// studies: `solve(on:resolution:)` integrates X(t0) → X(t0 + T) with `resolution.steps` steps on the
/// sums of the path's fine increments (`BrownianPath.increments(steps:)`). `resolution.modes` is
/// ignored (an SDE has no modes). Cost per call: steps × (one drift and diffusion evaluation, plus the
/// derivative for Milstein) and one increments array of steps × m values.
public struct SDEPathwiseSolver<Problem: StochasticDifferentialEquation>: PathwiseSolver {
    public let problem: Problem
    public let scheme: StochasticScheme

    /// Throws `InvalidArgument` if `scheme` cannot be used for `problem` (`StochasticScheme.validate(for:)`,
    /// which also checks a Milstein derivative numerically).
    public init(_ problem: Problem, scheme: StochasticScheme) throws {
        try scheme.validate(for: problem)
        self.problem = problem
        self.scheme = scheme
    }

    public var wienerDimension: Int { problem.wienerDimension }
    public var horizon: Double { problem.horizon }

    /// X_h(t0 + T) on `path` with `resolution.steps` steps, or nil if the state became non-finite, the
    /// path's dimension is not m, or `resolution.steps` does not divide the path's steps.
    /// (`@inlinable` so that the stepping loop is specialised to the caller's problem type.)
    @inlinable
    public func solve(on path: BrownianPath, resolution: StudyResolution) -> [Double]? {
        guard path.dimension == problem.wienerDimension, let increments = try? path.increments(steps: resolution.steps) else {
            return nil
        }
        let workspace = SDEWorkspace(for: problem)
        for i in 0..<problem.dimension { workspace.state[i] = problem.initialValue[i] }
        increments.withUnsafeBufferPointer { dW in
            SDEStepper.integrate(problem, scheme: scheme, increments: dW.baseAddress!, steps: resolution.steps,
                                 stepSize: problem.horizon / Double(resolution.steps), startTime: problem.initialTime,
                                 workspace: workspace)
        }
        return workspace.failedStep[0] == 0 ? Array(workspace.state) : nil
    }
}
