import Foundation
import NumericCore

extension TrainingPipeline {
    /// Statuses of the last stage that certify a stationary point of the reduced action (a continuum
    /// solve's "success" only for a continuum result); with a Morse index ≥ 1 such a result is reported as
    /// "saddle". A minibatch result is not a certified stationary point: its index is that of the
    /// Hessian where it stopped.
    /// The mean loss of the trivial predictor: log(classes) for softmax, half the mean squared target
    /// for least squares.
    static func trivialLoss(_ data: Dataset) -> Double {
        switch data.targets {
        case .classes(_, let count): return log(Double(max(count, 2)))
        case .values(let values, _): return 0.5 * values.reduce(0) { $0 + $1 * $1 } / Double(max(data.count, 1))
        }
    }

    /// The Morse index of a continuum result's flow over its free parameters, and the depths of the flow's
    /// nodes. Above `MorseIndex.maximumDimension` parameters it is Lanczos's lower bound: on a fine flow
    /// the nodal Hessian's spread (α/h) against its O(h) negative eigenvalues needs ~1/h Lanczos steps,
    /// so a saddle may go unresolved there (Notes/morse-index.md). (Resampling the flow to a coarser grid
    /// was tried: it turns the near-zero eigenvalues of flat directions into spurious negative ones.)
    static func continuumMorseIndex(_ flow: TrainedFlow, action: ReducedContinuumAction,
                                    context: TrainingContext) throws -> (MorseIndex?, depths: [Double]) {
        let net = flow.network
        return (MorseIndex.continuum(action: action, parameters: flow.parameters, frozen: try net.frozenIndices(context, stage: "report")),
                (0...net.intervals).map { Double($0) * net.stepSize })
    }

    static func certifiesStationarity(_ status: String, source: TrainingIterate.Source) -> Bool {
        ["constrained-converged", "reduced-converged", "lbfgs-converged"].contains(status) || (source == .continuum && status == "success")
    }

