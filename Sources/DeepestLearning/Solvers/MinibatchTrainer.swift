import Foundation
import NumericCore

/// Options of minibatch training: epochs, batch size and the seed of the shuffling.
public struct MinibatchOptions: Sendable, Hashable {
    public let epochs: Int
    public let batchSize: Int
    public let seed: UInt64

    /// Throws `InvalidArgument` for epochs or batch size < 1.
    public init(epochs: Int, batchSize: Int, seed: UInt64) throws {
        try Validate.positive(epochs, "epochs")
        try Validate.positive(batchSize, "batchSize")
        self.epochs = epochs
        self.batchSize = batchSize
        self.seed = seed
    }
}

/// The outcome of minibatch training.
public struct MinibatchTrainingResult: Sendable {
    public enum Status: String, Sendable, Codable {
        case success
        /// The loss or gradient became non-finite; `parameters` are the last finite ones.
        case nonFinite
    }

    public let parameters: [Double]
    /// Mean minibatch loss of each completed epoch (evaluated during the epoch, before each update).
    public let lossPerEpoch: [Double]
    public let gradientEvaluations: Int
    public let status: Status
    public let seed: UInt64
}

/// Minibatch training of the discrete ResNet with a first-order rule (SGD with momentum, Adam).
///
/// Epoch e visits the samples in the order `RandomStream(seed: seed, index: e).permutation(M)`, cut into
/// consecutive batches (the last one may be shorter). Each batch costs one gradient evaluation of
/// `ResidualNetworkLoss` (O(B N d²), parallel over fixed sample blocks), so the whole run is a pure
/// function of (data, initial parameters, options) and independent of the thread count.
public enum MinibatchTrainer {
    public static func train<Optimizer: GradientOptimizer>(
        loss: ResidualNetworkLoss, initialParameters: [Double], optimizer: Optimizer, options: MinibatchOptions,
        progress: ((_ epoch: Int, _ loss: Double) -> Void)? = nil
    ) throws -> MinibatchTrainingResult {
        try Validate.count(initialParameters.count, loss.network.parameterCount, "initialParameters")
        var rule = optimizer
        var parameters = initialParameters
        var lastGood = parameters
        var gradient = [Double](repeating: 0, count: parameters.count)
        var batch = [Int]()
        batch.reserveCapacity(options.batchSize)
        var history = [Double]()
        var evaluations = 0
        let count = loss.data.count
        for epoch in 0..<options.epochs {
            let order = RandomStream(seed: options.seed, index: UInt64(epoch)).permutation(count)
            var sum = 0.0
            var start = 0
            while start < count {
                let end = min(count, start + options.batchSize)
                batch.removeAll(keepingCapacity: true)
                batch.append(contentsOf: order[start..<end])
                let value = loss.evaluate(parameters: parameters, samples: batch, gradient: &gradient)
                evaluations += 1
                guard value.isFinite, gradient.allSatisfy(\.isFinite) else {
                    return MinibatchTrainingResult(parameters: lastGood, lossPerEpoch: history,
                                                   gradientEvaluations: evaluations, status: .nonFinite, seed: options.seed)
                }
                sum += value * Double(end - start)
                lastGood = parameters
                rule.update(parameters: &parameters, gradient: gradient)
                start = end
            }
            history.append(sum / Double(count))
            progress?(epoch + 1, history[epoch])
        }
        guard parameters.allSatisfy(\.isFinite) else {
            return MinibatchTrainingResult(parameters: lastGood, lossPerEpoch: history, gradientEvaluations: evaluations,
                                           status: .nonFinite, seed: options.seed)
        }
        return MinibatchTrainingResult(parameters: parameters, lossPerEpoch: history, gradientEvaluations: evaluations,
                                       status: .success, seed: options.seed)
    }
}
