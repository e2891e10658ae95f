import Dispatch
import Foundation
import NumericCore

/// Advances one path of a `SemilinearSPDE` with a `SPDEScheme` on a `SpectralGrid`, step Δτ. Holds its
/// own workspace (allocated once): one stepper per worker thread (Notes/spde-schemes.md).
///
/// Cost per step, P points, m components: O(mP) for the linear part and additive noise; one inverse
/// (the state at the nodes) and one forward transform per component for F (plus one inverse per
/// requested derivative); with multiplicative noise the state's inverse (also without F), one more
/// inverse (the noise field) and one forward (g(u)·ΔW^Q).
/// No allocation per step, except that a sum of nonlinearities (`+`) takes a temporary buffer of the
/// field's size per evaluation (on the stack when it fits).
public final class SPDEStepper {
    public let problem: SemilinearSPDE
    public let grid: SpectralGrid
    public let scheme: SPDEScheme
    public let timeStep: Double
    /// Steps taken since the last `reset`.
    public internal(set) var stepCount = 0
    /// Seconds spent in transforms (measured only when `timingTransforms` is set).
    public var timingTransforms = false
    public private(set) var transformSeconds = 0.0

    /// Per coefficient (grid layout): the factors of û, of F̂ and of the additive noise (with √q).
    /// `driftFactor` includes the grid's forward scaling: F is transformed by FFTW without it.
    let stateFactor: [Double]
    let driftFactor: [Double]
    let noiseFactor: [Double]
    /// √q per coefficient (0 where the noise does not act, including dealiased modes).
    let noiseRoot: [Double]
    /// Coefficient index of noise increment k (increments come in mode order: c·P + j_y·n_x + j_x).
    let noiseTarget: [Int]
    /// Σ_k q_k e_k(x)² at each node and component (Milstein only).
    let noiseVariance: [Double]
    let dealiasMask: [Bool]?
    /// True when noise increment k drives coefficient k (every basis but the periodic one).
    let noiseInPlace: Bool
    /// Field coefficients (grid.count) and all unknowns (field and `SPDEGlobals`, which follow it).
    let count: Int
    let total: Int
    /// The state and the next state (swapped after each accepted step).
    var state: UnsafeMutablePointer<Double>
    var next: UnsafeMutablePointer<Double>
    let values: UnsafeMutablePointer<Double>
    let drift: UnsafeMutablePointer<Double>
    let noiseField: UnsafeMutablePointer<Double>
    let product: UnsafeMutablePointer<Double>
    /// ∂x, ∂y and ∆ of the state at the nodes, for the inputs the nonlinearity asked for.
    let derivatives: [UnsafeMutablePointer<Double>?]
    let positionX: UnsafeMutablePointer<Double>
    let positionY: UnsafeMutablePointer<Double>

