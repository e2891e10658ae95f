/// Evaluation of a trained network on a data set.
public enum Metrics {
    /// Fraction of samples whose largest readout output is the label (classification data only;
    /// 0 for regression data).
    public static func accuracy(network: ResidualNetwork, parameters: [Double], data: Dataset) -> Double {
        accuracy(outputs: network.outputs(parameters: parameters, inputs: data.inputs), data: data)
    }

    /// The same from readout outputs (data.count × classes), e.g. of a `ContinuumNetwork`.
    public static func accuracy(outputs o: [Double], data: Dataset) -> Double {
        guard case .classes(let labels, _) = data.targets else { return 0 }
        return Double(correct(outputs: o, data: data).filter { $0 }.count) / Double(labels.count)
    }

    /// Per sample: whether the largest readout output is the label (all false for regression data).
    public static func correct(outputs o: [Double], data: Dataset) -> [Bool] {
        guard case .classes(let labels, let classes) = data.targets else { return [Bool](repeating: false, count: data.count) }
        return labels.indices.map { k in
            var best = 0
            for c in 1..<classes where o[k * classes + c] > o[k * classes + best] { best = c }
            return best == labels[k]
        }
    }

    /// Root-mean-square error over all outputs (regression data only; 0 for classification data).
    public static func rootMeanSquareError(network: ResidualNetwork, parameters: [Double], data: Dataset) -> Double {
        rootMeanSquareError(outputs: network.outputs(parameters: parameters, inputs: data.inputs), data: data)
    }

    /// The same from readout outputs (data.count × outputs).
    public static func rootMeanSquareError(outputs o: [Double], data: Dataset) -> Double {
        guard case .values(let y, _) = data.targets else { return 0 }
        var sum = 0.0
        for i in y.indices { sum += (o[i] - y[i]) * (o[i] - y[i]) }
        return (sum / Double(y.count)).squareRoot()
    }
}
