import NumericCore

/// The reduced continuum action of a `ContinuumNetwork` (the r_f → ∞ limit, states eliminated by the
/// flow constraint x' = F(x, θ)):
///
///   V(θ, C, c) = Σ_k φ_k(x_k(T)) + (λ/2)∫|θ|² dt + (α/2)∫|θ'|² dt + (μ/2)|(C, c)|²,
///
/// discretised with the network's RK4 flow on K intervals, θ piecewise linear (so ∫|θ'|² is exact:
/// Σ|θ_{n+1} − θ_n|²/h) and the trapezoidal rule for ∫|θ|². Its gradient is exact for this
/// discretisation: the discrete adjoint of RK4 (costates λ_n = ∂Σφ/∂x_n, backwards through the four
/// stages), with the weight gradient of each stage split onto the nodes of the linear interpolant.
/// Its stationary points are a second-order consistent discretisation of the r_f = ∞ Hamiltonian
/// boundary value problem (p = −λ, π = αθ'; Notes/deepest-learning-action.md §9e), which is what makes
/// them a start for the continuum methods when the Euler network's stationary point is not one.
///
/// Cost per evaluation O(M K d²): four stages forward (kept, O(K d) scratch per sample) and four pullbacks
/// backwards, parallel over fixed sample blocks whose gradient slots are summed in block order: bitwise
/// independent of the thread count. Within a block the samples go 32 at a time as the rows of matrices,
/// so every stage's activation is one vector tanh over the matrix (`ContinuumNetwork.step`, `pullback`).
public final class ReducedContinuumAction {
    public let network: ContinuumNetwork
    /// Per-sample lifted inputs (M × d) and target rows.
    let inputs: [Double], targets: [Double]
    public let samples: Int
    /// λ, α, μ of the action (the caller's M scaling included).
    public let tikhonov: Double, smoothness: Double, readoutTikhonov: Double
    private let blocks: SampleBlocks
    private var points: [Double]
    /// Per-block slots: the misfit, then the effective (K, b) gradient at the 2K + 1 points, then the readout gradient.
    private var slots: [Double]
    /// The data gradient at the 2K + 1 points, summed over the blocks.
    private var pointGradient: [Double]
    private var slotLength: Int { 1 + (2 * network.intervals + 1) * pointGradientStride + network.readoutParameterCount }
    private var pointGradientStride: Int { network.width * network.width + network.width }

    /// Throws when the data does not match the network (`ContinuumNetwork.targetRows`) or a weight is
    /// negative or not finite.
    public init(network: ContinuumNetwork, data: Dataset, tikhonov: Double, smoothness: Double, readoutTikhonov: Double) throws {
        for (value, name) in [(tikhonov, "tikhonov"), (smoothness, "smoothness"), (readoutTikhonov, "readoutTikhonov")] {
            guard value.isFinite, value >= 0 else { throw InvalidArgument(name, value, "must be finite and >= 0") }
        }
        targets = try network.targetRows(data)
        self.network = network
        samples = data.count
        let d = network.width, m = network.lift.inputDimension
        var lifted = [Double](repeating: 0, count: samples * d)
        for k in 0..<samples {
            let x = network.lift.apply(Array(data.inputs[(k * m)..<((k + 1) * m)]))
            for i in 0..<d { lifted[k * d + i] = x[i] }
        }
        inputs = lifted
        self.tikhonov = tikhonov
        self.smoothness = smoothness
        self.readoutTikhonov = readoutTikhonov
        blocks = SampleBlocks(count: samples)
        points = [Double](repeating: 0, count: (2 * network.intervals + 1) * network.pointStride)
        slots = []
        pointGradient = [Double](repeating: 0, count: (2 * network.intervals + 1) * (network.width * network.width + network.width))
    }

    public var parameterCount: Int { network.parameterCount }

