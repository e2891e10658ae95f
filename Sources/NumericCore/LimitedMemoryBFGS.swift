/// Minimises a smooth f: Rⁿ → R by the limited-memory BFGS method (Nocedal & Wright, Numerical
/// Optimization, Alg. 7.4–7.5) with a weak Wolfe line search by bracketing and bisection
/// (Lewis & Overton 2013): sufficient decrease f(u + s d) ≤ f(u) + c₁ s ∇f·d and curvature
/// ∇f(u + s d)·d ≥ c₂ ∇f·d, c₁ = 1e-4, c₂ = 0.9, so every stored pair has sᵀy > 0 and the inverse
/// Hessian approximation stays positive definite. Where the decrease is below the rounding of f,
/// the approximate Wolfe conditions of Hager & Zhang are accepted instead, so gradients far below
/// √ε·|f| can be reached.
///
/// Convergence: global for convex f with Lipschitz ∇f (Liu & Nocedal 1989); for nonconvex f there is
/// no general guarantee (there are counterexamples for BFGS), but every accepted step decreases f and
/// in practice the iterates approach a stationary point, linearly or faster near a nondegenerate minimum.
/// Cost per iteration O(m n) besides the evaluations (about one per iteration after the first few).
/// Status, not a crash, on a non-finite value or a failed line search; the result is then the last
/// accepted point.
public struct LimitedMemoryBFGS: Sendable {
    public enum Status: String, Sendable {
        /// max|∇f| ≤ gradientTolerance · max(1, |f|).
        case converged
        case iterationLimit
        /// No step satisfying the Wolfe conditions was found within 60 trials: f at its floating-point
        /// floor along the direction, f unbounded below along it, or every trial point non-finite.
        case lineSearchFailed
        /// f or ∇f was not finite at the start.
        case nonFinite
    }

    public struct Result: Sendable {
        public let point: [Double]
        public let value: Double
        public let gradientNorm: Double
        public let iterations: Int
        public let evaluations: Int
        public let status: Status
    }

    /// The Wolfe constants c₁ (sufficient decrease) and c₂ (curvature).
    static let sufficientDecrease = 1e-4, curvature = 0.9

    /// Stored correction pairs m.
    public var memory: Int
    public var gradientTolerance: Double
    public var maximumIterations: Int

    /// Throws `InvalidArgument` for memory < 1, a non-positive tolerance or maximumIterations < 1.
    public init(memory: Int = 10, gradientTolerance: Double = 1e-8, maximumIterations: Int = 1000) throws {
        try Validate.positive(memory, "memory")
        try Validate.positive(gradientTolerance, "gradientTolerance")
        try Validate.positive(maximumIterations, "maximumIterations")
        self.memory = memory
        self.gradientTolerance = gradientTolerance
        self.maximumIterations = maximumIterations
    }

