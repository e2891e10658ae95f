/// The outcome of one training run. Encodes exactly the JSON keys of `deepest train` (dataset, method,
/// trainLoss, trainMisfit, trainSamples, trainAccuracy, testAccuracy or testRMSE, action, annealingRungs, epochs, seconds,
/// gradientEvaluations, status); `lossPerEpoch` and `rungs` are for tables and result files.
public struct TrainingReport: Sendable, Encodable {
    public let dataset: String
    public let method: String
    /// The recipe that ran (the alias `method` resolved; "custom" for a config file's own stages).
    public var recipe: String = ""
    /// The objective the recipe minimised, per sample: the mean loss plus the recipe's own
    /// regularisation (Tikhonov, and for a continuum flow the smoothness α∫|θ'|²).
    public let trainLoss: Double
    /// The mean data loss over the training set, (1/M)Σ_k φ_k, without any regularisation: the one
    /// figure that compares networks trained with different regularisers (a continuum recipe's
    /// trainLoss carries its smoothness term, the ResNet's does not).
    public let trainMisfit: Double
    /// M, the training samples the losses average over.
    public let trainSamples: Int
    public let trainAccuracy: Double?
    public let testAccuracy: Double?
    public let testRMSE: Double?
    /// The action at the solution (boundary value methods only).
    public let action: Double?
    public let annealingRungs: Int?
    public let epochs: Int?
    public let seconds: Double
    public let gradientEvaluations: Int
    /// Mean minibatch loss per epoch (SGD/Adam), not part of the JSON summary.
    public let lossPerEpoch: [Double]
    public var status: String
    /// The Morse index at the returned point and the smallest Hessian eigenvalue (`MorseIndex`; nil when
    /// the Hessian was too large for the dense decomposition).
    public var morseIndex: Int? = nil
    /// True when `morseIndex` is Lanczos's count of the negative eigenvalues it resolved (above 3000
    /// parameters): a lower bound.
    public var morseIndexIsLowerBound: Bool? = nil
    public var smallestHessianEigenvalue: Double? = nil
    /// Its eigenvector (hessian-eigenvector.csv; not in the JSON summary).
    public var smallestHessianEigenvector: HessianEigenvector? = nil
    /// Per annealing rung (symplectic-euler method): r_f, action split, solver statistics.
    public var rungs: [AnnealingRung] = []
    /// Continuum methods: the trained network, the flow of the solution's weights (not encoded).
    public var flow: TrainedFlow? = nil
    /// What each stage of the pipeline did (stages.csv; not encoded).
    public var stages: [StageRecord] = []

    enum CodingKeys: String, CodingKey {
        case dataset, method, recipe, trainLoss, trainMisfit, trainSamples, trainAccuracy, testAccuracy, testRMSE, action, annealingRungs, epochs, seconds
        case gradientEvaluations, status, morseIndex, morseIndexIsLowerBound, smallestHessianEigenvalue
    }
}
