import NumericCore

/// The training loss of the discrete ResNet (the SGD/Adam baseline) and its exact gradient:
///
///   J(P) = (1/|B|) Σ_{k∈B} φ_k(x_{k,N}) + Regularization(P),   x_{k,n+1} = x_{k,n} + h σ(K_n x_{k,n} + b_n),
///
/// for a batch B of sample indices. The gradient is the forward pass followed by the discrete costate
/// sweep (`DiscreteCostate`) from p_N = −∇φ/|B|: exact backprop, so it agrees with central finite
/// differences to their truncation error. Cost O(|B| N d²) per evaluation, parallel over fixed sample
/// blocks (thread-count independent), no allocation after the first evaluation at a batch size.
public final class ResidualNetworkLoss {
    public let network: ResidualNetwork
    public let data: Dataset
    public let regularization: Regularization
    /// Flattened target rows, `network.readout.targetWidth` per sample.
    public let targets: [Double]
    private var weights: [Double]
    private var workspace: [Double] = []
    private let allSamples: [Int]
    private var blockStride = 0

    /// Throws `InvalidArgument` when the data do not fit the network (input dimension, target kind).
    public init(network: ResidualNetwork, data: Dataset, regularization: Regularization = .none) throws {
        self.network = network
        self.data = data
        self.regularization = regularization
        targets = try network.targetRows(data)
        allSamples = Array(0..<data.count)
        weights = [Double](repeating: 0, count: 2 * network.layers * network.width * network.width)
    }

    /// Numbers of workspace one block of `size` samples needs.
    private func blockLength(size: Int) -> Int {
        let d = network.width, n = network.layers
        return size * ((n + 1) * d + n * d) + 4 * d + network.readout.outputs + network.parameterCount + 1
    }

    /// J over `samples` (all samples when nil) and its gradient, written into `gradient`
    /// (resized to `network.parameterCount`). Returns J.
    @discardableResult
    public func evaluate(parameters: [Double], samples: [Int]? = nil, gradient: inout [Double]) -> Double {
        let net = network
        let d = net.width, layers = net.layers, h = net.stepSize, m = net.inputDimension
        let parameterCount = net.parameterCount, outputs = net.readout.outputs
        let targetWidth = net.readout.targetWidth
        let count = samples?.count ?? data.count
        let blocks = SampleBlocks(count: count)
        let length = blockLength(size: blocks.size)
        if workspace.count < length * blocks.blockCount || blockStride != length {
            workspace = [Double](repeating: 0, count: length * blocks.blockCount)
            blockStride = length
        }
        if gradient.count != parameterCount { gradient = [Double](repeating: 0, count: parameterCount) }
        let weight = 1.0 / Double(count)
        // Effective K_n and K_nᵀ, once per evaluation.
        parameters.withUnsafeBufferPointer { p in
            weights.withUnsafeMutableBufferPointer { net.writeEffectiveWeights(p.baseAddress!, into: $0.baseAddress!) }
        }
        let indexList = samples ?? allSamples
        if count == 0 {
            for i in 0..<parameterCount { gradient[i] = 0 }
            return parameters.withUnsafeBufferPointer { p in
                gradient.withUnsafeMutableBufferPointer { g in
                    regularization.accumulate(network: net, parameters: p.baseAddress!, gradient: g.baseAddress!)
                }
            }
        }
        parameters.withUnsafeBufferPointer { pp in
        weights.withUnsafeBufferPointer { ww in
        data.inputs.withUnsafeBufferPointer { ii in
        targets.withUnsafeBufferPointer { tt in
        indexList.withUnsafeBufferPointer { idx in
        workspace.withUnsafeMutableBufferPointer { wsb in
            let p = SharedPointer(pp)
            let w = SharedPointer(ww)
            let inputs = SharedPointer(ii)
            let targetRows = SharedPointer(tt)
            let index = SharedPointer(idx)
            let ws = SharedMutablePointer(wsb.baseAddress!)
            Parallel.forEach(blocks.blockCount) { block in
                let range = blocks.range(block)
                let base = ws.base + block * length
                let trajectory = base
                let values = trajectory + range.count * (layers + 1) * d
                let costate = values + range.count * layers * d
                let spare = costate + d
                let scratch = spare + 2 * d
                let slot = scratch + outputs
                let loss = slot + parameterCount
                slot.update(repeating: 0, count: parameterCount + 1)
                for (local, position) in range.enumerated() {
                    let sample = index[position]
                    let x = trajectory + local * (layers + 1) * d
                    let a = values + local * layers * d
                    net.lift.apply(inputs.base + sample * m, into: x)
                    for n in 0..<layers {
                        let xn = x + n * d, an = a + n * d, next = xn + d
                        net.field.evaluate(x: xn, kTransposed: w.base + (2 * n + 1) * d * d,
                                           bias: p.base + net.layerOffset(n) + d * d,
                                           preactivation: spare, value: an)
                        for i in 0..<d { next[i] = xn[i] + h * an[i] }
                    }
                    loss[0] += net.readout.loss(
                        x: x + layers * d, parameters: p.base + net.readoutOffset, width: d,
                        target: targetRows.base + sample * targetWidth, weight: weight, gradX: costate,
                        gradParameters: slot + net.readoutOffset, scratch: scratch)
                    // p_N = −∇φ/|B|.
                    for i in 0..<d { costate[i] = -costate[i] }
                    DiscreteCostate.sweep(network: net, trajectory: x, values: a, weights: w.base,
                                          costate: costate, spare: spare, gradient: slot)
                }
            }
        }}}}}}
        // Reduce the block slots in block order, mapping effective-K gradients to θ.
        var total = 0.0
        for i in 0..<parameterCount { gradient[i] = 0 }
        workspace.withUnsafeBufferPointer { wsb in
            gradient.withUnsafeMutableBufferPointer { g in
                for block in 0..<blocks.blockCount {
                    let range = blocks.range(block)
                    let base = wsb.baseAddress! + block * length
                    let slot = base + range.count * (2 * layers + 1) * d + 3 * d + outputs
                    total += slot[parameterCount] * weight
                    for n in 0..<layers {
                        let o = net.layerOffset(n)
                        net.field.accumulateParameterGradient(fromWeightGradient: slot + o, biasGradient: slot + o + d * d,
                                                              into: g.baseAddress! + o)
                    }
                    for i in net.readoutOffset..<parameterCount { g[i] += slot[i] }
                }
                parameters.withUnsafeBufferPointer { p in
                    total += regularization.accumulate(network: net, parameters: p.baseAddress!, gradient: g.baseAddress!)
                }
            }
        }
        return total
    }

    /// J over all samples (the gradient is computed and discarded).
    public func value(parameters: [Double]) -> Double {
        var g = [Double]()
        return evaluate(parameters: parameters, gradient: &g)
    }
}