    /// V(u), and ∇V(u) into `gradient` (parameterCount numbers).
    public func evaluate(_ u: [Double], gradient: inout [Double]) -> Double {
        precondition(u.count == parameterCount && gradient.count == parameterCount)
        let misfit = sweep(u, states: nil, costates: nil)
        for i in gradient.indices { gradient[i] = 0 }
        gatherDataGradient(into: &gradient)
        let (smooth, tik) = regularizationParts(u, gradient: &gradient)
        return misfit + smooth + tik
    }

    /// The action split like `ActionParts` (model error 0: the flow holds exactly).
    public func parts(_ u: [Double]) -> ActionParts {
        var g = [Double](repeating: 0, count: parameterCount)
        let misfit = sweep(u, states: nil, costates: nil)
        var p = ActionParts(dataMisfit: misfit, modelError: 0, smoothness: 0, tikhonov: 0)
        (p.smoothness, p.tikhonov) = regularizationParts(u, gradient: &g)
        return p
    }

    /// The states x_{k,n} and the costates p_{k,n} = −λ_{k,n} (discrete RK4 adjoint, p_{k,K} = −∇φ_k) at
    /// the K + 1 nodes, node-major ((K + 1) × M × d each).
    public func trajectories(_ u: [Double]) -> (states: [Double], costates: [Double]) {
        let count = network.nodeCount * samples * network.width
        var states = [Double](repeating: 0, count: count), costates = states
        states.withUnsafeMutableBufferPointer { s in
            costates.withUnsafeMutableBufferPointer { c in _ = sweep(u, states: s.baseAddress!, costates: c.baseAddress!) }
        }
        return (states, costates)
    }

