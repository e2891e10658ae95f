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
    public convenience init(network: ResidualNetwork, data: Dataset, regularization: Regularization = .none) throws {
        self.init(network: network, data: data, targets: try network.targetRows(data), regularization: regularization)
    }

    /// With the target rows already checked (`ResidualNetwork.targetRows`): cannot fail.
    init(network: ResidualNetwork, data: Dataset, targets: [Double], regularization: Regularization = .none) {
        self.network = network
        self.data = data
        self.regularization = regularization
        self.targets = targets
        allSamples = Array(0..<data.count)
        weights = [Double](repeating: 0, count: 2 * network.layers * network.width * network.width)
    }

    /// Widths from which a block's forward and backward passes run as matrix–matrix products over its
    /// samples (`BLAS.gemm`); narrower networks use the per-sample kernels, where a call into BLAS on
    /// d × d blocks would cost more than the arithmetic. Both give the same gradient up to the order of
    /// the sums over samples (tests set this to compare them).
    public var minimumBatchedWidth = 16
    /// Parameters held fixed (indices in the network's layout): their gradient entries are returned as 0,
    /// so every gradient method leaves them where they are (a bias-free readout freezes the readout bias
    /// at 0, MATH.md §6.2).
    public var frozen: Set<Int> = []
    /// Minimum samples per block for the batched kernels: taller matrices for `gemm`, and fewer gradient
    /// slots (N(d² + d) numbers each) to write and reduce per minibatch. Fixed, so the partition still
    /// depends on the batch size only.
    static let batchedBlockSize = 32

    /// Where one block's arrays live in its workspace of `blockLength(size:)` numbers, for a block of
    /// `count` samples: the states x_0..x_N and activations σ(z_0)..σ(z_{N−1}) (layer-major, so layer n
    /// of the block is a count × d matrix, sample rows), the costates (count × d), scratch for
    /// U = σ'(z) ⊙ p (count × d, at least 2d: the per-sample kernels' spare), the readout's scratch,
    /// the block's gradient slot (parameter layout, effective K) and its loss sum.
    private struct BlockLayout {
        let trajectory, values, costate, spare, scratch, slot, loss: UnsafeMutablePointer<Double>

        init(base: UnsafeMutablePointer<Double>, count: Int, network: ResidualNetwork) {
            let d = network.width, layers = network.layers
            trajectory = base
            values = trajectory + count * (layers + 1) * d
            costate = values + count * layers * d
            spare = costate + count * d
            scratch = spare + max(count, 2) * d
            slot = base + Self.slotOffset(count: count, network: network)
            loss = slot + network.parameterCount
        }

        /// Offset of the gradient slot from the start of the block.
        static func slotOffset(count: Int, network: ResidualNetwork) -> Int {
            let d = network.width, layers = network.layers
            return count * ((layers + 1) * d + layers * d + d) + max(count, 2) * d + network.readout.outputs
        }
    }

    /// Numbers of workspace one block of `size` samples needs (see `BlockLayout`).
    private func blockLength(size: Int) -> Int {
        BlockLayout.slotOffset(count: size, network: network) + network.parameterCount + 1
    }

    /// J over `samples` (all samples when nil) and its gradient, written into `gradient`
    /// (resized to `network.parameterCount`). Returns J.
    @discardableResult
    public func evaluate(parameters: [Double], samples: [Int]? = nil, gradient: inout [Double]) -> Double {
        let net = network
        let d = net.width, layers = net.layers, parameterCount = net.parameterCount
        let count = samples?.count ?? data.count
        let batched = d >= minimumBatchedWidth
        let blocks = batched ? SampleBlocks(count: count, minimumSize: Self.batchedBlockSize) : SampleBlocks(count: count)
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
                let layout = BlockLayout(base: ws.base + block * length, count: range.count, network: net)
                let context = BatchContext(network: net, parameters: p.base, weights: w.base, inputs: inputs.base,
                                           targets: targetRows.base, index: index.base, weight: weight)
                if batched {
                    Self.batchedBlock(context, range: range, layout: layout)
                } else {
                    layout.slot.update(repeating: 0, count: parameterCount + 1)
                    Self.sampleBlock(context, range: range, layout: layout)
                }
            }
        }}}}}}
        // Reduce the block slots in block order, mapping effective-K gradients to θ.
        var total = 0.0
        for i in 0..<parameterCount { gradient[i] = 0 }
        workspace.withUnsafeBufferPointer { wsb in
            gradient.withUnsafeMutableBufferPointer { g in
                for block in 0..<blocks.blockCount {
                    let slot = wsb.baseAddress! + block * length
                        + BlockLayout.slotOffset(count: blocks.range(block).count, network: net)
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
                for i in frozen { g[i] = 0 }
            }
        }
        return total
    }

    /// What both block kernels read: the network, parameters, effective weights (K_n, K_nᵀ per layer),
    /// data rows, the batch's sample indices and the weight 1/|B| of each sample.
    private struct BatchContext {
        let network: ResidualNetwork
        let parameters, weights, inputs, targets: UnsafePointer<Double>
        let index: UnsafePointer<Int>
        let weight: Double
    }

    /// The readout loss of the block's sample at `position` (local row `local`) from its final state
    /// `x`; writes p_N = −∇φ/|B| into `costate` and accumulates the readout gradient and the loss.
    @inline(__always)
    private static func readout(_ c: BatchContext, position: Int, x: UnsafePointer<Double>,
                                costate: UnsafeMutablePointer<Double>, layout: BlockLayout) {
        let net = c.network, d = net.width
        let sample = c.index[position]
        layout.loss[0] += net.readout.loss(
            x: x, parameters: c.parameters + net.readoutOffset, width: d,
            target: c.targets + sample * net.readout.targetWidth, weight: c.weight, gradX: costate,
            gradParameters: layout.slot + net.readoutOffset, scratch: layout.scratch)
        for i in 0..<d { costate[i] = -costate[i] }
    }

    /// Forward pass and costate sweep one sample at a time (matrix–vector kernels; narrow networks).
    private static func sampleBlock(_ c: BatchContext, range: Range<Int>, layout: BlockLayout) {
        let net = c.network, d = net.width, layers = net.layers, h = net.stepSize, m = net.inputDimension
        for (local, position) in range.enumerated() {
            let x = layout.trajectory + local * (layers + 1) * d
            let a = layout.values + local * layers * d
            net.lift.apply(c.inputs + c.index[position] * m, into: x)
            for n in 0..<layers {
                let xn = x + n * d, an = a + n * d, next = xn + d
                net.field.evaluate(x: xn, kTransposed: c.weights + (2 * n + 1) * d * d,
                                   bias: c.parameters + net.layerOffset(n) + d * d,
                                   preactivation: layout.spare, value: an)
                for i in 0..<d { next[i] = xn[i] + h * an[i] }
            }
            readout(c, position: position, x: x + layers * d, costate: layout.costate, layout: layout)
            DiscreteCostate.sweep(network: net, trajectory: x, values: a, weights: c.weights,
                                  costate: layout.costate, spare: layout.spare, gradient: layout.slot)
        }
    }

    /// The same forward pass and costate sweep for the whole block at once, with the B samples of layer n
    /// as the rows of a B × d matrix X_n (wide networks):
    ///
    ///   Z_n = X_n K_nᵀ + 1 b_nᵀ,  A_n = σ(Z_n),  X_{n+1} = X_n + h A_n;
    ///   U = σ'(Z_n) ⊙ P_{n+1},  P_n = P_{n+1} + h U K_n,  G_{K_n} = −h Uᵀ X_n,  g_{b_n} = −h Uᵀ 1,
    ///
    /// which is `DiscreteCostate.step` applied to every row (the same exact gradient; only the order of
    /// the sums over samples differs, at round-off). Three `BLAS.gemm` calls per layer, O(B d²) each.
    /// Derivation: Notes/resnet-minibatch-kernels.md.
    private static func batchedBlock(_ c: BatchContext, range: Range<Int>, layout: BlockLayout) {
        let net = c.network, d = net.width, layers = net.layers, h = net.stepSize, m = net.inputDimension
        let rows = range.count, matrix = rows * d
        let activation = net.field.activation
        // Every G_{K_n} is written once below (gemm with β = 0); the biases, readout and loss accumulate.
        for n in 0..<layers { (layout.slot + net.layerOffset(n) + d * d).update(repeating: 0, count: d) }
        (layout.slot + net.readoutOffset).update(repeating: 0, count: net.readoutParameterCount)
        layout.loss[0] = 0
        for (local, position) in range.enumerated() {
            net.lift.apply(c.inputs + c.index[position] * m, into: layout.trajectory + local * d)
        }
        net.blockForward(rows: rows, parameters: c.parameters, weights: c.weights, trajectory: layout.trajectory, values: layout.values)
        let final = layout.trajectory + layers * matrix
        for (local, position) in range.enumerated() {
            readout(c, position: position, x: final + local * d, costate: layout.costate + local * d, layout: layout)
        }
        let p = layout.costate, u = layout.spare
        for n in stride(from: layers - 1, through: 0, by: -1) {
            let x = layout.trajectory + n * matrix, a = layout.values + n * matrix
            let gK = layout.slot + net.layerOffset(n), gb = gK + d * d
            DiscreteCostate.blockStep(activation: activation, step: h, rows: rows, width: d, values: a, k: c.weights + 2 * n * d * d,
                                      costates: p, scratch: u)
            BLAS.gemm(m: d, n: d, k: rows, alpha: -h, a: u, lda: d, transposeA: true, b: x, ldb: d,
                      beta: 0, c: gK, ldc: d)
            for k in 0..<rows {
                let row = u + k * d
                for i in 0..<d { gb[i] += -h * row[i] }
            }
        }
    }

    /// J over all samples (the gradient is computed and discarded).
    public func value(parameters: [Double]) -> Double {
        var g = [Double]()
        return evaluate(parameters: parameters, gradient: &g)
    }
}
