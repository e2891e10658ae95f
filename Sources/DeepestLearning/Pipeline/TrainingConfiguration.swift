import NumericCore

/// How the network's input is lifted to its width d (`InputLift`).
public enum InputLiftChoice: String, CaseIterable, Sendable, Codable {
    /// A built-in data set's own lift (`DatasetCatalog.defaultLift`); for the user's data the principal
    /// components when d is below the input dimension, zero padding otherwise.
    case automatic
    case padding
    case replication
    case principalComponents = "principal-components"
}

/// Every setting of a training run but the data: the architecture, the regularisation, the seed and
/// the recipe (`deepest train` options and config keys), with a built-in data set's defaults filled
/// in by `defaults(dataset:recipe:)`.
public struct TrainingConfiguration: Sendable, Hashable {
    /// The data set's name in reports (a built-in data set's, or the user's file name).
    public var dataName: String
    /// The built-in data set whose defaults apply (nil for the user's own data).
    public var dataset: DatasetCatalog?
    public var horizon: Double
    public var layers: Int
    /// d (0: the larger of the input dimension and 4).
    public var width: Int
    public var activation: Activation
    public var antisymmetric: Bool
    /// γ of K = W − Wᵀ − γI.
    public var shift: Double
    public var lift: InputLiftChoice
    /// λ, α, μ per sample of the mean loss J (the action's weights are M·λ, M·μ and α, or M·α in a purely
    /// discrete pipeline: `TrainingContext`).
    public var tikhonov: Double
    public var smoothness: Double
    public var readoutTikhonov: Double
    public var seed: UInt64
    /// Train on `samples` evenly spaced training samples (index i·M/samples; 0: all); the held-out set is unchanged.
    public var samples: Int
    public var recipe: TrainingRecipe
    /// The method's name in reports: the recipe name or alias the user gave.
    public var methodLabel: String

    /// The defaults of `dataset` (nil: the user's own data, `dataName`) with the recipe `recipe`.
    public static func defaults(dataset: DatasetCatalog?, dataName: String? = nil, recipe: String) throws -> TrainingConfiguration {
        var c = TrainingConfiguration(
            dataName: dataName ?? dataset?.rawValue ?? "data", dataset: dataset, horizon: 5, layers: 20,
            width: dataset?.defaultWidth ?? 0, activation: .tanh, antisymmetric: false, shift: 0, lift: .automatic,
            tikhonov: 1e-4, smoothness: 0, readoutTikhonov: 1e-4, seed: 1, samples: 0,
            recipe: try .named(recipe, dataset: dataset, horizon: 5), methodLabel: recipe)
        switch dataset {
        case .spirals: c.horizon = 10; c.layers = 16; c.antisymmetric = true; c.shift = 0.01
        case .circles: c.horizon = 5; c.layers = 10
        case .sine: c.horizon = 5; c.layers = 20
        case .digits:
            // Width 12 on the leading 12 principal directions of the pixels: the Schur complement onto
            // W = N(d² + d) + 10(d + 1) weights stays small for the boundary value recipes.
            c.width = 12; c.horizon = 1; c.layers = 2
        case nil: break
        }
        c.recipe = try .named(recipe, dataset: dataset, horizon: c.horizon)
        c.smoothness = c.recipe.smoothness
        return c
    }

    /// Throws `InvalidArgument` naming the first setting out of range (the option names of `deepest train`).
    public func validate() throws {
        try Validate.positive(horizon, "horizon")
        guard layers > 0, layers <= 1_000_000 else { throw InvalidArgument("layers", layers, "must be in 1...1000000") }
        guard width >= 0, width <= 4096 else { throw InvalidArgument("width", width, "must be in 1...4096 (0: automatic)") }
        try Validate.atLeast(samples, 0, "samples")
        guard shift.isFinite, shift >= 0 else { throw InvalidArgument("shift", shift, "must be >= 0") }
        _ = try Regularization(tikhonov: tikhonov, smoothness: smoothness, readoutTikhonov: readoutTikhonov)
    }

    /// The network for training data `data`: the field of the architecture, the lift, the data's readout.
    public func network(for data: Dataset) throws -> ResidualNetwork {
        let m = data.inputDimension
        let d = width > 0 ? width : max(m, 4)
        let field = try ResidualField(width: d, activation: activation, antisymmetric: antisymmetric, shift: shift)
        let inputLift: InputLift
        switch lift {
        case .automatic:
            switch dataset?.defaultLift(width: d, inputDimension: m) ?? (d < m ? .principalComponents : .padding) {
            case .replication: inputLift = try .replication(from: m, to: d)
            case .principalComponents: inputLift = try .principalComponents(of: data, width: d)
            default: inputLift = try .padding(from: m, to: d)
            }
        case .padding: inputLift = try .padding(from: m, to: d)
        case .replication: inputLift = try .replication(from: m, to: d)
        case .principalComponents: inputLift = try .principalComponents(of: data, width: d)
        }
        return try ResidualNetwork(field: field, layers: layers, horizon: horizon, lift: inputLift, readout: data.readout)
    }
}