    /// Forward flow and adjoint of every sample; returns Σφ and leaves the data gradient in the block slots
    /// (`gatherDataGradient` sums them). With `states`/`costates` the nodal trajectories are written there.
    private func sweep(_ u: [Double], states: UnsafeMutablePointer<Double>?, costates: UnsafeMutablePointer<Double>?) -> Double {
        let net = network, d = net.width, intervals = net.intervals, h = net.stepSize, readout = net.readout
        let length = slotLength, pointStride = net.pointStride, gStride = pointGradientStride, samples = self.samples
        let targetWidth = readout.targetWidth, readoutBase = 1 + (2 * intervals + 1) * gStride
        let activation = net.field.activation
        if slots.count != blocks.blockCount * length { slots = [Double](repeating: 0, count: blocks.blockCount * length) }
        u.withUnsafeBufferPointer { uu in points.withUnsafeMutableBufferPointer { net.pointWeights(uu.baseAddress!, into: $0.baseAddress!) } }
        let blocks = self.blocks
        var misfit = 0.0
        let stateOut = states.map { SharedMutablePointer($0) }, costateOut = costates.map { SharedMutablePointer($0) }
        u.withUnsafeBufferPointer { uu in
        points.withUnsafeBufferPointer { pp in
        inputs.withUnsafeBufferPointer { ii in
        targets.withUnsafeBufferPointer { tt in
        slots.withUnsafeMutableBufferPointer { ss in
            let params = SharedPointer(uu), pointBase = SharedPointer(pp), input = SharedPointer(ii), target = SharedPointer(tt)
            let slotBase = SharedMutablePointer(ss.baseAddress!)
            Parallel.forEach(blocks.blockCount) { block in
                let slot = slotBase.base + block * length
                slot.update(repeating: 0, count: length)
                let range = blocks.range(block), widest = min(ContinuumNetwork.batchRows, range.count) * d
                // Per batch: nodal states (K + 1 matrices), every interval's four stage states and values
                // (8 matrices, kept for the adjoint), five matrices of costate scratch, readout outputs.
                let scratchCount = (intervals + 1) * widest + intervals * 8 * widest + 5 * widest + readout.outputs
                withUnsafeTemporaryAllocation(of: Double.self, capacity: max(scratchCount, 1)) { buffer in
                    let xs = buffer.baseAddress!, stageStore = xs + (intervals + 1) * widest
                    let adjoint = stageStore + intervals * 8 * widest, weighted = adjoint + widest, pulled = weighted + widest
                    let sum = pulled + widest, u = sum + widest, outputs = u + widest
                    var first = range.lowerBound
                    while first < range.upperBound {
                        let rows = min(ContinuumNetwork.batchRows, range.upperBound - first), matrix = rows * d
                        xs.update(from: input.base + first * d, count: matrix)
                        for n in 0..<intervals {
                            net.step(n, rows: rows, x: xs + n * matrix, points: pointBase.base, stages: stageStore + n * 8 * matrix,
                                     next: xs + (n + 1) * matrix)
                        }
                        // λ_K = ∇φ per sample, and the readout gradient, in sample order.
                        for r in 0..<rows {
                            let k = first + r
                            slot[0] += readout.loss(x: xs + intervals * matrix + r * d, parameters: params.base + net.readoutOffset,
                                                    width: d, target: target.base + k * targetWidth, weight: 1, gradX: adjoint + r * d,
                                                    gradParameters: slot + readoutBase, scratch: outputs)
                        }
                        if let out = costateOut { Self.store(negated: true, adjoint, rows: rows, width: d, node: intervals, first: first, samples: samples, into: out.base) }
                        // Backwards through the stages: b_4 = h/6 λ, b_3 = h/3 λ + h μ_4, b_2 = h/3 λ + h/2 μ_3,
                        // b_1 = h/6 λ + h/2 μ_2 with μ_i = (∂ₓF)ᵀ b_i at stage i; λ_n = λ_{n+1} + Σμ_i. For the
                        // rows at once: U = σ'(A_i) ⊙ B_i, M_i = U K, G_K += Uᵀ X_i, g_b += Uᵀ1 (`pullback`).
                        for n in stride(from: intervals - 1, through: 0, by: -1) {
                            let stages = stageStore + n * 8 * matrix
                            sum.update(from: adjoint, count: matrix)
                            for stage in stride(from: 3, through: 0, by: -1) {
                                let weight = stage == 0 || stage == 3 ? h / 6 : h / 3
                                if stage == 3 {
                                    for i in 0..<matrix { weighted[i] = weight * adjoint[i] }
                                } else {
                                    let carry = stage == 2 ? h : 0.5 * h
                                    for i in 0..<matrix { weighted[i] = weight * adjoint[i] + carry * pulled[i] }
                                }
                                let pointIndex = 2 * n + (stage == 0 ? 0 : stage == 3 ? 2 : 1)
                                let point = pointBase.base + pointIndex * pointStride
                                let gradient = slot + 1 + pointIndex * gStride
                                let stageX = stages + 2 * stage * matrix, values = stageX + matrix
                                for i in 0..<matrix { u[i] = activation.derivative(value: values[i]) * weighted[i] }
                                Self.pullback(width: d, rows: rows, u: u, x: stageX, k: point, pulled: pulled, gradient: gradient)
                                for i in 0..<matrix { sum[i] += pulled[i] }
                            }
                            adjoint.update(from: sum, count: matrix)
                            if let out = costateOut { Self.store(negated: true, adjoint, rows: rows, width: d, node: n, first: first, samples: samples, into: out.base) }
                        }
                        if let out = stateOut {
                            for n in 0...intervals {
                                Self.store(negated: false, xs + n * matrix, rows: rows, width: d, node: n, first: first, samples: samples, into: out.base)
                            }
                        }
                        first += rows
                    }
                }
            }
        }}}}}
        for block in 0..<blocks.blockCount { misfit += slots[block * length] }
        return misfit
    }

