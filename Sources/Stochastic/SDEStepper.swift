import NumericCore

/// How the integration of one path ended.
public enum PathStatus: Sendable, Equatable, CustomStringConvertible {
    case success
    /// The state became NaN or infinite during step `step` (1-based); the state kept is the last finite one.
    case nonFinite(step: Int)

    public var description: String {
        switch self {
        case .success: return "success"
        case .nonFinite(let step): return "non-finite state at step \(step)"
        }
    }
}

/// The checking stepping loop (single paths, convergence studies, Milstein ensembles, and the rerun of a
/// failed path of the drawing loop in `SDEStepper+DrawingLoop.swift`), specialised for each problem type.
/// Cost per step and path: one drift and one diffusion evaluation (plus one derivative for Milstein)
/// and O(n·m) work (O(n·m²) for Milstein with general commutative noise); no allocation.
public enum SDEStepper {
    /// Advances the `workspace.paths` states in `workspace.state` (X at `startTime`) by `steps` steps of
    /// size h. Path p is driven by the increments at `increments + p·steps·m` (row k = ΔW over step k).
    /// If `record` is given (single-path workspaces only), it receives X at every step, (steps + 1)·n values.
    /// A path whose state becomes non-finite stops at its last finite state, with the step recorded in
    /// `workspace.failedStep`. The scheme must already be validated for the problem.
    @inlinable
    public static func integrate<Problem: StochasticDifferentialEquation>(
        _ problem: Problem, scheme: StochasticScheme, increments: UnsafePointer<Double>, steps: Int,
        stepSize h: Double, startTime: Double, workspace: SDEWorkspace, record: UnsafeMutablePointer<Double>? = nil
    ) {
        let n = problem.dimension, m = problem.wienerDimension, block = workspace.paths
        let dc = workspace.diffusionCount, dd = workspace.derivativeCount
        var milstein = false
        if case .milstein = scheme { milstein = true }
        let hasLinear = prepareLinearPart(problem, scheme: scheme, stepSize: h, workspace: workspace)
        let scale = UnsafePointer(workspace.explicitScale.baseAddress!)
        let inverse = UnsafePointer(workspace.implicitInverse.baseAddress!)
        let failedStep = workspace.failedStep.baseAddress!
        for p in 0..<block { failedStep[p] = 0 }
        if let record { for i in 0..<n { record[i] = workspace.state[i] } }
        let state = workspace.state.baseAddress!, drift = workspace.drift.baseAddress!
        let diffusion = workspace.diffusion.baseAddress!, derivative = workspace.derivative.baseAddress!
        var anyFailed = false
        for k in 0..<steps {
            let t = startTime + Double(k) * h
            for p in 0..<block where !anyFailed || failedStep[p] == 0 {
                // Offsets are below the sizes of buffers already allocated, so wrapping arithmetic is exact.
                let ok = step(problem, x: UnsafeMutableBufferPointer(start: state + p &* n, count: n), t: t, h: h,
                              dW: UnsafeBufferPointer(start: increments + (p &* steps &+ k) &* m, count: m),
                              drift: UnsafeMutableBufferPointer(start: drift + p &* n, count: n),
                              diffusion: UnsafeMutableBufferPointer(start: diffusion + p &* dc, count: dc),
                              derivative: UnsafeMutableBufferPointer(start: derivative + p &* dd, count: dd),
                              linearScale: hasLinear ? scale : nil, linearInverse: inverse, milstein: milstein)
                if !ok {
                    failedStep[p] = k + 1
                    anyFailed = true
                }
            }
            if let record { for i in 0..<n { record[(k + 1) * n + i] = state[i] } }
        }
    }

    /// Sets the θ-method factors 1 + (1 − θ)hL_i and 1/(1 − θhL_i) of the diagonal linear part in
    /// `workspace` (θ = 0 for the explicit schemes); returns false if the problem has no linear part.
    @inlinable
    static func prepareLinearPart<Problem: StochasticDifferentialEquation>(
        _ problem: Problem, scheme: StochasticScheme, stepSize h: Double, workspace: SDEWorkspace
    ) -> Bool {
        guard let linear = problem.linearPart else { return false }
        var theta = 0.0
        if case .semiImplicit(let value) = scheme { theta = value }
        for i in 0..<problem.dimension {
            workspace.explicitScale[i] = 1 + (1 - theta) * h * linear[i]
            workspace.implicitInverse[i] = 1 / (1 - theta * h * linear[i])
        }
        return true
    }

    /// One step of one path in place; returns false (leaving x unchanged) if the new state is not finite.
    @inlinable @inline(__always)
    static func step<Problem: StochasticDifferentialEquation>(
        _ problem: Problem, x: UnsafeMutableBufferPointer<Double>, t: Double, h: Double, dW: UnsafeBufferPointer<Double>,
        drift a: UnsafeMutableBufferPointer<Double>, diffusion b: UnsafeMutableBufferPointer<Double>,
        derivative c: UnsafeMutableBufferPointer<Double>, linearScale: UnsafePointer<Double>?,
        linearInverse: UnsafePointer<Double>, milstein: Bool
    ) -> Bool {
        let n = x.count
        let current = UnsafeBufferPointer(x)
        problem.drift(t, current, a)
        problem.diffusion(t, current, b)
        if milstein { problem.diffusionDerivative(t, current, c) }
        // X_i' for entry i: drift, noise and Milstein terms, then the θ-method on the linear part,
        // X_i' = ((1 + (1 − θ)hL_i) X_i + increment)/(1 − θhL_i).
        @inline(__always) func updated(_ i: Int) -> Double {
            var increment = a[i] * h
            switch problem.noise {
            case .scalar:
                increment += b[i] * dW[0]
                if milstein { increment += 0.5 * c[i] * (dW[0] * dW[0] - h) }
            case .diagonal:
                increment += b[i] * dW[i]
                if milstein { increment += 0.5 * b[i] * c[i] * (dW[i] * dW[i] - h) }
            case .additive(let m):
                for j in 0..<m { increment += b[i &* m &+ j] * dW[j] }
            case .general(let m, _):
                for j in 0..<m { increment += b[i &* m &+ j] * dW[j] }
                if milstein {
                    var correction = 0.0
                    for j1 in 0..<m {
                        for j2 in 0..<m {
                            let product = dW[j1] * dW[j2] - (j1 == j2 ? h : 0)
                            correction += c[(i &* m &+ j1) &* m &+ j2] * product
                        }
                    }
                    increment += 0.5 * correction
                }
            }
            return linearScale.map { ($0[i] * x[i] + increment) * linearInverse[i] } ?? (x[i] + increment)
        }
        if n == 1 {
            let next = updated(0)
            guard next.isFinite else { return false }
            x[0] = next
            return true
        }
        // The new state is built entry by entry in the drift buffer (a_i is read before it is
        // overwritten) and copied back only if every entry is finite.
        var allFinite = true
        for i in 0..<n {
            let next = updated(i)
            allFinite = allFinite && next.isFinite
            a[i] = next
        }
        if !allFinite { return false }
        for i in 0..<n { x[i] = a[i] }
        return true
    }
}
