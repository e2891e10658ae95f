import NumericCore

/// A configuration run on a data split: the library side of `deepest train` and `deepest compare`.
public enum TrainingExperiment {
    /// The training split of `c` (`samples` evenly spaced training samples when set).
    public static func trainingSplit(_ c: TrainingConfiguration, of full: DatasetCatalog.Split) throws -> DatasetCatalog.Split {
        guard c.samples > 0 else { return full }
        guard c.samples <= full.train.count else {
            throw InvalidArgument("samples", c.samples, "must be at most the \(full.train.count) training samples of \(c.dataName)")
        }
        return DatasetCatalog.Split(train: full.train.subset((0..<c.samples).map { $0 * full.train.count / c.samples }), test: full.test)
    }

    /// Builds the network and the recipe's pipeline, runs it and evaluates the result.
    /// `checkpoint`: see `TrainingPipeline.run`.
    public static func run(_ c: TrainingConfiguration, split full: DatasetCatalog.Split, checkpoint: CheckpointPolicy? = nil,
                           progress: ((_ stage: Int, _ type: String, _ event: StageEvent) -> Void)? = nil) throws -> TrainingOutcome {
        try c.validate()
        try Validate.count(full.test.inputDimension, full.train.inputDimension, "test inputDimension")
        let split = try trainingSplit(c, of: full)
        let network = try c.network(for: split.train)
        let regularization = try Regularization(tikhonov: c.tikhonov, smoothness: c.smoothness, readoutTikhonov: c.readoutTikhonov)
        let outcome = try c.recipe.pipeline().run(network: network, split: split, regularization: regularization, seed: c.seed,
                                                  labels: (c.dataName, c.methodLabel), checkpoint: checkpoint,
                                                  progress: progress)
        var report = outcome.report
        report.recipe = c.recipe.name
        return TrainingOutcome(report: report, parameters: outcome.parameters)
    }
}
