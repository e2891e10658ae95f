import NumericCore

/// What every stage of a pipeline reads and none changes: the network's shape, the training data,
/// the regularisation, the seed, and the lifted inputs and target rows the actions need.
public struct TrainingContext: Sendable {
    public let network: ResidualNetwork
    public let data: Dataset
    /// The per-sample weights (λ, α, μ) of the mean loss J (SGD, Adam and the reports).
    public let regularization: Regularization
    public let seed: UInt64
    /// α's factor in the action: 1 when the pipeline has a continuum stage (α is the continuum action's
    /// own weight), M otherwise (the discrete action is then M·J).
    public let smoothnessScale: Double
    /// Parameters every stage leaves fixed (network layout): the gradient stages see a zero gradient
    /// there, the constrained rung an identity row, the Langevin flow no drift and no noise, and the
    /// report's Morse index is taken over the others. Empty by default.
    public var frozenParameters: Set<Int> = []
    /// The frozen parameters as indices into the readout (C, c), for the stages whose weights are not the
    /// ResNet's layers (the continuum stages, the reduced action's Langevin flow). Throws
    /// `InvalidArgument` naming `stage` for a frozen layer weight, which has no counterpart in a field θ(t).
    public func frozenReadout(stage: String) throws -> Set<Int> {
        try validateFrozenParameters()
        let offset = network.readoutOffset
        guard frozenParameters.allSatisfy({ $0 >= offset }) else {
            throw InvalidArgument("frozenParameters", frozenParameters.min()!, "the \(stage) stage freezes readout parameters only")
        }
        return Set(frozenParameters.map { $0 - offset })
    }

    /// Throws `InvalidArgument` for a frozen index outside the network's parameters.
    public func validateFrozenParameters() throws {
        for i in frozenParameters where !(0..<network.parameterCount).contains(i) {
            throw InvalidArgument("frozenParameters", i, "must be in 0..<\(network.parameterCount)")
        }
    }

    /// Where resumable stages (Langevin) checkpoint, with the stage's file prefix; nil: no checkpoints.
    /// Set per stage by `TrainingPipeline.run(checkpoint:)`.
    public var checkpoint: CheckpointPolicy?
    /// The lifted inputs x_k(0), M × d row-major.
    public let liftedInputs: [Double]
    /// The data's targets in the readout's layout.
    public let targets: [Double]

    public init(network: ResidualNetwork, data: Dataset, regularization: Regularization, seed: UInt64,
                smoothnessScale: Double) throws {
        try Validate.count(data.inputDimension, network.inputDimension, "data.inputDimension")
        self.network = network
        self.data = data
        self.regularization = regularization
        self.seed = seed
        self.smoothnessScale = smoothnessScale
        let m = data.count, d = network.width, mIn = network.inputDimension
        var inputs = [Double](repeating: 0, count: m * d)
        for s in 0..<m {
            let lifted = network.lift.apply(Array(data.inputs[(s * mIn)..<((s + 1) * mIn)]))
            for i in 0..<d { inputs[s * d + i] = lifted[i] }
        }
        liftedInputs = inputs
        targets = try network.targetRows(data)
    }

    public var samples: Int { data.count }

    /// The action's weights: M·λ and M·μ (the action sums the readout loss over the M samples where J
    /// averages it, so the exactly constrained limit minimises M·J), α times `smoothnessScale`.
    /// Throws when a scaled weight overflows.
    public func actionRegularization() throws -> Regularization {
        let m = Double(samples)
        return try Regularization(tikhonov: regularization.tikhonov * m,
                                  smoothness: regularization.smoothness * smoothnessScale,
                                  readoutTikhonov: regularization.readoutTikhonov * m)
    }

    /// The seeded initial parameters of the network (the first stage's start).
    public func initialParameters(weightScale: Double = 1) -> [Double] {
        network.initialParameters(seed: seed, weightScale: weightScale)
    }
}
