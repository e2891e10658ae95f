import Foundation
import NumericCore

/// Penalty rungs of the discrete action A_h (the symplectic-Euler boundary value problem, exact inputs,
/// R_out = 1): precision annealing r_f = r_f0 · a^β, β = 0..B, each rung solved by
/// `ActionNewtonSolver` (damped Newton with the per-sample Schur complement, O(M N d² W + W³) per
/// iteration, W the weight count) warm-started from the previous rung, the first from the forward pass
/// of the iterate's weights (`PrecisionAnnealing`, Notes/deepest-learning-action.md §4, §9).
///
/// Options (the keys of a YAML stage): `rf` r_f0, `anneal-factor` a, `anneal-steps` B,
/// `newton-iterations` per rung, `reproject` (restart each rung from the forward pass of the previous
/// weights), `horizon-steps` J and `initial-horizon` T_0 (a continuation in T before the rungs, T_0
/// default T/10), `refinement` r (solve on r·N layers, the iterate's layer n repeated on its r
/// sublayers: a continuum stage's start is then O(h/r) from the continuum solution), `tikhonov-level`
/// L (solve at the action weights max(Mλ, L), max(Mμ, L): the start of a Tikhonov continuation).
/// An unconverged rung still hands on its best point; its status is in the record.
public struct DiscreteAnnealingStage: TrainingStage {
    public static let typeName = "discrete-annealing"
    public static let keys = ["rf", "anneal-factor", "anneal-steps", "newton-iterations", "reproject", "horizon-steps",
                              "initial-horizon", "refinement", "tikhonov-level"]
    public var type: String { Self.typeName }
    public var isContinuum: Bool { false }

    public var initialPrecision: Double
    public var factor: Double
    public var steps: Int
    public var newtonIterations: Int
    public var reproject: Bool
    public var horizonSteps: Int
    /// T_0 of the continuation in T (0: T/10).
    public var initialHorizon: Double
    public var refinement: Int
    public var tikhonovLevel: Double

    public init(initialPrecision: Double = 1, factor: Double = 2, steps: Int = 0, newtonIterations: Int = 30,
                reproject: Bool = false, horizonSteps: Int = 0, initialHorizon: Double = 0, refinement: Int = 1,
                tikhonovLevel: Double = 0) throws {
        try Validate.positive(initialPrecision, "rf")
        guard factor.isFinite, factor > 1 else { throw InvalidArgument("anneal-factor", factor, "must be > 1") }
        guard initialHorizon.isFinite, initialHorizon >= 0 else {
            throw InvalidArgument("initial-horizon", initialHorizon, "must be >= 0 (0: T/10)")
        }
        guard tikhonovLevel.isFinite, tikhonovLevel >= 0 else { throw InvalidArgument("tikhonov-level", tikhonovLevel, "must be >= 0") }
        self.initialPrecision = initialPrecision
        self.factor = factor
        self.steps = steps
        self.newtonIterations = newtonIterations
        self.reproject = reproject
        self.horizonSteps = horizonSteps
        self.initialHorizon = initialHorizon
        self.refinement = refinement
        self.tikhonovLevel = tikhonovLevel
    }

    public init(_ options: StageOptionReader) throws {
        try self.init(initialPrecision: try options.positiveDouble("rf", default: 1),
                      factor: try options.double("anneal-factor", default: 2),
                      steps: try options.int("anneal-steps", default: 0, in: 0...60),
                      newtonIterations: try options.int("newton-iterations", default: 30, in: 1...100_000),
                      reproject: try options.bool("reproject", default: false),
                      horizonSteps: try options.int("horizon-steps", default: 0, in: 0...1000),
                      initialHorizon: try options.double("initial-horizon", default: 0),
                      refinement: try options.int("refinement", default: 1, in: 1...64),
                      tikhonovLevel: try options.double("tikhonov-level", default: 0))
    }

    public func workEstimate(layers: Int) -> StageWorkEstimate {
        StageWorkEstimate(gradientEvaluations: checkedProduct(steps + 1, newtonIterations, refinement), depthFactor: refinement)
    }

    public func run(_ iterate: inout TrainingIterate, in context: TrainingContext, progress: StageProgress?) throws -> StageRecord {
        let start = Date()
        let net = context.network, q = net.layerParameterCount, k = net.readoutParameterCount, r = refinement
        let target = try context.actionRegularization()
        let regularization = tikhonovLevel > 0
            ? try Regularization(tikhonov: max(target.tikhonov, tikhonovLevel), smoothness: target.smoothness,
                                 readoutTikhonov: max(target.readoutTikhonov, tikhonovLevel))
            : target
        let network = r == 1 ? net : try ResidualNetwork(field: net.field, layers: net.layers * r, horizon: net.horizon,
                                                          lift: net.lift, readout: net.readout)
        var initial = iterate.parameters
        if r > 1 {
            initial = [Double](repeating: 0, count: network.parameterCount)
            for n in 0..<network.layers { for i in 0..<q { initial[network.layerOffset(n) + i] = iterate.parameters[net.layerOffset(n / r) + i] } }
            for i in 0..<k { initial[network.readoutOffset + i] = iterate.parameters[net.readoutOffset + i] }
        }
        if horizonSteps > 0 {
            let t0 = initialHorizon > 0 ? initialHorizon : net.horizon / 10
            guard t0 < net.horizon else { throw InvalidArgument("initial-horizon", t0, "must be below the horizon \(net.horizon)") }
        }
        // Frozen parameters are indices of the context's network: a refined network has another layout.
        guard context.frozenParameters.isEmpty || network.parameterCount == net.parameterCount else {
            throw InvalidArgument("refinement", network.layers / net.layers, "cannot refine the depth while parameters are frozen")
        }
        let result = try PrecisionAnnealing.run(
            network: network, data: context.data, initialParameters: initial, initialPrecision: initialPrecision,
            factor: factor, steps: steps, regularization: regularization,
            options: ActionNewtonOptions(gradientTolerance: 1e-8, maximumIterations: newtonIterations),
            reprojectBetweenRungs: reproject,
            initialHorizon: horizonSteps > 0 ? (initialHorizon > 0 ? initialHorizon : net.horizon / 10) : nil,
            horizonSteps: horizonSteps, frozenParameters: context.frozenParameters, progress: { _, rung in progress?(.rung(rung)) })
        iterate.discrete = .init(network: network, unknowns: result.unknowns, parameters: result.parameters,
                                 precision: initialPrecision * pow(factor, Double(steps)))
        iterate.parameters = network.coarsened(result.parameters, to: net)
        iterate.source = .discrete
        return StageRecord(type: type, rungs: result.rungs, seconds: Date().timeIntervalSince(start),
                           evaluations: result.rungs.reduce(0) { $0 + $1.evaluations }, status: result.rungs.last?.status ?? "none")
    }
}

extension ResidualNetwork {
    /// Parameters of this network (r·N layers) read onto `coarse` (N layers, same horizon): layer n
    /// takes layer n·r's weights; the readout is copied. The identity when the layer counts agree.
    func coarsened(_ parameters: [Double], to coarse: ResidualNetwork) -> [Double] {
        guard layers != coarse.layers else { return parameters }
        let r = layers / coarse.layers, q = layerParameterCount
        var out = [Double](repeating: 0, count: coarse.parameterCount)
        for n in 0..<coarse.layers { for i in 0..<q { out[coarse.layerOffset(n) + i] = parameters[layerOffset(n * r) + i] } }
        for i in 0..<readoutParameterCount { out[coarse.readoutOffset + i] = parameters[readoutOffset + i] }
        return out
    }
}
