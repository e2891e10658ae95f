import NumericCore

/// The ensemble's loop for scalar problems (n = m = 1) whose coefficients are evaluated elementwise over
/// a block of states (`StochasticDifferentialEquation.evaluatesElementwise`, e.g. an `SDEProblem` built
/// with `elementwise: true`), without a Milstein correction (Notes/sde-schemes.md, "The elementwise loop").
///
/// A closure-defined drift and diffusion are opaque calls that the optimiser cannot inline: about 3 ns
/// per step for the two calls, on top of about 4.5 ns for the variate and the update (Experiments/bench-sde).
/// Here one drift and one diffusion call advance a whole block of B paths by one step, so the calls cost
/// 1/B as much per path. Each path draws its variates from its own stream, `rowsPerRefill` at a time
/// into its own row (the variates of `BrownianPath`, in order), and every update is the arithmetic of
/// `integrateDrawing`, so the final states are bitwise those of the other loops (given a closure that
/// computes each element as it would alone).
extension SDEStepper {
    /// Rows of increments drawn per refill of each path's row buffer.
    public static let rowsPerRefill = 64
    /// Paths advanced together by the elementwise loop.
    public static let elementwiseBlock = 32

    /// Advances the `workspace.paths` scalar states in `workspace.state` by `steps` steps of size h, path
    /// p drawing its increments from `streams[p]`; `rows` holds at least paths × `rowsPerRefill` values.
    /// Afterwards `workspace.failedStep[p]` is 1 if path p's final state is not finite (the caller reruns
    /// it with `integrate`, as after `integrateDrawing`), else 0. Requires n = m = 1,
    /// `problem.evaluatesElementwise`, `drawsIncrements(problem, scheme: scheme)` and a validated scheme.
    /// Cost per step: one drift and one diffusion call for the block, one variate and one update per path.
    @inlinable
    public static func integrateDrawingElementwise<Problem: StochasticDifferentialEquation>(
        _ problem: Problem, scheme: StochasticScheme, streams: UnsafeMutableBufferPointer<XoshiroRandomStream>, steps: Int,
        stepSize h: Double, startTime: Double, workspace: SDEWorkspace, rows: UnsafeMutableBufferPointer<Double>
    ) {
        let block = workspace.paths
        let hasLinear = prepareLinearPart(problem, scheme: scheme, stepSize: h, workspace: workspace)
        // As in `integrateDrawing`: a factor equal to 1 is not multiplied (x·1 = x exactly).
        let s0 = hasLinear ? workspace.explicitScale[0] : 1, v0 = hasLinear ? workspace.implicitInverse[0] : 1
        let state = workspace.state.baseAddress!, a = workspace.drift.baseAddress!, b = workspace.diffusion.baseAddress!
        let states = UnsafeBufferPointer(start: state, count: block)
        let drifts = UnsafeMutableBufferPointer(start: a, count: block)
        let diffusions = UnsafeMutableBufferPointer(start: b, count: block)
        let root = h.squareRoot(), refill = rowsPerRefill, dW = rows.baseAddress!
        var first = 0
        while first < steps {
            let count = min(refill, steps - first)
            for p in 0..<block {
                streams[p].fillGaussian(UnsafeMutableBufferPointer(rebasing: rows[(p &* refill)..<(p &* refill &+ count)]),
                                        standardDeviation: root)
            }
            for k in 0..<count {
                let t = startTime + Double(first + k) * h
                problem.drift(t, states, drifts)
                problem.diffusion(t, states, diffusions)
                if v0 != 1 {
                    for p in 0..<block { state[p] = (s0 * state[p] + (a[p] * h + b[p] * dW[p &* refill &+ k])) * v0 }
                } else if s0 != 1 {
                    for p in 0..<block { state[p] = s0 * state[p] + (a[p] * h + b[p] * dW[p &* refill &+ k]) }
                } else {
                    for p in 0..<block { state[p] = state[p] + (a[p] * h + b[p] * dW[p &* refill &+ k]) }
                }
            }
            first += count
        }
        for p in 0..<block { workspace.failedStep[p] = state[p].isFinite ? 0 : 1 }
    }
}
