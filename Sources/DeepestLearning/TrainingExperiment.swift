import Foundation
import NumericCore

/// Builds the network of a configuration, trains it and evaluates it: the library side of
/// `deepest train` and `deepest compare`.
public enum TrainingExperiment {
    /// The network of a configuration for data of the given input dimension (throws when the width
    /// is below it, except for digits, whose 64 pixels are mapped onto their leading `width` principal
    /// directions of the training inputs when the width is smaller: `InputLift.principalComponents`).
    public static func network(_ c: TrainingConfiguration, data: Dataset) throws -> ResidualNetwork {
        let field = try ResidualField(width: c.width, activation: c.activation, antisymmetric: c.antisymmetric, shift: c.shift)
        let lift = c.dataset == .digits && c.width < data.inputDimension
            ? try InputLift.principalComponents(of: data, width: c.width)
            : try c.dataset.lift(inputDimension: data.inputDimension, width: c.width)
        return try ResidualNetwork(field: field, layers: c.layers, horizon: c.horizon, lift: lift, readout: data.readout)
    }

    /// Trains with the configured method and reports the train loss, accuracies or test RMSE, time
    /// and gradient evaluations. `progress(epoch, loss)` is called after each epoch.
    public static func run(_ c: TrainingConfiguration, split full: DatasetCatalog.Split,
                           progress: ((Int, Double) -> Void)? = nil,
                           rungProgress: ((Int, AnnealingRung) -> Void)? = nil) throws -> (report: TrainingReport, parameters: [Double]) {
        try c.validate()
        if c.readout == .projected, ![.collocation, .multipleShooting, .chebyshev].contains(c.method) {
            throw InvalidArgument("readout", "projected", "is a variable projection of the continuum BVP (collocation, multiple-shooting, chebyshev); method \(c.method.rawValue) trains the readout")
        }
        let split = c.samples > 0 && c.samples < full.train.count
            ? DatasetCatalog.Split(train: full.train.subset((0..<c.samples).map { $0 * full.train.count / c.samples }),
                                   test: full.test) : full
        let net = try network(c, data: split.train)
        let reg = try Regularization(tikhonov: c.tikhonov, smoothness: c.smoothness, readoutTikhonov: c.readoutTikhonov)
        let loss = try ResidualNetworkLoss(network: net, data: split.train, regularization: reg)
        let initial = net.initialParameters(seed: c.seed)
        let options = try MinibatchOptions(epochs: c.epochs, batchSize: c.batch, seed: c.seed)
        let start = Date()
        let result: MinibatchTrainingResult
        switch c.method {
        case .symplecticEuler:
            return try runAnnealing(c, split: split, network: net, regularization: reg, initial: initial, start: start,
                                    rungProgress: rungProgress)
        case .sgd:
            result = try MinibatchTrainer.train(
                loss: loss, initialParameters: initial,
                optimizer: MomentumGradientDescent(learningRate: c.learningRate, momentum: c.momentum),
                options: options, progress: progress)
        case .adam:
            result = try MinibatchTrainer.train(loss: loss, initialParameters: initial,
                                                optimizer: Adam(learningRate: c.learningRate), options: options,
                                                progress: progress)
        case .collocation:
            return try CollocationTraining.run(c, split: split, rungProgress: rungProgress)
        case .multipleShooting:
            return try MultipleShootingTraining.run(c, split: split, rungProgress: rungProgress)
        case .chebyshev:
            return try ChebyshevTraining.run(c, split: split, rungProgress: rungProgress)
        }
        let seconds = Date().timeIntervalSince(start)
        let p = result.parameters
        let classification = split.train.isClassification
        let report = TrainingReport(
            dataset: c.dataset.rawValue, method: c.method.rawValue, trainLoss: loss.value(parameters: p),
            trainAccuracy: classification ? Metrics.accuracy(network: net, parameters: p, data: split.train) : nil,
            testAccuracy: classification ? Metrics.accuracy(network: net, parameters: p, data: split.test) : nil,
            testRMSE: classification ? nil : Metrics.rootMeanSquareError(network: net, parameters: p, data: split.test),
            action: nil, annealingRungs: nil, epochs: result.lossPerEpoch.count, seconds: seconds,
            gradientEvaluations: result.gradientEvaluations, lossPerEpoch: result.lossPerEpoch,
            status: result.status.rawValue, rungs: [])
        return (report, p)
    }

    /// The symplectic-Euler boundary value method: precision annealing of the discrete action with exact
    /// inputs (R_in = ∞), R_out = 1, regularisation M·(λ, α, μ), Newton–Schur solves per rung, then the
    /// exactly constrained rung when `constrainedIterations` > 0.
    static func runAnnealing(_ c: TrainingConfiguration, split: DatasetCatalog.Split, network net: ResidualNetwork,
                             regularization reg: Regularization, initial: [Double], start: Date,
                             rungProgress: ((Int, AnnealingRung) -> Void)?) throws -> (report: TrainingReport, parameters: [Double]) {
        // The action sums the readout loss over the M samples where the ResNet loss averages it; scaling
        // the regularisation by M makes the exactly constrained rung's reduced action V = M·J, the same
        // objective as SGD/Adam's.
        let samples = Double(split.train.count)
        let actionRegularization = try Regularization(tikhonov: reg.tikhonov * samples, smoothness: reg.smoothness * samples,
                                                      readoutTikhonov: reg.readoutTikhonov * samples)
        let result = try PrecisionAnnealing.run(
            network: net, data: split.train, initialParameters: initial, initialPrecision: c.modelPrecision,
            factor: c.annealFactor, steps: c.annealSteps, regularization: actionRegularization,
            options: ActionNewtonOptions(gradientTolerance: 1e-8, maximumIterations: c.newtonIterations),
            reprojectBetweenRungs: c.reproject, constrainedIterations: c.constrainedIterations,
            initialHorizon: c.horizonSteps > 0 ? c.resolvedInitialHorizon : nil, horizonSteps: c.horizonSteps, progress: rungProgress)
        let seconds = Date().timeIntervalSince(start)
        let p = result.parameters
        let loss = try ResidualNetworkLoss(network: net, data: split.train, regularization: reg)
        let classification = split.train.isClassification
        let last = result.rungs.last
        let report = TrainingReport(
            dataset: c.dataset.rawValue, method: c.method.rawValue, trainLoss: loss.value(parameters: p),
            trainAccuracy: classification ? Metrics.accuracy(network: net, parameters: p, data: split.train) : nil,
            testAccuracy: classification ? Metrics.accuracy(network: net, parameters: p, data: split.test) : nil,
            testRMSE: classification ? nil : Metrics.rootMeanSquareError(network: net, parameters: p, data: split.test),
            action: last?.action, annealingRungs: result.rungs.count, epochs: nil, seconds: seconds,
            gradientEvaluations: result.rungs.reduce(0) { $0 + $1.evaluations }, lossPerEpoch: [],
            status: last?.status ?? "none", rungs: result.rungs)
        return (report, p)
    }
}
