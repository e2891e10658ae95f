import DeepestLearning
import NumericCore

/// The size of a training run, estimated before any allocation (overflow-checked, `Size`): M samples,
/// N layers, width d, P = N(d² + d) + (d + 1)·outputs weights. Memory: 10 weight-sized vectors (weights,
/// gradient, optimiser moments, L-BFGS pairs) and the states of the forward and backward passes,
/// 4·M(N + 1)d values (times the refinement or the intervals of a stage that refines the depth grid).
/// Work: per gradient evaluation 6·M·N·d² multiply-adds, times each stage's own estimate of its gradient
/// evaluations (`TrainingStage.workEstimate`).
enum TrainingSize {
    static func check(_ configuration: TrainingConfiguration, split: DatasetCatalog.Split, budget: ResourceBudget) throws {
        let m = split.train.inputDimension
        let count = configuration.samples > 0 ? min(configuration.samples, split.train.count) : split.train.count
        let d = configuration.width > 0 ? configuration.width : max(m, 4)
        let n = configuration.layers
        let outputs: Int
        switch split.train.targets {
        case .classes(_, let classes): outputs = classes
        case .values(_, let dimension): outputs = dimension
        }
        let weights = Size.sum(Size.product(n, Size.sum(Size.product(d, d), d)), Size.product(d + 1, outputs))
        let evaluation = Size.product(6, count, n, d, d)
        var depthFactor = 1
        var work: Int? = 0
        let pipeline: TrainingPipeline
        do {
            pipeline = try configuration.recipe.pipeline()
        } catch let error as InvalidArgument {
            throw TrainSettings.failure(error)
        }
        for stage in pipeline.stages {
            let estimate = stage.workEstimate(layers: n)
            depthFactor = max(depthFactor, estimate.depthFactor)
            work = Size.sum(work, Size.product(estimate.gradientEvaluations, evaluation))
        }
        let states = Size.product(4, count, n + 1, d, depthFactor)
        let bytes = Size.sum(Size.product(8, Size.sum(Size.product(10, weights), states)),
                             Size.product(split.train.count + split.test.count, m + outputs, 16), 1 << 20)
        var blame = "--layers = \(n), --width = \(d)"
        let epochs = pipeline.stages.compactMap { ($0 as? MinibatchStage)?.epochs }
        if let most = epochs.max() { blame += ", --epochs = \(most)" }
        blame += " on \(count) samples (stages \(pipeline.stages.map(\.type).joined(separator: ", ")))"
        try budget.check(bytes: bytes, work: work, blame: blame)
    }
}
