import NumericCore

/// The targets of a data set: class labels 0..<count, or real vectors for regression.
public enum Targets: Sendable, Hashable {
    case classes(labels: [Int], count: Int)
    case values([Double], dimension: Int)
}

/// Samples for training or evaluation: inputs (count × inputDimension, row-major) and their targets.
public struct Dataset: Sendable, Hashable {
    public let inputs: [Double]
    public let inputDimension: Int
    public let targets: Targets

    /// Throws `InvalidArgument` for non-finite inputs or targets, mismatched counts, or labels out of range.
    public init(inputs: [Double], inputDimension: Int, targets: Targets) throws {
        try Validate.positive(inputDimension, "inputDimension")
        guard inputs.count % inputDimension == 0, !inputs.isEmpty else {
            throw InvalidArgument("inputs.count", inputs.count, "must be a positive multiple of inputDimension \(inputDimension)")
        }
        try Validate.finite(inputs, "inputs")
        let count = inputs.count / inputDimension
        switch targets {
        case .classes(let labels, let classes):
            try Validate.atLeast(classes, 2, "classes")
            try Validate.count(labels.count, count, "labels")
            for (i, label) in labels.enumerated() where !(0..<classes).contains(label) {
                throw InvalidArgument("labels[\(i)]", label, "must be in 0..<\(classes)")
            }
        case .values(let values, let dimension):
            try Validate.positive(dimension, "targetDimension")
            try Validate.count(values.count, count * dimension, "targets")
            try Validate.finite(values, "targets")
        }
        self.inputs = inputs
        self.inputDimension = inputDimension
        self.targets = targets
    }

    public var count: Int { inputs.count / inputDimension }

    /// The readout this data set needs: softmax cross-entropy over its classes, or least squares.
    public var readout: Readout {
        switch targets {
        case .classes(_, let classes): return .softmaxCrossEntropy(classes: classes)
        case .values(_, let dimension): return .leastSquares(outputs: dimension)
        }
    }

    public var isClassification: Bool {
        if case .classes = targets { return true }
        return false
    }

    /// The samples at `indices`, in that order.
    public func subset(_ indices: [Int]) -> Dataset {
        var x = [Double]()
        x.reserveCapacity(indices.count * inputDimension)
        for i in indices { x.append(contentsOf: inputs[(i * inputDimension)..<((i + 1) * inputDimension)]) }
        let t: Targets
        switch targets {
        case .classes(let labels, let classes): t = .classes(labels: indices.map { labels[$0] }, count: classes)
        case .values(let values, let dimension):
            var v = [Double]()
            for i in indices { v.append(contentsOf: values[(i * dimension)..<((i + 1) * dimension)]) }
            t = .values(v, dimension: dimension)
        }
        // Indices come from 0..<count and the data were validated, so this cannot fail.
        return Dataset(validated: x, inputDimension: inputDimension, targets: t)
    }

    init(validated inputs: [Double], inputDimension: Int, targets: Targets) {
        self.inputs = inputs
        self.inputDimension = inputDimension
        self.targets = targets
    }
}
