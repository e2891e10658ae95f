import NumericCore

/// The costates of the per-sample loss along the depth grid: p_n = −∂φ(x(T))/∂x_n, with p(T) = −∇φ
/// (MATH.md §1.5–1.6). For the ResNet they are the discrete costate recursion
/// p_n = (I + h ∂ₓF(x_n, θ_n))ᵀ p_{n+1} (`DiscreteCostate`, i.e. backprop); for the flow the discrete
/// RK4 adjoint of `ReducedContinuumAction`. So p(0) is the exact gradient of the loss with respect to
/// x(0), and Lᵀ p(0) (the lift's transpose) the gradient with respect to the input: the input gradient
/// of FGSM and PGD needs no code of its own (Notes/forward-stability-and-robustness.md §3).
public struct DepthCostates: Sendable {
    /// Nodes of the depth grid (steps + 1), samples, width d.
    public let nodes: Int, samples: Int, width: Int
    /// States and costates, node-major: index (node · samples + sample) · d + i.
    public let states: [Double], costates: [Double]
    /// φ_k(x_k(T)) per sample.
    public let losses: [Double]

    /// ‖p_k(t_n)‖₂.
    public func costateNorm(node n: Int, sample k: Int) -> Double {
        let base = (n * samples + k) * width
        var sum = 0.0
        for i in 0..<width { sum += costates[base + i] * costates[base + i] }
        return sum.squareRoot()
    }
}

extension TrainedNetwork {
    /// States and costates of every sample of `data` on the depth grid. Cost O(M · steps · d²), parallel
    /// over samples (results per sample, independent of the thread count). The ResNet's forward pass runs
    /// over blocks of samples as matrix products with the vector tanh (`Activation.applyInPlace`, within a
    /// few ulp of the scalar one); the costates are exact derivatives of the values computed.
    /// - Throws: `InvalidArgument` when the data do not fit the network (input dimension, target kind).
    public func costates(data: Dataset) throws -> DepthCostates {
        try costates(data: data, allNodes: true)
    }

    /// With `allNodes` false (the input gradients), a ResNet's result keeps node 0 only: `nodes` is 1,
    /// `costates` holds p(0) and `states` x(0).
    func costates(data: Dataset, allNodes: Bool, blockSize: Int = 32) throws -> DepthCostates {
        let d = width, count = data.count, nodes = steps + 1
        switch self {
        case .flow(let flow):
            let action = try ReducedContinuumAction(network: flow.network, data: data, tikhonov: 0, smoothness: 0, readoutTikhonov: 0)
            let (states, costates) = action.trajectories(flow.parameters)
            let final = Array(states[(steps * count * d)...])
            return DepthCostates(nodes: nodes, samples: count, width: d, states: states, costates: costates,
                                 losses: try sampleLosses(finalStates: final, data: data))
        case .resnet(let network, let parameters):
            let targets = try network.targetRows(data)
            let kept = allNodes ? nodes : 1
            var states = [Double](repeating: 0, count: kept * count * d), costates = states
            var losses = [Double](repeating: 0, count: count)
            let weights = network.effectiveWeights(parameters)
            let m = network.inputDimension, h = network.stepSize, readout = network.readout, field = network.field
            let layers = network.layers
            // Fixed blocks of samples (not one per core), so the rounding of the block products does not
            // depend on the number of cores.
            let blocks = SampleBlocks(count: count, minimumSize: blockSize)
            parameters.withUnsafeBufferPointer { pp in
            weights.withUnsafeBufferPointer { ww in
            data.inputs.withUnsafeBufferPointer { ii in
            targets.withUnsafeBufferPointer { tt in
            states.withUnsafeMutableBufferPointer { ss in
            costates.withUnsafeMutableBufferPointer { cc in
            losses.withUnsafeMutableBufferPointer { ll in
                let p = SharedPointer(pp), w = SharedPointer(ww), input = SharedPointer(ii), target = SharedPointer(tt)
                let stateOut = SharedMutablePointer(ss.baseAddress!), costateOut = SharedMutablePointer(cc.baseAddress!)
                let lossOut = SharedMutablePointer(ll.baseAddress!)
                Parallel.forEach(blocks.blockCount) { block in
                    let range = blocks.range(block)
                    // The block's forward pass layer by layer, samples as rows (X_n is rows × d): Z = X_n K_nᵀ + 1 b_nᵀ
                    // by one gemm, σ applied to the whole matrix at once (the vector tanh), X_{n+1} = X_n + h σ(Z).
                    // Then the readout per sample and the costate sweep for the whole block (`DiscreteCostate.blockStep`).
                    let rows = range.count, matrix = rows * d
                    let scratchCount = (layers + 1) * matrix + layers * matrix + 2 * matrix + readout.outputs + readout.parameterCount(width: d)
                    withUnsafeTemporaryAllocation(of: Double.self, capacity: scratchCount) { buffer in
                        let x = buffer.baseAddress!, a = x + (layers + 1) * matrix, costateBlock = a + layers * matrix
                        let scratch = costateBlock + matrix, outputs = scratch + matrix, gReadout = outputs + readout.outputs
                        switch network.lift {
                        case .linear(let lift, _, _):
                            // X_0 = inputs L ᵀ for the block's rows (one gemm).
                            lift.withUnsafeBufferPointer { l in
                                BLAS.gemm(m: rows, n: d, k: m, a: input.base + range.lowerBound * m, lda: m, b: l.baseAddress!, ldb: m,
                                          transposeB: true, beta: 0, c: x, ldc: d)
                            }
                        case .zeroPadding:
                            for (local, k) in range.enumerated() { network.lift.apply(input.base + k * m, into: x + local * d) }
                        }
                        network.blockForward(rows: rows, parameters: p.base, weights: w.base, trajectory: x, values: a)
                        for (local, k) in range.enumerated() {
                            let row = costateBlock + local * d
                            lossOut.base[k] = readout.loss(
                                x: x + layers * matrix + local * d, parameters: p.base + network.readoutOffset, width: d,
                                target: target.base + k * readout.targetWidth, weight: 1, gradX: row,
                                gradParameters: gReadout, scratch: outputs)
                            for i in 0..<d { row[i] = -row[i] }
                        }
                        func store(node n: Int) {
                            for (local, k) in range.enumerated() { for i in 0..<d { costateOut.base[(n * count + k) * d + i] = costateBlock[local * d + i] } }
                        }
                        if allNodes { store(node: layers) }
                        for n in stride(from: layers - 1, through: 0, by: -1) {
                            DiscreteCostate.blockStep(activation: field.activation, step: h, rows: rows, width: d, values: a + n * matrix,
                                                      k: w.base + 2 * n * d * d, costates: costateBlock, scratch: scratch)
                            if allNodes || n == 0 { store(node: n) }
                        }
                        for (local, k) in range.enumerated() {
                            for n in 0...(allNodes ? layers : 0) { for i in 0..<d { stateOut.base[(n * count + k) * d + i] = x[n * matrix + local * d + i] } }
                        }
                    }
                }
            }}}}}}}
            return DepthCostates(nodes: kept, samples: count, width: d, states: states, costates: costates, losses: losses)
        }
    }

