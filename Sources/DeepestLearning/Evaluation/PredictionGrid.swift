import NumericCore

/// A trained network evaluated on a regular grid over the bounding box of a data set's inputs, for
/// plots: decision regions of a two-dimensional classifier, or the prediction curve of a
/// one-dimensional regression. One forward pass over all grid points, O(points · N d²).
public struct PredictionGrid: Sendable {
    /// Grid points, row-major (points × inputDimension); in two dimensions the first coordinate varies
    /// fastest.
    public let inputs: [Double]
    public let inputDimension: Int
    /// Per point: the predicted class (classification) or the readout's outputs (regression,
    /// points × outputs).
    public let predictions: [Double]
    public let outputsPerPoint: Int

    /// - Parameters: `margin` widens the bounding box of `data`'s inputs by that fraction of its
    ///   extent on every side; `resolution` points per axis.
    /// - Throws: `InvalidArgument` unless the inputs are one- or two-dimensional and resolution ≥ 2.
    public init(network: ResidualNetwork, parameters: [Double], data: Dataset, resolution: Int, margin: Double = 0.1) throws {
        try self.init(readout: network.readout, data: data, resolution: resolution, margin: margin) {
            network.outputs(parameters: parameters, inputs: $0)
        }
    }

    /// The same for any trained network given by its readout outputs at a batch of inputs (e.g. the
    /// flow of a continuum method, `TrainedFlow`).
    public init(readout: Readout, data: Dataset, resolution: Int, margin: Double = 0.1,
                outputs evaluate: ([Double]) -> [Double]) throws {
        guard (1...2).contains(data.inputDimension) else {
            throw InvalidArgument("inputDimension", data.inputDimension, "must be 1 or 2 for a prediction grid")
        }
        try Validate.atLeast(resolution, 2, "resolution")
        guard margin.isFinite, margin >= 0 else { throw InvalidArgument("margin", margin, "must be finite and >= 0") }
        let dimension = data.inputDimension
        var axes = [[Double]]()
        for axis in 0..<dimension {
            var low = Double.infinity, high = -Double.infinity
            for s in 0..<data.count {
                low = min(low, data.inputs[s * dimension + axis])
                high = max(high, data.inputs[s * dimension + axis])
            }
            let pad = margin * max(high - low, 1e-12)
            low -= pad
            high += pad
            axes.append((0..<resolution).map { low + (high - low) * Double($0) / Double(resolution - 1) })
        }
        var points = [Double]()
        if dimension == 1 {
            points = axes[0]
        } else {
            points.reserveCapacity(2 * resolution * resolution)
            for y in axes[1] {
                for x in axes[0] { points.append(x); points.append(y) }
            }
        }
        let outputs = evaluate(points)
        let count = points.count / dimension
        switch readout {
        case .softmaxCrossEntropy(let classes):
            predictions = (0..<count).map { k in
                var best = 0
                for c in 1..<classes where outputs[k * classes + c] > outputs[k * classes + best] { best = c }
                return Double(best)
            }
            outputsPerPoint = 1
        case .leastSquares(let outputCount):
            predictions = outputs
            outputsPerPoint = outputCount
        }
        inputs = points
        inputDimension = dimension
    }

    public var count: Int { inputs.count / inputDimension }
}