    /// Throws `InvalidArgument` for modes or a time step that are not positive, a Δτ with 1 + Δτμ ≤ 0 for
    /// some mode (semi-implicit schemes with a growing mode), Milstein without multiplicative noise or
    /// without g′, a g′ that disagrees with finite differences of g, or a negative noise eigenvalue.
    public init(_ problem: SemilinearSPDE, modes: [Int], scheme: SPDEScheme, timeStep: Double) throws {
        try Validate.positive(timeStep, "timeStep")
        for (i, m) in modes.enumerated() { try Validate.positive(m, i == 0 ? "modes" : "modes-y") }
        let grid = try problem.grid(modes: modes)
        self.problem = problem
        self.grid = grid
        self.scheme = scheme
        self.timeStep = timeStep
        let field = grid.count, dt = timeStep, g = problem.globalCount
        let n = field + g
        count = field
        total = n
        // The globals behave like modes with rate λ_g and noise scale s_g.
        let mu = problem.rates(on: grid) + [Double](repeating: problem.globals?.decay ?? 0, count: g)
        var root = try problem.noiseEigenvalues(on: grid).map { $0.squareRoot() }
            + (problem.globals?.noiseScales ?? [])
        let mask = problem.nonlinearity?.dealiased == true ? grid.dealiasingMask() : nil
        if let mask { for i in 0..<field where !mask[i % grid.pointCount] { root[i] = 0 } }
        dealiasMask = mask
        noiseRoot = root
        if scheme == .milstein {
            guard let g = problem.noise.multiplicative else {
                throw InvalidArgument("scheme", scheme.rawValue, "needs multiplicative noise (g); for additive noise use semi-implicit, which is then order 1")
            }
            guard g.derivative != nil else { throw InvalidArgument("scheme", scheme.rawValue, "needs the derivative g′ of the multiplicative noise") }
            try Self.checkDerivative(g)
        }
        var a = [Double](repeating: 0, count: n), b = a, c = a
        for i in 0..<n {
            switch scheme {
            case .semiImplicit, .milstein:
                let denominator = 1 + dt * mu[i]
                guard denominator > 0 else {
                    throw InvalidArgument("timeStep", dt, "makes 1 + Δτμ = \(denominator) <= 0 for a mode with rate μ = \(mu[i]): the semi-implicit step is singular; use a smaller step or exponential-euler")
                }
                a[i] = 1 / denominator
                b[i] = dt / denominator
                c[i] = root[i] / denominator
            case .exponentialEuler:
                let x = mu[i] * dt
                a[i] = exp(-x)
                b[i] = x != 0 ? -expm1(-x) / mu[i] : dt
                c[i] = root[i] * (x != 0 ? -expm1(-2 * x) / (2 * x) : 1).squareRoot()
            }
        }
        stateFactor = a
        driftFactor = (0..<n).map { $0 < field ? b[$0] * grid.forwardScale[$0 % grid.pointCount] : b[$0] }
        noiseFactor = c
        let points = grid.pointCount, slots = grid.modeSlots
        noiseTarget = (0..<n).map { k in k < field ? (k / points) * points + slots[k % points] : k }
        noiseInPlace = noiseTarget.enumerated().allSatisfy { $0.offset == $0.element }
        noiseVariance = scheme == .milstein ? Self.nodeVariance(grid: grid, roots: Array(root.prefix(field))) : []
        func buffer() -> UnsafeMutablePointer<Double> {
            let p = UnsafeMutablePointer<Double>.allocate(capacity: n)  // field and globals
            p.initialize(repeating: 0, count: n)
            return p
        }
        state = buffer(); next = buffer(); values = buffer(); drift = buffer(); noiseField = buffer(); product = buffer()
        let inputs = problem.nonlinearity?.inputs ?? []
        derivatives = [SPDENonlinearity.Inputs.gradientX, .gradientY, .laplacian].map { inputs.contains($0) ? buffer() : nil }
        positionX = .allocate(capacity: grid.pointCount)
        positionY = .allocate(capacity: grid.pointCount)
        for p in 0..<grid.pointCount {
            let (x, y) = grid.position(ofPoint: p)
            positionX[p] = x
            positionY[p] = y
        }
        reset()
    }

    deinit {
        for p in [state, next, values, drift, noiseField, product, positionX, positionY] { p.deallocate() }
        for p in derivatives { p?.deallocate() }
    }

    /// Checks g′ against central differences of g at a few states; throws if they disagree (a wrong
    /// derivative would silently lower Milstein to order 1/2).
    static func checkDerivative(_ g: SPDENoise.Multiplicative) throws {
        guard let derivative = g.derivative else { return }
        for u in [-1.3, -0.4, 0.2, 0.7, 1.9] {
            let h = 1e-5 * max(1, abs(u))
            let difference = (g.g(u + h) - g.g(u - h)) / (2 * h)
            let supplied = derivative(u)
            guard abs(difference - supplied) <= 1e-5 * max(1, abs(difference)) else {
                throw InvalidArgument("noise derivative g′(\(u))", supplied, "disagrees with the finite difference of g, \(difference)")
            }
        }
    }

    /// Σ_k q_k e_k(x)² at every node and component, separably in 2-D (O(n_x²n_y + n_y²n_x)).
    static func nodeVariance(grid: SpectralGrid, roots: [Double]) -> [Double] {
        let x = grid.axes[0], nx = x.count, P = grid.pointCount
        let ny = grid.dimension == 2 ? grid.axes[1].count : 1
        let xNodes = x.nodes, yNodes = grid.dimension == 2 ? grid.axes[1].nodes : [0]
        var ex = [Double](repeating: 0, count: nx * nx), ey = [Double](repeating: 1, count: ny * ny)
        for s in 0..<nx { for i in 0..<nx { let e = x.basis.function(slot: s, count: nx, length: x.length, at: xNodes[i]); ex[s * nx + i] = e * e } }
        if grid.dimension == 2 {
            let y = grid.axes[1]
            for s in 0..<ny { for i in 0..<ny { let e = y.basis.function(slot: s, count: ny, length: y.length, at: yNodes[i]); ey[s * ny + i] = e * e } }
        }
        var out = [Double](repeating: 0, count: grid.count)
        var partial = [Double](repeating: 0, count: nx)
        for c in 0..<grid.components {
            for sy in 0..<ny {
                for i in 0..<nx { partial[i] = 0 }
                for sx in 0..<nx {
                    let q = roots[c * P + sy * nx + sx] * roots[c * P + sy * nx + sx]
                    guard q != 0 else { continue }
                    for i in 0..<nx { partial[i] += q * ex[sx * nx + i] }
                }
                for iy in 0..<ny { for i in 0..<nx { out[c * P + iy * nx + i] += ey[sy * ny + iy] * partial[i] } }
            }
        }
        return out
    }

