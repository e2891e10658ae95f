import NumericCore

/// The discrete training action of a ResNet with model error (MATH.md §1.1, ResNet form):
///
///   A_h = Σ_k [ (R_in/2)|x_{k,0} − L y_k^in|² + R_out φ_k(x_{k,N}) ]
///       + Σ_k Σ_n (R_f/2)|x_{k,n+1} − x_{k,n} − h F(x_{k,n}, θ_n)|²  + Regularization(θ, C, c),
///
/// R_f = r_f/h (so the model term tends to ∫ (r_f/2)|ẋ − F|² dt), L the input lift, φ the readout loss.
/// Unknowns: the states of every sample (x_{k,0..N}, or x_{k,1..N} when R_in = ∞ and x_{k,0} = L y_k^in
/// is exact), then the network parameters in `ResidualNetwork`'s layout.
///
/// The gradient uses the discrete costate step (`DiscreteCostate`) on p_{k,n+1} = R_f e_{k,n}; its zero
/// set is the symplectic Euler discretisation of the Hamiltonian boundary value problem
/// (Notes/deepest-learning-action.md §4). Cost O(M N d²), parallel over fixed sample blocks.
public final class TrainingAction {
    public let network: ResidualNetwork
    public let data: Dataset
    /// r_f > 0 (the continuum model precision; R_f = r_f/h).
    public let modelPrecision: Double
    /// R_in > 0, possibly +∞ (exact inputs, Dirichlet end).
    public let inputWeight: Double
    /// R_out > 0.
    public let outputWeight: Double
    public let regularization: Regularization
    public let targets: [Double]
    private var weights: [Double]
    private var workspace: [Double] = []
    /// The split of the last evaluated action.
    public private(set) var lastParts = ActionParts(dataMisfit: 0, modelError: 0, smoothness: 0, tikhonov: 0)

    /// Throws `InvalidArgument` for r_f ≤ 0, R_in ≤ 0 (∞ allowed), R_out ≤ 0 or data that do not fit.
    public convenience init(network: ResidualNetwork, data: Dataset, modelPrecision: Double, inputWeight: Double = .infinity,
                outputWeight: Double = 1, regularization: Regularization = .none) throws {
        try Validate.positive(modelPrecision, "modelPrecision")
        guard inputWeight > 0, !inputWeight.isNaN else {
            throw InvalidArgument("inputWeight", inputWeight, "must be > 0 (infinity: exact inputs)")
        }
        try Validate.positive(outputWeight, "outputWeight")
        self.init(network: network, data: data, targets: try network.targetRows(data), modelPrecision: modelPrecision,
                  inputWeight: inputWeight, outputWeight: outputWeight, regularization: regularization)
    }

    /// An action from arguments that `init(network:data:modelPrecision:…)` has accepted before, with the
    /// data's target rows (`ResidualNetwork.targetRows`).
    init(network: ResidualNetwork, data: Dataset, targets: [Double], modelPrecision: Double, inputWeight: Double,
         outputWeight: Double, regularization: Regularization) {
        self.network = network
        self.data = data
        self.modelPrecision = modelPrecision
        self.inputWeight = inputWeight
        self.outputWeight = outputWeight
        self.regularization = regularization
        self.targets = targets
        weights = [Double](repeating: 0, count: 2 * network.layers * network.width * network.width)
    }

    /// Whether x_{k,0} is an unknown (finite R_in).
    public var hasInitialStates: Bool { inputWeight.isFinite }
    /// States per sample among the unknowns: N + 1 or N.
    public var statesPerSample: Int { network.layers + (hasInitialStates ? 1 : 0) }
    public var stateUnknownCount: Int { data.count * statesPerSample * network.width }
    public var unknownCount: Int { stateUnknownCount + network.parameterCount }
    /// R_f = r_f / h.
    public var layerPrecision: Double { modelPrecision / network.stepSize }

    /// Unknowns with the states of the forward pass (zero model error) for `parameters`.
    public func unknowns(parameters: [Double]) -> [Double] {
        let d = network.width, s = statesPerSample, layers = network.layers, h = network.stepSize
        var u = [Double](repeating: 0, count: unknownCount)
        var x = [Double](repeating: 0, count: d), z = [Double](repeating: 0, count: d), a = [Double](repeating: 0, count: d)
        let w = network.effectiveWeights(parameters)
        for k in 0..<data.count {
            x = network.lift.apply(Array(data.inputs[(k * network.inputDimension)..<((k + 1) * network.inputDimension)]))
            var slot = k * s * d
            if hasInitialStates {
                for i in 0..<d { u[slot + i] = x[i] }
                slot += d
            }
            for n in 0..<layers {
                w.withUnsafeBufferPointer { wb in
                    parameters.withUnsafeBufferPointer { p in
                        network.field.evaluate(x: x, kTransposed: wb.baseAddress! + (2 * n + 1) * d * d,
                                               bias: p.baseAddress! + network.layerOffset(n) + d * d,
                                               preactivation: &z, value: &a)
                    }
                }
                for i in 0..<d {
                    x[i] += h * a[i]
                    u[slot + i] = x[i]
                }
                slot += d
            }
        }
        for i in 0..<network.parameterCount { u[stateUnknownCount + i] = parameters[i] }
        return u
    }

    /// The network parameters inside an unknown vector.
    public func parameters(of unknowns: [Double]) -> [Double] { Array(unknowns[stateUnknownCount...]) }

