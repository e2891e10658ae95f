import NumericCore

/// One path of `DiscreteLangevinFlow` by semi-implicit Euler–Maruyama with step Δτ:
///
///   U^{m+1} = U^m + (I + Δτ P L)^{-1} (−Δτ P ∇A_h(U^m) + √(2 Temp(τ_m)) P^{1/2} ΔB^m),
///
/// the split form of (I + ΔτPL)U^{m+1} = U^m + ΔτN(U^m) + √(2Temp)P^{1/2}ΔB, where L holds the quadratic
/// parts taken implicitly (the model-error Laplacian and R_in on the states, the smoothness Laplacian and
/// λ on the weights, μ on the readout) and N = −P∇A_h + PLU the rest, so −PLU^m cancels between the
/// sides. (I + ΔτPL) is one tridiagonal matrix per state path and per weight component, factored once.
/// A step that produces a non-finite value keeps the last finite state and returns false.
/// Cost per step: one A_h gradient plus O(M N d); no allocation.
public final class DiscreteLangevinStepper: @unchecked Sendable {
    // @unchecked: one path, advanced by one thread at a time (the action's buffers are its own).
    public let flow: DiscreteLangevinFlow
    public let timeStep: Double
    /// The steps taken.
    public private(set) var stepCount = 0
    /// τ after the steps taken, stepCount·Δτ (a restored stepper continues at the same bits).
    public var time: Double { Double(stepCount) * timeStep }
    /// States x_{k,·} of every sample, then the parameters (`TrainingAction` layout).
    public private(set) var unknowns: [Double]
    private var next: [Double]
    private var gradient: [Double] = []
    private let action: TrainingAction
    /// P and √P on the parameters (`DiscreteLangevinFlow.parameterPreconditioner`); on the states P = 1/h.
    private let scales: [Double]
    private let noiseScales: [Double]
    /// Fixed blocks of samples for the states' part of a step (the tridiagonal solves are per sample).
    private let blocks: SampleBlocks
    /// Per block (and the parameters): whether the step produced a non-finite value.
    private var failures: [UInt8]
    private let states: TridiagonalFactorization
    private let weights: TridiagonalFactorization
    /// Weight components (0..<q) solved implicitly: those without a frozen entry in any layer.
    private let implicitComponents: [Int]
    private let readoutFactor: Double

    /// Starts from `unknowns` (for example `flow.action().unknowns(parameters:)`, the forward pass).
    /// Throws `InvalidArgument` for a non-positive Δτ or a wrong count.
    public init(_ flow: DiscreteLangevinFlow, unknowns start: [Double], timeStep dt: Double) throws {
        try Validate.positive(dt, "timeStep")
        let action = flow.action()
        try Validate.count(start.count, action.unknownCount, "unknowns")
        let net = flow.network, h = net.stepSize, layers = net.layers, q = net.layerParameterCount
        self.flow = flow
        self.action = action
        timeStep = dt
        unknowns = start
        next = start
        scales = flow.parameterPreconditioner
        noiseScales = scales.map { $0.squareRoot() }
        blocks = SampleBlocks(count: flow.data.count, minimumSize: 64)
        failures = [UInt8](repeating: 0, count: blocks.blockCount + 1)
        // I + Δτ(1/h)((r_f/h)·L + R_in e_0e_0ᵀ) on a state path: each node's degree in the path graph (a
        // grounded x_0 counts as a neighbour of x_1 but is not an unknown); a finite R_in on x_0.
        let s = action.statesPerSample, c = dt * flow.modelPrecision / (h * h)
        let input = action.hasInitialStates ? dt * flow.inputWeight / h : 0
        states = TridiagonalFactorization(diagonal: (0..<s).map { n in
            let degree = (n > 0 || !action.hasInitialStates ? 1.0 : 0) + (n < s - 1 ? 1 : 0)
            return 1 + c * degree + (n == 0 ? input : 0)
        }, offDiagonal: -c)
        // I + Δτ(1/h)((α/h)·L + hλ) on a weight component over the layers (free ends).
        let a = dt * flow.regularization.smoothness / (h * h), lambda = dt * flow.regularization.tikhonov
        weights = TridiagonalFactorization(diagonal: (0..<layers).map { n in
            1 + lambda + a * Double((n > 0 ? 1 : 0) + (n < layers - 1 ? 1 : 0))
        }, offDiagonal: -a)
        let frozen = flow.frozenParameters
        implicitComponents = (0..<q).filter { i in (0..<layers).allSatisfy { !frozen.contains($0 * q + i) } }
        readoutFactor = 1 / (1 + dt * flow.regularization.readoutTikhonov)
    }

    /// The Wiener processes driving a step: one per unknown (frozen ones are ignored).
    public var noiseCount: Int { unknowns.count }

    /// The network parameters of the current state.
    public var parameters: [Double] { Array(unknowns[action.stateUnknownCount...]) }

    /// Sets the unknowns and the steps taken (a checkpoint's state). Throws `InvalidArgument` for a wrong
    /// count, a non-finite value or a negative step count.
    public func restore(unknowns values: [Double], stepCount steps: Int) throws {
        try Validate.count(values.count, unknowns.count, "unknowns")
        try Validate.finite(values, "unknowns")
        guard steps >= 0 else { throw InvalidArgument("stepCount", steps, "must be >= 0") }
        unknowns = values
        stepCount = steps
    }