    /// Sets τ = 0 and the state to u₀ at the nodes, projected onto the grid's modes (0 if none), and the
    /// globals to their initial value.
    public func reset() {
        stepCount = 0
        writeInitialCoefficients(into: state)
    }

    /// u₀ at the nodes, projected onto the modes, into `target` (grid layout), then the globals.
    func writeInitialCoefficients(into target: UnsafeMutablePointer<Double>) {
        for c in 0..<grid.components {
            for p in 0..<grid.pointCount { target[c * grid.pointCount + p] = problem.initialValue?(c, positionX[p], positionY[p]) ?? 0 }
        }
        grid.valuesToCoefficients(target)
        if let globals = problem.globals { for i in 0..<globals.count { target[count + i] = globals.initialValue[i] } }
    }

    /// Replaces the state by the given coefficients (grid layout, then the globals).
    public func setCoefficients(_ coefficients: [Double]) throws {
        try Validate.count(coefficients.count, total, "coefficients")
        for i in 0..<total { state[i] = coefficients[i] }
    }

    /// Replaces the field by its node values (grid layout) and the globals by `globals`.
    public func setState(nodeValues: [Double], globals: [Double] = []) throws {
        try Validate.count(nodeValues.count, count, "nodeValues")
        try Validate.count(globals.count, total - count, "globals")
        for i in 0..<count { state[i] = nodeValues[i] }
        grid.valuesToCoefficients(state)
        for i in 0..<globals.count { state[count + i] = globals[i] }
    }

    /// The number of Wiener increments a step takes: the field's coefficients and the globals.
    public var noiseCount: Int { total }

    /// The global unknowns.
    public var globalValues: [Double] { (count..<total).map { state[$0] } }

    /// τ at the current state.
    public var time: Double { Double(stepCount) * timeStep }

    private func transform(_ body: () -> Void) {
        guard timingTransforms else { return body() }
        let start = DispatchTime.now().uptimeNanoseconds
        body()
        transformSeconds += Double(DispatchTime.now().uptimeNanoseconds - start) * 1e-9
    }

    /// Evaluates F at the current state into `drift` as FFTW's unscaled coefficients (the node values
    /// stay in `values`).
    private func evaluateDrift(_ f: SPDENonlinearity) {
        let n = count, P = grid.pointCount
        for i in n..<total { drift[i] = 0 }
        if let target = derivatives[0] {
            grid.differentiate(state, axis: 0, into: target)
            transform { grid.coefficientsToValues(target, into: target) }
        }
        if let target = derivatives[1] {
            grid.differentiate(state, axis: 1, into: target)
            transform { grid.coefficientsToValues(target, into: target) }
        }
        if let target = derivatives[2] {
            grid.laplacian(state, into: target)
            transform { grid.coefficientsToValues(target, into: target) }
        }
        func view(_ p: UnsafeMutablePointer<Double>?) -> UnsafeBufferPointer<Double>? {
            p.map { UnsafeBufferPointer(start: $0, count: n) }
        }
        let field = SPDEFieldView(time: time, grid: grid, values: UnsafeBufferPointer(start: values, count: n),
                                  gradientX: view(derivatives[0]), gradientY: view(derivatives[1]), laplacian: view(derivatives[2]),
                                  x: UnsafeBufferPointer(start: positionX, count: P), y: UnsafeBufferPointer(start: positionY, count: P),
                                  globals: UnsafeBufferPointer(start: state + n, count: total - n))
        f.evaluate(field, UnsafeMutableBufferPointer(start: drift, count: total))
        // Unscaled: `driftFactor` holds the forward scaling.
        transform { for c in 0..<grid.components { grid.forward.apply(drift + c * P, drift + c * P) } }
        if let mask = dealiasMask { for i in 0..<n where !mask[i % P] { drift[i] = 0 } }
    }