    /// Minimises from `start`. `evaluate(u, g)` returns f(u) and writes ∇f(u) into g (g has n entries).
    /// `progress(iteration, f, max|∇f|)` is called after every accepted step.
    public func minimize(start: [Double], evaluate: (_ u: [Double], _ g: inout [Double]) -> Double,
                         progress: ((Int, Double, Double) -> Void)? = nil) -> Result {
        let n = start.count
        var u = start, g = [Double](repeating: 0, count: n)
        var f = evaluate(u, &g)
        var evaluations = 1
        func norm(_ v: [Double]) -> Double { v.reduce(0) { max($0, abs($1)) } }
        var gNorm = norm(g)
        guard f.isFinite, gNorm.isFinite else {
            return Result(point: u, value: f, gradientNorm: gNorm, iterations: 0, evaluations: 1, status: .nonFinite)
        }
        var sPairs = [[Double]](), yPairs = [[Double]](), rho = [Double]()
        var direction = [Double](repeating: 0, count: n), alpha = [Double](repeating: 0, count: memory)
        var trial = u, trialGradient = g
        var iteration = 0
        while true {
            if gNorm <= gradientTolerance * max(1, abs(f)) {
                return Result(point: u, value: f, gradientNorm: gNorm, iterations: iteration, evaluations: evaluations, status: .converged)
            }
            if iteration >= maximumIterations {
                return Result(point: u, value: f, gradientNorm: gNorm, iterations: iteration, evaluations: evaluations, status: .iterationLimit)
            }
            // Two-loop recursion: direction = −H∇f, H₀ = (sᵀy / yᵀy) I.
            for i in 0..<n { direction[i] = -g[i] }
            for j in stride(from: sPairs.count - 1, through: 0, by: -1) {
                var dot = 0.0
                for i in 0..<n { dot += sPairs[j][i] * direction[i] }
                alpha[j] = rho[j] * dot
                for i in 0..<n { direction[i] -= alpha[j] * yPairs[j][i] }
            }
            var scale = 1.0 / max(gNorm, 1)
            if let s = sPairs.last, let y = yPairs.last {
                var yy = 0.0, sy = 0.0
                for i in 0..<n { yy += y[i] * y[i]; sy += s[i] * y[i] }
                scale = sy / yy
            }
            for i in 0..<n { direction[i] *= scale }
            for j in 0..<sPairs.count {
                var dot = 0.0
                for i in 0..<n { dot += yPairs[j][i] * direction[i] }
                let beta = rho[j] * dot
                for i in 0..<n { direction[i] += (alpha[j] - beta) * sPairs[j][i] }
            }
            var slope = 0.0
            for i in 0..<n { slope += g[i] * direction[i] }
            if !(slope < 0) {
                // Not a descent direction (rounding): restart from steepest descent.
                sPairs.removeAll(); yPairs.removeAll(); rho.removeAll()
                for i in 0..<n { direction[i] = -g[i] / max(gNorm, 1) }
                slope = 0
                for i in 0..<n { slope += g[i] * direction[i] }
            }
            // Weak Wolfe line search: bracket [low, high], expand ×2 until bracketed, then bisect.
            let c1 = Self.sufficientDecrease, c2 = Self.curvature
            var low = 0.0, high = Double.infinity, step = 1.0
            var accepted = false, trialValue = f
            for _ in 0..<60 {
                for i in 0..<n { trial[i] = u[i] + step * direction[i] }
                trialValue = evaluate(trial, &trialGradient)
                evaluations += 1
                var trialSlope = 0.0
                for i in 0..<n { trialSlope += trialGradient[i] * direction[i] }
                // Near a minimum the decrease c₁ s ∇f·d falls below the rounding of f; there the
                // approximate Wolfe conditions of Hager & Zhang (2005) replace it: f within rounding of
                // f(u) and (2c₁ − 1)∇f·d ≥ ∇f(u + s d)·d ≥ c₂ ∇f·d (the derivative of the cubic model).
                let withinRounding = abs(trialValue - f) <= 1e-14 * max(1, abs(f))
                let approximateWolfe = withinRounding && trialSlope <= (2 * c1 - 1) * slope && trialSlope >= c2 * slope
                if approximateWolfe {
                    accepted = true
                    break
                }
                if !trialValue.isFinite || !trialSlope.isFinite || trialValue > f + c1 * step * slope {
                    high = step
                } else if trialSlope < c2 * slope {
                    low = step
                } else {
                    accepted = true
                    break
                }
                step = high.isFinite ? 0.5 * (low + high) : 2 * low
            }
            guard accepted else {
                return Result(point: u, value: f, gradientNorm: gNorm, iterations: iteration, evaluations: evaluations,
                              status: .lineSearchFailed)
            }
            // The new pair reuses the oldest one's storage once the memory is full.
            var s = sPairs.count == memory ? sPairs.removeFirst() : [Double](repeating: 0, count: n)
            var y = yPairs.count == memory ? yPairs.removeFirst() : [Double](repeating: 0, count: n)
            if rho.count == memory { rho.removeFirst() }
            var sy = 0.0
            for i in 0..<n {
                s[i] = trial[i] - u[i]
                y[i] = trialGradient[i] - g[i]
                sy += s[i] * y[i]
            }
            swap(&u, &trial)
            swap(&g, &trialGradient)
            f = trialValue
            gNorm = norm(g)
            iteration += 1
            if sy > 0 {
                sPairs.append(s); yPairs.append(y); rho.append(1 / sy)
            }
            progress?(iteration, f, gNorm)
        }
    }
}
