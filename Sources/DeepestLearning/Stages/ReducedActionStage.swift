import Foundation
import NumericCore

/// L-BFGS on the reduced continuum action V (the r_f = ∞ limit: the RK4 flow of piecewise-linear
/// weights on K intervals is the constraint, `ReducedContinuumAction`; Notes/deepest-learning-action.md
/// §9e). Every step decreases V, so it reaches a stationary point of the continuum problem's own
/// discretisation also where the Euler network's stationary point is far from every continuum one;
/// a following continuum stage starts from it (`BoundaryValueTraining.reducedGuess`).
///
/// Options: `iterations` (L-BFGS iterations, memory 10, ‖∇V‖_∞ ≤ 1e-7 max(1, V)), `intervals` K
/// (0: 2N), `initial-weight-scale` (first stage only: the seeded weights scaled by this factor, a flow
/// close to the identity; later stages start from the iterate's weights). Cost per iteration about one
/// full-batch gradient, O(M K d²). Status "reduced-…".
public struct ReducedActionStage: TrainingStage {
    public static let typeName = "reduced-action"
    public static let keys = ["iterations", "intervals", "initial-weight-scale"]
    public var type: String { Self.typeName }
    public var isContinuum: Bool { true }

    public var iterations: Int
    /// K (0: twice the layers).
    public var intervals: Int
    public var initialWeightScale: Double

    public init(iterations: Int = 5000, intervals: Int = 0, initialWeightScale: Double = 0.2) throws {
        try Validate.positive(iterations, "iterations")
        try Validate.atLeast(intervals, 0, "intervals")
        try Validate.positive(initialWeightScale, "initial-weight-scale")
        self.iterations = iterations
        self.intervals = intervals
        self.initialWeightScale = initialWeightScale
    }

    public init(_ options: StageOptionReader) throws {
        try self.init(iterations: try options.int("iterations", default: 5000, in: 1...10_000_000),
                      intervals: try options.int("intervals", default: 0, in: 0...100_000),
                      initialWeightScale: try options.positiveDouble("initial-weight-scale", default: 0.2))
    }

    public func workEstimate(layers: Int) -> StageWorkEstimate {
        StageWorkEstimate(gradientEvaluations: iterations, depthFactor: max(1, intervals / max(1, layers)))
    }

    public func run(_ iterate: inout TrainingIterate, in context: TrainingContext, progress: StageProgress?) throws -> StageRecord {
        let start = Date()
        let net = context.network
        let flow = try ContinuumNetwork(field: net.field, horizon: net.horizon, intervals: intervals > 0 ? intervals : 2 * net.layers,
                                        lift: net.lift, readout: net.readout)
        let weights = try context.actionRegularization()
        let action = try ReducedContinuumAction(network: flow, data: context.data, tikhonov: weights.tikhonov,
                                                smoothness: weights.smoothness, readoutTikhonov: weights.readoutTikhonov)
        let initial: [Double]
        if iterate.source == .initial {
            // The seeded readout does not depend on the weight scale (the same draws follow the weights').
            initial = flow.parameters(fromLayers: context.initialParameters(weightScale: initialWeightScale), of: net)
        } else if iterate.source == .reduced, let reduced = iterate.reduced, reduced.action.network == flow {
            initial = reduced.parameters
        } else {
            initial = flow.parameters(fromLayers: iterate.parameters, of: net)
        }
        let solved = try BoundaryValueTraining.reducedStart(action: action, initialParameters: initial, iterations: iterations,
                                                            precision: .infinity, frozen: try flow.frozenIndices(context, stage: type),
                                                            progress: { progress?(.rung($0)) })
        iterate.reduced = .init(action: action, parameters: solved.parameters)
        iterate.parameters = flow.layerParameters(solved.parameters, of: net)
        iterate.source = .reduced
        return StageRecord(type: type, rungs: [solved.rung], seconds: Date().timeIntervalSince(start),
                           evaluations: solved.rung.evaluations, status: solved.rung.status)
    }
}

extension ContinuumNetwork {
    /// The context's frozen (readout) parameters as indices of this flow's parameters (nodal weights, readout).
    func frozenIndices(_ context: TrainingContext, stage: String) throws -> Set<Int> {
        Set(try context.frozenReadout(stage: stage).map { readoutOffset + $0 })
    }

    /// The ResNet parameters of `resnet` (same horizon) read from nodal weights: layer n takes θ(n h),
    /// the piecewise-linear interpolant at its left end; the readout is copied.
    func layerParameters(_ nodal: [Double], of resnet: ResidualNetwork) -> [Double] {
        let q = field.parameterCount
        var out = [Double](repeating: 0, count: resnet.parameterCount)
        for n in 0..<resnet.layers {
            let s = Double(n) * resnet.stepSize / stepSize
            let node = min(Int(s), intervals - 1), w = s - Double(node)
            for i in 0..<q {
                out[resnet.layerOffset(n) + i] = (1 - w) * nodal[node * q + i] + w * nodal[(node + 1) * q + i]
            }
        }
        for i in 0..<readoutParameterCount { out[resnet.readoutOffset + i] = nodal[readoutOffset + i] }
        return out
    }
}