    /// One step driven by `increments`: `noiseCount` values ~ N(0, Δτ) in mode order (component c, mode
    /// (j_x, j_y) at c·P + j_y·n_x + j_x, then the globals), or nil when the noise is off. Returns false, keeping the
    /// previous state and time, if the new state is not finite.
    @discardableResult
    public func step(increments: UnsafePointer<Double>?) -> Bool {
        let n = count
        let sigma = problem.noise.amplitude(at: time)
        let nonlinearity = problem.nonlinearity
        let multiplicative = increments != nil ? problem.noise.multiplicative : nil
        if nonlinearity != nil || multiplicative != nil {
            transform { grid.coefficientsToValues(state, into: values) }
        }
        if let nonlinearity { evaluateDrift(nonlinearity) }
        if let g = multiplicative, let dW = increments {
            // ΔW^σ(x) = σ Σ_k √q_k ΔW_k e_k(x) at the nodes (noiseTarget is a permutation of the field's
            // coefficients, so every entry is written); then g(u)·ΔW^σ (+ Milstein), as coefficients.
            for k in 0..<n {
                let target = noiseTarget[k]
                noiseField[target] = sigma * noiseRoot[target] * dW[k]
            }
            transform { grid.coefficientsToValues(noiseField, into: noiseField) }
            if scheme == .milstein, let derivative = g.derivative {
                let correction = sigma * sigma * timeStep
                for i in 0..<n {
                    let u = values[i], w = noiseField[i], gu = g.g(u)
                    product[i] = gu * w + 0.5 * gu * derivative(u) * (w * w - correction * noiseVariance[i])
                }
            } else {
                for i in 0..<n { product[i] = g.g(values[i]) * noiseField[i] }
            }
            transform { grid.valuesToCoefficients(product) }
            // The 2/3 rule: no noise in the dealiased modes (as for additive noise).
            if let mask = dealiasMask { for i in 0..<n where !mask[i % grid.pointCount] { product[i] = 0 } }
            // The globals' noise is additive: σ s_g ΔW (times a below, the semi-implicit form).
            for i in n..<total { product[i] = sigma * noiseRoot[i] * dW[i] }
            // Semi-implicit: a = 1/(1 + Δτμ), b = Δτ·a; exponential Euler: a = e^{−μΔτ}, b = φ₁(μΔτ)Δτ.
            let a = stateFactor, b = driftFactor
            for i in 0..<total { next[i] = a[i] * (state[i] + product[i]) + (nonlinearity != nil ? b[i] * drift[i] : 0) }
        } else {
            let u = state, v = next, w = drift, n = total
            stateFactor.withUnsafeBufferPointer { a in
                driftFactor.withUnsafeBufferPointer { b in
                    noiseFactor.withUnsafeBufferPointer { c in
                        let noisy = increments != nil && sigma != 0
                        if noisy, noiseInPlace, let dW = increments, nonlinearity != nil {
                            for i in 0..<n { v[i] = a[i] * u[i] + b[i] * w[i] + sigma * c[i] * dW[i] }
                            return
                        }
                        if nonlinearity != nil {
                            for i in 0..<n { v[i] = a[i] * u[i] + b[i] * w[i] }
                        } else {
                            for i in 0..<n { v[i] = a[i] * u[i] }
                        }
                        guard noisy, let dW = increments else { return }
                        noiseTarget.withUnsafeBufferPointer { target in
                            for k in 0..<n {
                                let t = target[k]
                                v[t] += sigma * c[t] * dW[k]
                            }
                        }
                    }
                }
            }
        }
        // x·0 is NaN exactly when x is not finite: one pass without branches.
        var probe = 0.0
        for i in 0..<total { probe += next[i] * 0 }
        guard probe == 0 else { return false }
        swap(&state, &next)
        stepCount += 1
        return true
    }

    /// The coefficients of the current state (grid layout).
    public var coefficients: UnsafeBufferPointer<Double> { UnsafeBufferPointer(start: state, count: count) }

    /// The coefficients (grid layout) followed by the globals: `noiseCount` entries.
    public var unknowns: UnsafeBufferPointer<Double> { UnsafeBufferPointer(start: state, count: total) }

    /// The coefficients in mode order (component c, mode (j_x, j_y) at c·P + j_y·n_x + j_x), then the
    /// globals: `noiseCount` entries.
    public var modeCoefficients: [Double] { (0..<total).map { state[noiseTarget[$0]] } }

    /// ∫|u|² = Σ û² (the basis is orthonormal).
    public var energy: Double {
        var sum = 0.0
        for i in 0..<count { sum += state[i] * state[i] }
        return sum
    }

    /// The current field at the nodes (grid layout).
    public var nodeValues: [Double] {
        var out = [Double](repeating: 0, count: count)
        out.withUnsafeMutableBufferPointer { grid.coefficientsToValues(state, into: $0.baseAddress!) }
        return out
    }
}