    /// A_h, its split and the drift −P∇A_h at the current state (evaluated anew).
    public func currentActionAndDrift() -> (action: Double, parts: ActionParts, drift: [Double]) {
        let value = action.evaluate(unknowns: unknowns, gradient: &gradient)
        return (value, action.lastParts, flow.drift(gradient: gradient, stateCount: action.stateUnknownCount))
    }

    /// One step with the Wiener increments ΔB (`noiseCount` values of variance Δτ), or noiseless with nil.
    /// Returns false, keeping the previous state, when the new state is not finite. The states' part runs
    /// over fixed sample blocks on the worker pool (each entry's arithmetic is the same on any thread).
    @discardableResult
    public func step(increments: UnsafePointer<Double>?) -> Bool {
        step(noise: increments.map { .increments(SharedPointer(UnsafeBufferPointer(start: $0, count: unknowns.count))) })
    }

    /// One step that draws its own Wiener increments, in parallel: sample block b of step m from
    /// `XoshiroRandomStream(seed: noiseSeed, index: m·(B + 1) + b)` and the parameters from index
    /// m·(B + 1) + B, B the number of blocks (fixed by the sample count), so the path is bitwise the same
    /// on any number of threads and a restored stepper (`restore`) continues it. For the Langevin stage,
    /// where one stream would draw the M N d state increments on one core.
    @discardableResult
    public func step(noiseSeed: UInt64) -> Bool { step(noise: .seeded(noiseSeed)) }

    enum Noise {
        case increments(SharedPointer<Double>)
        case seeded(UInt64)
    }

    private func step(noise: Noise?) -> Bool {
        let dt = timeStep
        action.evaluate(unknowns: unknowns, gradient: &gradient)
        let amplitude = noise == nil ? 0 : (2 * flow.schedule.temperature(at: time)).squareRoot()
        let net = flow.network, d = net.width, q = net.layerParameterCount, h = net.stepSize
        let stateCount = action.stateUnknownCount, s = action.statesPerSample, blocks = self.blocks, total = unknowns.count
        let states = self.states, root = dt.squareRoot(), streams = UInt64(blocks.blockCount + 1) &* UInt64(stepCount)
        for i in failures.indices { failures[i] = 0 }
        unknowns.withUnsafeBufferPointer { uu in
        next.withUnsafeMutableBufferPointer { vv in
        gradient.withUnsafeBufferPointer { gg in
        scales.withUnsafeBufferPointer { pp in
        noiseScales.withUnsafeBufferPointer { rr in
        failures.withUnsafeMutableBufferPointer { ff in
            let u = SharedPointer(uu), v = SharedMutablePointer(vv.baseAddress!), g = SharedPointer(gg)
            let p = SharedPointer(pp), r = SharedPointer(rr), failed = SharedMutablePointer(ff.baseAddress!)
            /// Entries lower..<upper: ΔB (from the given increments, or drawn into v from stream `index`),
            /// then the increment −ΔτP∇A_h + √(2Temp)√P ΔB before the implicit solves; P is 1/h on the states
            /// and `scales` on the parameters (which start at `lower`).
            @Sendable func increment(_ lower: Int, _ upper: Int, stream index: UInt64, states: Bool) {
                let noisy = amplitude != 0
                var source: UnsafePointer<Double>? = nil
                switch noise {
                case .increments(let given)?: source = given.base
                case .seeded(let seed)? where noisy:
                    var stream = XoshiroRandomStream(seed: seed, index: streams &+ index)
                    stream.fillGaussian(UnsafeMutableBufferPointer(start: v.base + lower, count: upper - lower), standardDeviation: root)
                    source = UnsafePointer(v.base)
                default: break
                }
                if states {
                    let drift = dt / h, scale = amplitude / h.squareRoot()
                    if let source, noisy {
                        for i in lower..<upper { v.base[i] = -drift * g.base[i] + scale * source[i] }
                    } else {
                        for i in lower..<upper { v.base[i] = -drift * g.base[i] }
                    }
                } else if let source, noisy {
                    for i in lower..<upper { v.base[i] = -dt * p.base[i - lower] * g.base[i] + amplitude * r.base[i - lower] * source[i] }
                } else {
                    for i in lower..<upper { v.base[i] = -dt * p.base[i - lower] * g.base[i] }
                }
            }
            /// Entries lower..<upper: U + the solved increment; false if one is not finite.
            @Sendable func add(_ lower: Int, _ upper: Int) -> Bool {
                var finite = true
                for i in lower..<upper {
                    v.base[i] += u.base[i]
                    if !v.base[i].isFinite { finite = false }
                }
                return finite
            }
            Parallel.forEach(blocks.blockCount) { block in
                let range = blocks.range(block), lower = range.lowerBound * s * d, upper = range.upperBound * s * d
                increment(lower, upper, stream: UInt64(block), states: true)
                for k in range { for i in 0..<d { states.solve(v.base + k * s * d + i, stride: d) } }
                if !add(lower, upper) { failed.base[block] = 1 }
            }
            increment(stateCount, total, stream: UInt64(blocks.blockCount), states: false)
            let theta = v.base + stateCount
            for i in implicitComponents { weights.solve(theta + i, stride: q) }
            for i in net.readoutOffset..<net.parameterCount { theta[i] *= readoutFactor }
            if !add(stateCount, total) { failed.base[blocks.blockCount] = 1 }
        }}}}}}
        guard !failures.contains(1) else { return false }
        swap(&unknowns, &next)
        stepCount += 1
        return true
    }
}
