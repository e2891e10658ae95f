import Foundation
import NumericCore

/// Minibatch gradient training of the discrete ResNet on its mean loss J (the per-sample
/// regularisation λ, α, μ): SGD with heavy-ball momentum, or Adam (`MinibatchTrainer`), from the
/// iterate's weights, batches shuffled by the context's seed. Options: `epochs`, `batch`, `lr`,
/// `momentum` (SGD only). Cost per epoch: one forward and backward pass over the data, O(M N d²).
/// Status "success" or "nonFinite" (the last finite weights are handed on).
public struct MinibatchStage: TrainingStage {
    public enum Optimizer: String, CaseIterable, Sendable {
        case sgd, adam
    }

    public static let keys = ["epochs", "batch", "lr", "momentum"]
    public var type: String { optimizer.rawValue }
    public var isContinuum: Bool { false }

    public var optimizer: Optimizer
    public var epochs: Int
    public var batch: Int
    public var learningRate: Double
    public var momentum: Double

    public init(optimizer: Optimizer, epochs: Int = 200, batch: Int = 32, learningRate: Double, momentum: Double = 0.9) throws {
        try Validate.positive(epochs, "epochs")
        try Validate.positive(batch, "batch")
        try Validate.positive(learningRate, "lr")
        guard momentum.isFinite, momentum >= 0, momentum < 1 else { throw InvalidArgument("momentum", momentum, "must be in [0, 1)") }
        self.optimizer = optimizer
        self.epochs = epochs
        self.batch = batch
        self.learningRate = learningRate
        self.momentum = momentum
    }

    public init(_ optimizer: Optimizer, _ options: StageOptionReader) throws {
        if optimizer == .adam, let v = options.value("momentum") {
            throw InvalidArgument(v.origin, v.text, "applies to sgd only (Adam has its own moment estimates)")
        }
        try self.init(optimizer: optimizer, epochs: try options.int("epochs", default: 200, in: 1...100_000_000),
                      batch: try options.int("batch", default: 32, in: 1...100_000_000),
                      learningRate: try options.positiveDouble("lr", default: optimizer == .sgd ? 0.05 : 0.01),
                      momentum: try options.double("momentum", default: 0.9))
    }

    public func workEstimate(layers: Int) -> StageWorkEstimate { StageWorkEstimate(gradientEvaluations: epochs) }

    public func run(_ iterate: inout TrainingIterate, in context: TrainingContext, progress: StageProgress?) throws -> StageRecord {
        let start = Date()
        let loss = try ResidualNetworkLoss(network: context.network, data: context.data, regularization: context.regularization)
        loss.frozen = context.frozenParameters
        let options = try MinibatchOptions(epochs: epochs, batchSize: batch, seed: context.seed)
        let report: ((Int, Double) -> Void) = { epoch, value in progress?(.epoch(epoch, loss: value)) }
        let result: MinibatchTrainingResult
        switch optimizer {
        case .sgd:
            result = try MinibatchTrainer.train(loss: loss, initialParameters: iterate.parameters,
                                                optimizer: MomentumGradientDescent(learningRate: learningRate, momentum: momentum),
                                                options: options, progress: report)
        case .adam:
            result = try MinibatchTrainer.train(loss: loss, initialParameters: iterate.parameters,
                                                optimizer: Adam(learningRate: learningRate), options: options, progress: report)
        }
        iterate.parameters = result.parameters
        iterate.source = .minibatch
        return StageRecord(type: type, lossPerEpoch: result.lossPerEpoch, seconds: Date().timeIntervalSince(start),
                           evaluations: result.gradientEvaluations, status: result.status.rawValue)
    }
}
