import NumericCore

/// The mean training loss of a trained network along two filter-normalised random directions
/// (Li, Xu, Taylor, Studer and Goldstein 2018): L(α, β) = (1/M) Σ_k φ_k at θ* + α δ1 + β δ2, where each
/// direction is Gaussian, every filter (a row of a layer's stored kernel, of a node's for a flow, and
/// of the readout C) rescaled to the norm of the same row of θ*, and the biases' entries 0. Filter
/// normalisation removes the scale invariance that makes unnormalised plots of different networks
/// incomparable (Notes/forward-stability-and-robustness.md §4). Cost one forward pass per grid point,
/// O(resolution² · M · steps · d²), parallel over grid rows.
public struct LossLandscape: Sendable {
    public let grid: LandscapeGrid
    /// L(0, 0): the loss at the trained weights.
    public let centerLoss: Double

    /// Direction `index` (0 or 1) for `network`, seeded by (seed, index).
    public static func direction(network: TrainedNetwork, seed: UInt64, index: Int) -> [Double] {
        let d = network.width, q = network.field.parameterCount, theta = network.parameters
        let stream = RandomStream(seed: seed, index: UInt64(10 + index))
        var direction = [Double](repeating: 0, count: theta.count)
        stream.fillGaussian(&direction)
        func normalise(row start: Int, length: Int) {
            var dn = 0.0, tn = 0.0
            for i in start..<(start + length) { dn += direction[i] * direction[i]; tn += theta[i] * theta[i] }
            let scale = dn > 0 ? (tn / dn).squareRoot() : 0
            for i in start..<(start + length) { direction[i] *= scale }
        }
        let blocks = network.isFlow ? network.steps + 1 : network.steps
        for block in 0..<blocks {
            for row in 0..<d { normalise(row: block * q + row * d, length: d) }
            for i in 0..<d { direction[block * q + d * d + i] = 0 }
        }
        let readout = theta.count - network.readout.parameterCount(width: d), outputs = network.readout.outputs
        for row in 0..<outputs { normalise(row: readout + row * d, length: d) }
        for i in 0..<outputs { direction[readout + outputs * d + i] = 0 }
        return direction
    }

    /// - Throws: `InvalidArgument` for resolution < 2, a range that is not positive, or data that do not
    ///   fit the network.
    public init(network: TrainedNetwork, data: Dataset, seed: UInt64 = 1, resolution: Int = 25, range: Double = 1) throws {
        try Validate.atLeast(resolution, 2, "resolution")
        try Validate.positive(range, "range")
        _ = try network.sampleLosses(finalStates: network.finalStates(inputs: data.inputs), data: data)
        let first = Self.direction(network: network, seed: seed, index: 0), second = Self.direction(network: network, seed: seed, index: 1)
        let axis = (0..<resolution).map { -range + 2 * range * Double($0) / Double(resolution - 1) }
        var values = [Double](repeating: 0, count: resolution * resolution)
        let theta = network.parameters
        values.withUnsafeMutableBufferPointer { v in
            let out = SharedMutablePointer(v.baseAddress!)
            Parallel.forEach(resolution) { j in
                for i in 0..<resolution {
                    var point = theta
                    for p in point.indices { point[p] += axis[i] * first[p] + axis[j] * second[p] }
                    out.base[j * resolution + i] = network.replacing(parameters: point).meanLoss(data: data)
                }
            }
        }
        grid = LandscapeGrid(xs: axis, ys: axis, values: values, margins: [])
        centerLoss = network.meanLoss(data: data)
    }
}

extension TrainedNetwork {
    /// The same network with other parameters (same layout and count).
    public func replacing(parameters: [Double]) -> TrainedNetwork {
        precondition(parameters.count == self.parameters.count, "parameter count")
        switch self {
        case .resnet(let n, _): return .resnet(n, parameters: parameters)
        case .flow(let f): return .flow(TrainedFlow(network: f.network, parameters: parameters))
        }
    }

    /// (1/M) Σ_k φ_k(x_k(T)) without regularisation (NaN when the data do not fit the network).
    public func meanLoss(data: Dataset) -> Double {
        guard let losses = try? sampleLosses(finalStates: finalStates(inputs: data.inputs), data: data) else { return .nan }
        return losses.reduce(0, +) / Double(max(data.count, 1))
    }
}