    /// A_h and its gradient (written into `gradient`, resized to `unknownCount`).
    @discardableResult
    public func evaluate(unknowns: [Double], gradient: inout [Double]) -> Double {
        let net = network
        let d = net.width, layers = net.layers, h = net.stepSize, m = net.inputDimension
        let parameterCount = net.parameterCount, outputs = net.readout.outputs, targetWidth = net.readout.targetWidth
        let perSample = statesPerSample, stateCount = stateUnknownCount
        let rf = layerPrecision, rin = inputWeight, rout = outputWeight, initial = hasInitialStates
        let blocks = SampleBlocks(count: data.count)
        let length = 6 * d + outputs + parameterCount + 2
        if workspace.count != length * blocks.blockCount {
            workspace = [Double](repeating: 0, count: length * blocks.blockCount)
        }
        if gradient.count != unknownCount { gradient = [Double](repeating: 0, count: unknownCount) }
        unknowns.withUnsafeBufferPointer { u in
            weights.withUnsafeMutableBufferPointer {
                net.writeEffectiveWeights(u.baseAddress! + stateCount, into: $0.baseAddress!)
            }
        }
        unknowns.withUnsafeBufferPointer { uu in
        weights.withUnsafeBufferPointer { ww in
        data.inputs.withUnsafeBufferPointer { ii in
        targets.withUnsafeBufferPointer { tt in
        gradient.withUnsafeMutableBufferPointer { gg in
        workspace.withUnsafeMutableBufferPointer { wsb in
            let u = SharedPointer(uu)
            let w = SharedPointer(ww)
            let inputs = SharedPointer(ii)
            let targetRows = SharedPointer(tt)
            let g = SharedMutablePointer(gg.baseAddress!)
            let ws = SharedMutablePointer(wsb.baseAddress!)
            Parallel.forEach(blocks.blockCount) { block in
                let base = ws.base + block * length
                let liftedInput = base, a = base + 2 * d, q = base + 3 * d, result = base + 4 * d
                let scratch = base + 5 * d, o = base + 6 * d, slot = o + outputs
                let misfit = slot + parameterCount, model = misfit + 1
                slot.update(repeating: 0, count: parameterCount + 2)
                let theta = u.base + stateCount
                for k in blocks.range(block) {
                    let states = u.base + k * perSample * d, grads = g.base + k * perSample * d
                    grads.update(repeating: 0, count: perSample * d)
                    net.lift.apply(inputs.base + k * m, into: liftedInput)
                    // x_n and its gradient slot (the zero vector's slot is never read when R_in = ∞).
                    func state(_ n: Int) -> UnsafePointer<Double> {
                        initial ? states + n * d : (n == 0 ? UnsafePointer(liftedInput) : states + (n - 1) * d)
                    }
                    func stateGradient(_ n: Int) -> UnsafeMutablePointer<Double>? {
                        initial ? grads + n * d : (n == 0 ? nil : grads + (n - 1) * d)
                    }
                    if initial {
                        let x0 = states
                        for i in 0..<d {
                            let r = x0[i] - liftedInput[i]
                            misfit[0] += 0.5 * rin * r * r
                            grads[i] += rin * r
                        }
                    }
                    for n in 0..<layers {
                        let xn = state(n), next = state(n + 1)
                        net.field.evaluate(x: xn, kTransposed: w.base + (2 * n + 1) * d * d,
                                           bias: theta + net.layerOffset(n) + d * d, preactivation: scratch, value: a)
                        for i in 0..<d {
                            let e = next[i] - xn[i] - h * a[i]
                            model[0] += 0.5 * rf * e * e
                            q[i] = rf * e
                        }
                        if let gNext = stateGradient(n + 1) { for i in 0..<d { gNext[i] += q[i] } }
                        let gLayer = slot + net.layerOffset(n)
                        DiscreteCostate.step(field: net.field, step: h, x: xn, value: a, k: w.base + 2 * n * d * d,
                                             next: q, result: result, scratch: scratch,
                                             weightGradient: gLayer, biasGradient: gLayer + d * d)
                        if let gn = stateGradient(n) { for i in 0..<d { gn[i] -= result[i] } }
                    }
                    misfit[0] += rout * net.readout.loss(
                        x: state(layers), parameters: theta + net.readoutOffset, width: d,
                        target: targetRows.base + k * targetWidth, weight: rout, gradX: result,
                        gradParameters: slot + net.readoutOffset, scratch: o)
                    if let gN = stateGradient(layers) { for i in 0..<d { gN[i] += result[i] } }
                }
            }
        }}}}}}
        var misfit = 0.0, model = 0.0
        workspace.withUnsafeBufferPointer { wsb in
            gradient.withUnsafeMutableBufferPointer { gg in
                let g = gg.baseAddress! + stateCount
                for i in 0..<parameterCount { g[i] = 0 }
                for block in 0..<blocks.blockCount {
                    let slot = wsb.baseAddress! + block * length + 6 * d + outputs
                    misfit += slot[parameterCount]
                    model += slot[parameterCount + 1]
                    for n in 0..<layers {
                        let o = net.layerOffset(n)
                        net.field.accumulateParameterGradient(fromWeightGradient: slot + o, biasGradient: slot + o + d * d,
                                                              into: g + o)
                    }
                    for i in net.readoutOffset..<parameterCount { g[i] += slot[i] }
                }
            }
        }
        let parts = unknowns.withUnsafeBufferPointer { uu in
            gradient.withUnsafeMutableBufferPointer { gg in
                regularization.parts(network: net, parameters: uu.baseAddress! + stateCount,
                                     gradient: gg.baseAddress! + stateCount)
            }
        }
        lastParts = ActionParts(dataMisfit: misfit, modelError: model, smoothness: parts.smoothness, tikhonov: parts.tikhonov)
        return lastParts.total
    }
}