    /// φ_k per sample from the final states (count × d).
    func sampleLosses(finalStates: [Double], data: Dataset) throws -> [Double] {
        let d = width, readout = self.readout
        let targets: [Double]
        switch self {
        case .resnet(let network, _): targets = try network.targetRows(data)
        case .flow(let flow): targets = try flow.network.targetRows(data)
        }
        let parameters = self.parameters, offset = parameters.count - readout.parameterCount(width: d)
        var losses = [Double](repeating: 0, count: data.count)
        var gradX = [Double](repeating: 0, count: d), gradParameters = [Double](repeating: 0, count: readout.parameterCount(width: d))
        var scratch = [Double](repeating: 0, count: readout.outputs)
        for k in 0..<data.count {
            losses[k] = parameters.withUnsafeBufferPointer { p in
                finalStates.withUnsafeBufferPointer { x in
                    targets.withUnsafeBufferPointer { t in
                        readout.loss(x: x.baseAddress! + k * d, parameters: p.baseAddress! + offset, width: d,
                                     target: t.baseAddress! + k * readout.targetWidth, weight: 1,
                                     gradX: &gradX, gradParameters: &gradParameters, scratch: &scratch)
                    }
                }
            }
        }
        return losses
    }

    /// The per-sample losses and their gradients with respect to the inputs (count × inputDimension):
    /// ∂φ_k/∂input = −Lᵀ p_k(0), from the costates. Cost as `costates(data:)`.
    public func inputGradients(data: Dataset) throws -> (losses: [Double], gradients: [Double]) {
        try inputGradients(data: data, blockSize: 32)
    }

    /// `inputGradients(data:)` with the samples in fixed blocks of at least `blockSize` rows (one product
    /// per layer and block; the rounding depends on the block size, never on the number of cores).
    func inputGradients(data: Dataset, blockSize: Int) throws -> (losses: [Double], gradients: [Double]) {
        let trajectories = try costates(data: data, allNodes: false, blockSize: blockSize)
        let d = width, m = inputDimension
        var gradients = [Double](repeating: 0, count: data.count * m)
        switch lift {
        case .zeroPadding:
            for k in 0..<data.count { for j in 0..<m { gradients[k * m + j] = -trajectories.costates[k * d + j] } }
        case .linear(let matrix, _, _):
            // Lᵀ(−p(0)) for every sample: −P(0) L with P(0) the count × d costates at t = 0 (node 0 comes first).
            trajectories.costates.withUnsafeBufferPointer { p in
                matrix.withUnsafeBufferPointer { l in
                    gradients.withUnsafeMutableBufferPointer { g in
                        BLAS.gemm(m: data.count, n: m, k: d, alpha: -1, a: p.baseAddress!, lda: d, b: l.baseAddress!, ldb: m,
                                  beta: 0, c: g.baseAddress!, ldc: m)
                    }
                }
            }
        }
        return (trajectories.losses, gradients)
    }
}