    /// The adjoint of one stage for the rows: with U = σ'(A) ⊙ B given, M = U K into `pulled` (row r:
    /// (∂ₓF)ᵀ b_r), and ∂_θ[b·F] summed over the rows, G_K += Uᵀ X, g_b += Uᵀ1, into `gradient`.
    @inline(__always)
    static func pullback(width d: Int, rows: Int, u: UnsafePointer<Double>, x: UnsafePointer<Double>, k: UnsafePointer<Double>,
                         pulled: UnsafeMutablePointer<Double>, gradient: UnsafeMutablePointer<Double>) {
        let biasGradient = gradient + d * d
        for r in 0..<rows {
            let ur = u + r * d, xr = x + r * d, mr = pulled + r * d
            mr.update(repeating: 0, count: d)
            for i in 0..<d {
                let ui = ur[i], row = k + i * d, g = gradient + i * d
                for j in 0..<d {
                    mr[j] += row[j] * ui
                    g[j] += ui * xr[j]
                }
                biasGradient[i] += ui
            }
        }
    }

    /// Writes (or negates into) the node-major trajectory arrays: row r of `matrix` is sample first + r.
    static func store(negated: Bool, _ matrix: UnsafePointer<Double>, rows: Int, width d: Int, node: Int, first: Int, samples: Int,
                      into out: UnsafeMutablePointer<Double>) {
        for r in 0..<rows {
            let target = out + (node * samples + first + r) * d
            for i in 0..<d { target[i] = negated ? -matrix[r * d + i] : matrix[r * d + i] }
        }
    }

    /// Sums the block slots' data gradient in block order and maps it from the effective (K, b) at the
    /// 2K + 1 points to the nodal θ (a midpoint's weights are the mean of its two nodes') and the readout.
    private func gatherDataGradient(into g: inout [Double]) {
        let net = network, d = net.width, q = net.field.parameterCount, intervals = net.intervals
        let length = slotLength, gStride = pointGradientStride, readoutBase = 1 + (2 * intervals + 1) * gStride
        for i in pointGradient.indices { pointGradient[i] = 0 }
        for block in 0..<blocks.blockCount {
            let slot = block * length
            for i in pointGradient.indices { pointGradient[i] += slots[slot + 1 + i] }
            for i in 0..<net.readoutParameterCount { g[net.readoutOffset + i] += slots[slot + readoutBase + i] }
        }
        for n in 0..<intervals {
            for i in 0..<gStride {
                let half = 0.5 * pointGradient[(2 * n + 1) * gStride + i]
                pointGradient[2 * n * gStride + i] += half
                pointGradient[(2 * n + 2) * gStride + i] += half
            }
        }
        pointGradient.withUnsafeBufferPointer { pg in
            g.withUnsafeMutableBufferPointer { gg in
                for node in 0...intervals {
                    let source = pg.baseAddress! + 2 * node * gStride
                    net.field.accumulateParameterGradient(fromWeightGradient: source, biasGradient: source + d * d,
                                                          into: gg.baseAddress! + node * q)
                }
            }
        }
    }

    /// (α/2)Σ|θ_{n+1} − θ_n|²/h and (λ/2)·trapezoid∫|θ|² + (μ/2)|(C, c)|², their gradients added to g.
    private func regularizationParts(_ u: [Double], gradient g: inout [Double]) -> (Double, Double) {
        let net = network, q = net.field.parameterCount, intervals = net.intervals, h = net.stepSize
        var smooth = 0.0, tik = 0.0
        for n in 0...intervals {
            let w = n == 0 || n == intervals ? 0.5 * h : h
            for i in 0..<q {
                let theta = u[n * q + i]
                tik += 0.5 * tikhonov * w * theta * theta
                g[n * q + i] += tikhonov * w * theta
                if n < intervals {
                    let difference = u[(n + 1) * q + i] - theta
                    smooth += 0.5 * smoothness * difference * difference / h
                    g[n * q + i] -= smoothness * difference / h
                    g[(n + 1) * q + i] += smoothness * difference / h
                }
            }
        }
        for i in 0..<net.readoutParameterCount {
            let r = u[net.readoutOffset + i]
            tik += 0.5 * readoutTikhonov * r * r
            g[net.readoutOffset + i] += readoutTikhonov * r
        }
        return (smooth, tik)
    }
}