    /// The one evaluation of a pipeline's result, for every kind of last stage:
    /// - continuum: the trained network is the flow ẋ = F(x, θ(t)) of the last accepted solution's
    ///   weights on its horizon (θ sampled from the dense output on max(16N, 4·intervals) RK4 intervals;
    ///   Notes/deepest-learning-action.md §9e), its train loss V/M with the action's weights;
    /// - reduced: the flow of the reduced stage's nodal weights, its V/M;
    /// - discrete, minibatch (or no stage that moved the weights): the ResNet, its mean loss J.
    /// The status is the last stage's; `action` the last rung's; evaluations are summed over the stages.
    func outcome(_ iterate: TrainingIterate, records: [StageRecord], context: TrainingContext, split: DatasetCatalog.Split,
                 seconds: Double, labels: (dataset: String, method: String)) throws -> TrainingOutcome {
        let net = context.network, m = Double(context.samples)
        let train = split.train, test = split.test
        var trainLoss: Double, trainMisfit: Double
        var trainOutputs: [Double], testOutputs: [Double]
        var flow: TrainedFlow?
        switch iterate.source {
        case .continuum:
            let solved = iterate.continuum!
            let horizon = solved.point.horizon, q = net.layerParameterCount
            let network = try ContinuumNetwork(field: net.field, horizon: horizon,
                                               intervals: max(16 * net.layers, 4 * (solved.solution.mesh.count - 1)),
                                               lift: net.lift, readout: net.readout)
            var parameters = network.parameters(fromLayers: iterate.parameters, of: net)
            for node in 0...network.intervals {
                let y = solved.solution.value(at: node == network.intervals ? horizon : Double(node) * network.stepSize)
                for i in 0..<q { parameters[node * q + i] = y[solved.layout.weightOffset + i] }
            }
            flow = TrainedFlow(network: network, parameters: parameters)
        case .reduced:
            let reduced = iterate.reduced!
            flow = TrainedFlow(network: reduced.action.network, parameters: reduced.parameters)
        case .initial, .discrete, .minibatch:
            flow = nil
        }
        let weights = try context.actionRegularization()
        var flowAction: ReducedContinuumAction?
        if let flow {
            let action = try ReducedContinuumAction(network: flow.network, data: train, tikhonov: weights.tikhonov,
                                                    smoothness: weights.smoothness, readoutTikhonov: weights.readoutTikhonov)
            flowAction = action
            let parts = action.parts(flow.parameters)
            trainLoss = parts.total / m
            trainMisfit = parts.dataMisfit / m
            trainOutputs = flow.outputs(inputs: train.inputs)
            testOutputs = flow.outputs(inputs: test.inputs)
        } else {
            // One sweep: J = mean φ + R, summed in the order of `ResidualNetworkLoss.evaluate` (so bitwise
            // its value with the context's regularisation).
            trainMisfit = try ResidualNetworkLoss(network: net, data: train, regularization: .none).value(parameters: iterate.parameters)
            var unused = [Double](repeating: 0, count: net.parameterCount)
            trainLoss = trainMisfit + iterate.parameters.withUnsafeBufferPointer { p in
                unused.withUnsafeMutableBufferPointer { context.regularization.accumulate(network: net, parameters: p.baseAddress!, gradient: $0.baseAddress!) }
            }
            trainOutputs = net.outputs(parameters: iterate.parameters, inputs: train.inputs)
            testOutputs = net.outputs(parameters: iterate.parameters, inputs: test.inputs)
        }
        let classification = train.isClassification
        let rungs = records.flatMap(\.rungs)
        let epochs = records.reduce(0) { $0 + $1.lossPerEpoch.count }
        var report = TrainingReport(
            dataset: labels.dataset, method: labels.method, trainLoss: trainLoss, trainMisfit: trainMisfit, trainSamples: context.samples,
            trainAccuracy: classification ? Metrics.accuracy(outputs: trainOutputs, data: train) : nil,
            testAccuracy: classification ? Metrics.accuracy(outputs: testOutputs, data: test) : nil,
            testRMSE: classification ? nil : Metrics.rootMeanSquareError(outputs: testOutputs, data: test),
            action: rungs.last?.action, annealingRungs: rungs.isEmpty ? nil : rungs.count, epochs: epochs > 0 ? epochs : nil,
            seconds: seconds, gradientEvaluations: records.reduce(0) { $0 + $1.evaluations },
            lossPerEpoch: records.flatMap(\.lossPerEpoch), status: records.last?.status ?? "none", rungs: rungs)
        report.flow = flow
        report.stages = records
        // A run whose stages say success but whose loss is not finite or above ten times that of the
        // trivial predictor (+1) diverged (SGD at too large a learning rate ends at a finite, huge loss).
        if report.status.hasSuffix("success") || report.status.hasSuffix("converged"),
           !trainLoss.isFinite || trainLoss > 10 * Self.trivialLoss(train) + 1 {
            report.status = "diverged"
        }
        // The Morse index of the returned point: a certified stationary point with a negative Hessian
        // eigenvalue is a saddle, a status of its own (MATH.md §6.1).
        let morse: MorseIndex?, depths: [Double]
        if let flowAction {
            (morse, depths) = try Self.continuumMorseIndex(flow!, action: flowAction, context: context)
        } else {
            morse = try MorseIndex.discrete(network: net, data: train, parameters: iterate.parameters, regularization: weights,
                                            frozen: context.frozenParameters)
            depths = (0..<net.layers).map { Double($0) * net.stepSize }
        }
        report.morseIndex = morse?.index
        report.morseIndexIsLowerBound = morse?.indexIsLowerBound
        report.smallestHessianEigenvalue = morse?.smallestEigenvalue
        report.smallestHessianEigenvector = morse.map {
            HessianEigenvector(depths: depths, nodeParameterCount: net.layerParameterCount, values: $0.eigenvector)
        }
        if let morse, morse.index > 0, Self.certifiesStationarity(report.status, source: iterate.source) { report.status = "saddle" }
        return TrainingOutcome(report: report, parameters: iterate.parameters)
    }
}
