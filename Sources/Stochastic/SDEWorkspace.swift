/// Preallocated buffers for stepping a block of B paths of an n-dimensional SDE with m Wiener processes:
/// per path a state, drift, diffusion and Milstein-derivative buffer and a status; shared per block the
/// factors of the diagonal linear part. One per worker; never shared between threads.
///
/// Paths in a block are advanced together, one step of every path before the next step, so that the
/// independent recurrences overlap in the processor's pipeline (one path alone is latency-bound).
public final class SDEWorkspace {
    public let paths: Int
    public let dimension: Int
    public let diffusionCount: Int
    public let derivativeCount: Int
    public let state: UnsafeMutableBufferPointer<Double>
    public let drift: UnsafeMutableBufferPointer<Double>
    public let diffusion: UnsafeMutableBufferPointer<Double>
    public let derivative: UnsafeMutableBufferPointer<Double>
    /// 1 + (1 − θ)h L_i and 1/(1 − θ h L_i) for the current step size (set by `SDEStepper`).
    public let explicitScale: UnsafeMutableBufferPointer<Double>
    public let implicitInverse: UnsafeMutableBufferPointer<Double>
    /// Per path: 0 while it runs, else the 1-based step at which its state became non-finite.
    public let failedStep: UnsafeMutableBufferPointer<Int>
    /// One row of Wiener increments (m entries), drawn step by step by `SDEStepper.integrateDrawing`.
    public let increment: UnsafeMutableBufferPointer<Double>

    public init<Problem: StochasticDifferentialEquation>(for problem: Problem, paths: Int = 1) {
        let n = problem.dimension
        self.paths = max(1, paths)
        dimension = n
        diffusionCount = max(1, problem.noise.diffusionCount(stateDimension: n))
        derivativeCount = max(1, problem.noise.derivativeCount(stateDimension: n))
        state = .allocate(capacity: self.paths * n)
        drift = .allocate(capacity: self.paths * n)
        diffusion = .allocate(capacity: self.paths * diffusionCount)
        derivative = .allocate(capacity: self.paths * derivativeCount)
        explicitScale = .allocate(capacity: n)
        implicitInverse = .allocate(capacity: n)
        failedStep = .allocate(capacity: self.paths)
        increment = .allocate(capacity: max(1, problem.wienerDimension))
        for buffer in [state, drift, diffusion, derivative, explicitScale, implicitInverse, increment] { buffer.initialize(repeating: 0) }
        failedStep.initialize(repeating: 0)
    }

    deinit {
        for buffer in [state, drift, diffusion, derivative, explicitScale, implicitInverse, increment] { buffer.deallocate() }
        failedStep.deallocate()
    }

    /// Path p's state (n entries).
    @inlinable public func state(of p: Int) -> UnsafeMutableBufferPointer<Double> {
        UnsafeMutableBufferPointer(rebasing: state[(p * dimension)..<((p + 1) * dimension)])
    }
}
