import NumericCore

/// A continuous-depth residual network discretised by forward Euler: x_{n+1} = x_n + h F(x_n, θ_n),
/// n = 0..N−1, h = T/N, with an input lift and a readout.
///
/// Parameter vector layout (contiguous): θ_0, …, θ_{N−1} (each d² + d, see `ResidualField`),
/// then the readout (C, c). The same layout is used by the ResNet loss, the discrete action and the
/// boundary value formulations (Notes/deepest-learning-action.md).
public struct ResidualNetwork: Sendable, Hashable {
    public let field: ResidualField
    public let layers: Int
    public let horizon: Double
    public let lift: InputLift
    public let readout: Readout

    /// Throws `InvalidArgument` for layers < 1, horizon ≤ 0 or a lift whose width is not the field's.
    public init(field: ResidualField, layers: Int, horizon: Double, lift: InputLift, readout: Readout) throws {
        try Validate.positive(layers, "layers")
        try Validate.positive(horizon, "horizon")
        guard lift.width == field.width else {
            throw InvalidArgument("lift.width", lift.width, "must equal the field width \(field.width)")
        }
        self.field = field
        self.layers = layers
        self.horizon = horizon
        self.lift = lift
        self.readout = readout
    }

    public var width: Int { field.width }
    public var inputDimension: Int { lift.inputDimension }
    /// h = T/N.
    public var stepSize: Double { horizon / Double(layers) }
    public var layerParameterCount: Int { field.parameterCount }
    /// N (d² + d): the weights θ_0..θ_{N−1}.
    public var weightParameterCount: Int { layers * field.parameterCount }
    public var readoutParameterCount: Int { readout.parameterCount(width: width) }
    public var parameterCount: Int { weightParameterCount + readoutParameterCount }
    /// Offset of θ_n in the parameter vector.
    public func layerOffset(_ n: Int) -> Int { n * field.parameterCount }
    public var readoutOffset: Int { weightParameterCount }

    /// Seeded initial parameters: K (or W) entries N(0, scale²/d), b = 0, readout entries N(0, 1/d),
    /// readout bias 0. A pure function of (seed, shape).
    public func initialParameters(seed: UInt64, weightScale: Double = 1) -> [Double] {
        let stream = RandomStream(seed: seed, index: 0)
        var p = [Double](repeating: 0, count: parameterCount)
        let d = width
        let sd = weightScale / Double(d).squareRoot()
        for n in 0..<layers {
            let o = layerOffset(n)
            for i in 0..<(d * d) { p[o + i] = sd * stream.gaussian() }
        }
        let r = readoutOffset
        for i in 0..<(readout.outputs * d) { p[r + i] = stream.gaussian() / Double(d).squareRoot() }
        return p
    }

    /// The flattened target rows the readout kernels read (`readout.targetWidth` numbers per sample).
    /// Throws when the data set's kind or dimensions do not match this network.
    public func targetRows(_ data: Dataset) throws -> [Double] {
        guard data.inputDimension == inputDimension else {
            throw InvalidArgument("data.inputDimension", data.inputDimension, "must equal the network's \(inputDimension)")
        }
        switch (data.targets, readout) {
        case (.classes(let labels, let classes), .softmaxCrossEntropy(let outputs)) where classes == outputs:
            return labels.map(Double.init)
        case (.values(let values, let dimension), .leastSquares(let outputs)) where dimension == outputs:
            return values
        default:
            throw InvalidArgument("data.targets", "\(data.targets)".prefix(40), "do not match the readout \(readout)")
        }
    }

    /// Final states x_N of every sample (count × d), by the forward pass with the given parameters.
    public func finalStates(parameters: [Double], inputs: [Double]) -> [Double] {
        let d = width, m = inputDimension, count = inputs.count / m
        var states = [Double](repeating: 0, count: count * d)
        let kAll = effectiveWeights(parameters)
        parameters.withUnsafeBufferPointer { pp in
            inputs.withUnsafeBufferPointer { input in
                kAll.withUnsafeBufferPointer { kk in
                    states.withUnsafeMutableBufferPointer { out in
                        let shared = SharedMutablePointer(out.baseAddress!)
                        let pBase = SharedPointer(pp)
                        let iBase = SharedPointer(input)
                        let kBase = SharedPointer(kk)
                        Parallel.forEachChunk(count) { range in
                            var z = [Double](repeating: 0, count: 2 * d)
                            var a = [Double](repeating: 0, count: d)
                            z.withUnsafeMutableBufferPointer { zb in
                                a.withUnsafeMutableBufferPointer { ab in
                                    for k in range {
                                        let x = shared.base + k * d
                                        lift.apply(iBase.base + k * m, into: x)
                                        for n in 0..<layers {
                                            field.evaluate(
                                                x: x, kTransposed: kBase.base + (2 * n + 1) * d * d,
                                                bias: pBase.base + layerOffset(n) + d * d,
                                                preactivation: zb.baseAddress!, value: ab.baseAddress!)
                                            let h = stepSize
                                            for i in 0..<d { x[i] += h * ab[i] }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        return states
    }

    /// Readout outputs C x_N + c (count × outputs).
    public func outputs(parameters: [Double], inputs: [Double]) -> [Double] {
        readout.outputs(finalStates: finalStates(parameters: parameters, inputs: inputs), parameters: parameters,
                        offset: readoutOffset, width: width)
    }

    /// For each layer n: K_n then K_nᵀ (2 d² numbers per layer, row-major).
    func effectiveWeights(_ parameters: [Double]) -> [Double] {
        var out = [Double](repeating: 0, count: 2 * layers * width * width)
        parameters.withUnsafeBufferPointer { p in
            out.withUnsafeMutableBufferPointer { writeEffectiveWeights(p.baseAddress!, into: $0.baseAddress!) }
        }
        return out
    }

    /// Writes K_n then K_nᵀ for every layer (2 d² numbers per layer, row-major) into `w`. Cost O(N d²).
    @inlinable public func writeEffectiveWeights(_ parameters: UnsafePointer<Double>, into w: UnsafeMutablePointer<Double>) {
        let d = width
        for n in 0..<layers {
            let k = w + 2 * n * d * d
            field.weightMatrix(parameters + layerOffset(n), into: k)
            let kt = k + d * d
            for i in 0..<d { for j in 0..<d { kt[j * d + i] = k[i * d + j] } }
        }
    }
}
