import NumericCore

/// The ensemble's loop for scalar problems (n = m = 1) without a Milstein correction: a block of paths
/// advanced together, step by step, with their increments drawn a few rows at a time (Notes/sde-schemes.md,
/// "The interleaved loop").
///
/// One path alone is latency-bound when the drift and diffusion are opaque calls (closures of an
/// `SDEProblem`): each step stores x, calls the drift and the diffusion, which read x and write their
/// results to memory, and loads the results back, a chain of about 25 cycles that nothing overlaps.
/// Advancing `workspace.paths` independent paths in turn lets the processor overlap their chains. Each
/// path draws its variates from its own stream into a per-path row of `rowsPerRefill` increments (the
/// same variates in the same order as `BrownianPath` and `integrateDrawing`), and the arithmetic of
/// every step is `integrateDrawing`'s, so the final states are bitwise those of the other loops.
extension SDEStepper {
    /// Rows of increments drawn per refill of each path's row buffer.
    public static let rowsPerRefill = 64

    /// Advances the `workspace.paths` scalar states in `workspace.state` by `steps` steps of size h,
    /// path p drawing its increments from `streams[p]`; `rows` holds at least paths × `rowsPerRefill`
    /// values. Afterwards `workspace.failedStep[p]` is 1 if path p's final state is not finite (the caller
    /// reruns it with `integrate`, as after `integrateDrawing`), else 0. Requires n = m = 1,
    /// `drawsIncrements(problem, scheme: scheme)` and a validated scheme.
    /// Cost per step and path: one drift and one diffusion evaluation, one variate; no allocation.
    @inlinable
    public static func integrateDrawingInterleaved<Problem: StochasticDifferentialEquation>(
        _ problem: Problem, scheme: StochasticScheme, streams: UnsafeMutableBufferPointer<XoshiroRandomStream>, steps: Int,
        stepSize h: Double, startTime: Double, workspace: SDEWorkspace, rows: UnsafeMutableBufferPointer<Double>
    ) {
        let block = workspace.paths
        let hasLinear = prepareLinearPart(problem, scheme: scheme, stepSize: h, workspace: workspace)
        // As in `integrateDrawing`: a factor equal to 1 is not multiplied (x·1 = x exactly).
        let s0 = hasLinear ? workspace.explicitScale[0] : 1, v0 = hasLinear ? workspace.implicitInverse[0] : 1
        let state = workspace.state.baseAddress!, drift = workspace.drift.baseAddress!
        let diffusion = workspace.diffusion.baseAddress!, dc = workspace.diffusionCount
        let root = h.squareRoot(), refill = rowsPerRefill
        var first = 0
        while first < steps {
            let count = min(refill, steps - first)
            for p in 0..<block {
                streams[p].fillGaussian(UnsafeMutableBufferPointer(rebasing: rows[(p &* refill)..<(p &* refill &+ count)]),
                                        standardDeviation: root)
            }
            for k in 0..<count {
                let t = startTime + Double(first + k) * h
                for p in 0..<block {
                    let x = UnsafeBufferPointer(start: state + p, count: 1)
                    let a = UnsafeMutableBufferPointer(start: drift + p, count: 1)
                    let b = UnsafeMutableBufferPointer(start: diffusion + p &* dc, count: dc)
                    problem.drift(t, x, a)
                    problem.diffusion(t, x, b)
                    let increment = a[0] * h + b[0] * rows[p &* refill &+ k]
                    let value = state[p]
                    if v0 != 1 {
                        state[p] = (s0 * value + increment) * v0
                    } else if s0 != 1 {
                        state[p] = s0 * value + increment
                    } else {
                        state[p] = value + increment
                    }
                }
            }
            first += count
        }
        for p in 0..<block { workspace.failedStep[p] = state[p].isFinite ? 0 : 1 }
    }
}
