import NumericCore

/// The ensemble's fast path: one path advanced while its Wiener increments are drawn, for the schemes
/// without a Milstein correction (Notes/sde-schemes.md, "The drawing loop").
///
/// Compared with `integrate`, the loop is specialised per noise structure outside the step loop, each
/// row of m increments is used as soon as `XoshiroRandomStream.foldGaussianRows` draws it (no
/// steps × m buffer), and finiteness is checked once at the end of the path instead of at every step.
/// That is exact because a non-finite entry is absorbing under these updates: with x_i = ±∞ or NaN,
/// x_i + c and (s_i x_i + c)·v_i (s_i, v_i the finite θ-factors, v_i ≠ 0) are ±∞ or NaN for any c, so a
/// finite final state means every intermediate state was finite. The arithmetic of each entry is the
/// one `integrate` performs, in the same order, so both loops give bitwise the same final state.
extension SDEStepper {
    /// Whether `integrateDrawing` handles `scheme` on `problem`: Euler–Maruyama and the θ-method for
    /// every noise structure, and Milstein for additive noise (where it has no correction term).
    @inlinable
    public static func drawsIncrements<Problem: StochasticDifferentialEquation>(
        _ problem: Problem, scheme: StochasticScheme
    ) -> Bool {
        guard case .milstein = scheme else { return true }
        if case .additive = problem.noise { return true }
        return false
    }

    /// Advances the state `x` (n entries, X at `startTime`) by `steps` steps of size h, drawing step k's
    /// increments as the next m variates of `stream` times √h (row k of `BrownianPath`'s layout), so the
    /// result is bitwise the one of `integrate` on the increments `stream.fillGaussian` would give.
    /// Cost per step: one drift and one diffusion evaluation, m variates and O(n·m) work; no allocation.
    ///
    /// Returns true if the final state is finite (then every step was). Returns false if it is not: x then
    /// holds non-finite entries, and the caller reruns the path with `integrate`, which stops at the last
    /// finite state and records the failing step. Drift and diffusion may therefore be evaluated at
    /// non-finite states of a failing path. Requires `drawsIncrements(problem, scheme: scheme)` and a
    /// scheme validated for the problem; `workspace` must be a one-path workspace for `problem`.
    @inlinable
    public static func integrateDrawing<Problem: StochasticDifferentialEquation>(
        _ problem: Problem, scheme: StochasticScheme, stream: inout XoshiroRandomStream, steps: Int, stepSize h: Double,
        startTime: Double, state x: UnsafeMutableBufferPointer<Double>, workspace: SDEWorkspace
    ) -> Bool {
        let n = x.count, m = problem.wienerDimension
        let hasLinear = prepareLinearPart(problem, scheme: scheme, stepSize: h, workspace: workspace)
        let scale = UnsafePointer(workspace.explicitScale.baseAddress!)
        let inverse = UnsafePointer(workspace.implicitInverse.baseAddress!)
        let a = UnsafeMutableBufferPointer(rebasing: workspace.drift[0..<n])
        let b = UnsafeMutableBufferPointer(rebasing: workspace.diffusion[0..<workspace.diffusionCount])
        let row = UnsafeMutableBufferPointer(rebasing: workspace.increment[0..<m])
        let dW = UnsafeBufferPointer(row)
        let current = UnsafeBufferPointer(x)
        // x_i ← (s_i x_i + increment)·v_i with the linear part, x_i + increment without: as in `step`.
        @inline(__always) func advance(_ i: Int, _ increment: Double) {
            x[i] = hasLinear ? (scale[i] * x[i] + increment) * inverse[i] : x[i] + increment
        }
        let root = h.squareRoot()
        if n == 1 && m == 1 {
            // One entry, one Wiener process (every noise structure reduces to x' = x + a h + b ΔW): the state
            // is carried in a register and only stored for the drift and diffusion to read, so the
            // recurrence's latency chain is the update alone; the θ-factors are loop constants.
            // Without a linear part the factors are s = v = 1 (x·1 = x exactly, so `integrate`'s
            // x + increment is (s·x + increment)·v); an explicit scheme has v = 1/(1 − 0) = 1 exactly,
            // and multiplying by it is skipped, which shortens the chain and leaves every bit unchanged.
            let s0 = hasLinear ? scale[0] : 1, v0 = hasLinear ? inverse[0] : 1
            @inline(__always) func run(_ update: (_ value: Double, _ increment: Double) -> Double) -> Double {
                stream.foldGaussianRows(row, rows: steps, standardDeviation: root, from: x[0]) { k, value in
                    let t = startTime + Double(k) * h
                    x[0] = value
                    problem.drift(t, current, a)
                    problem.diffusion(t, current, b)
                    return update(value, a[0] * h + b[0] * dW[0])
                }
            }
            let value: Double
            if v0 != 1 {
                value = run { (s0 * $0 + $1) * v0 }
            } else if s0 != 1 {
                value = run { s0 * $0 + $1 }
            } else {
                value = run { $0 + $1 }
            }
            x[0] = value
            return value.isFinite
        }
        switch problem.noise {
        case .scalar:
            stream.foldGaussianRows(row, rows: steps, standardDeviation: root, from: ()) { k, _ in
                let t = startTime + Double(k) * h
                problem.drift(t, current, a)
                problem.diffusion(t, current, b)
                for i in 0..<n { advance(i, a[i] * h + b[i] * dW[0]) }
            }
        case .diagonal:
            stream.foldGaussianRows(row, rows: steps, standardDeviation: root, from: ()) { k, _ in
                let t = startTime + Double(k) * h
                problem.drift(t, current, a)
                problem.diffusion(t, current, b)
                for i in 0..<n { advance(i, a[i] * h + b[i] * dW[i]) }
            }
        case .additive, .general:
            stream.foldGaussianRows(row, rows: steps, standardDeviation: root, from: ()) { k, _ in
                let t = startTime + Double(k) * h
                problem.drift(t, current, a)
                problem.diffusion(t, current, b)
                for i in 0..<n {
                    var increment = a[i] * h
                    for j in 0..<m { increment += b[i &* m &+ j] * dW[j] }
                    advance(i, increment)
                }
            }
        }
        for i in 0..<n where !x[i].isFinite { return false }
        return true
    }
}
