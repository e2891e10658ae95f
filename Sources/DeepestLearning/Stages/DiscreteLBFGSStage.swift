import Foundation
import NumericCore

/// L-BFGS on the ResNet's full-batch mean loss J (the exactly constrained discrete action V = M·J, the
/// states eliminated by the forward pass and the gradient by backprop), from the iterate's weights.
/// Each iteration costs about one full-batch gradient, O(M N d²), against O(M N d q W) for one Newton
/// iteration of the constrained rung (W weights): it crosses the nonconvex early phase cheaply, and a
/// following `constrained` stage converges from its point in the local, quadratic phase.
///
/// Options: `iterations` (at most), `gradient-tolerance` (stop at max|∇J| ≤ tol · max(1, J)), `memory`.
/// Status "lbfgs-…" (converged, iterationLimit, lineSearchFailed, nonFinite).
public struct DiscreteLBFGSStage: TrainingStage {
    public static let typeName = "lbfgs"
    public static let keys = ["iterations", "gradient-tolerance", "memory"]
    public var type: String { Self.typeName }
    public var isContinuum: Bool { false }

    /// The minimiser with the stage's iterations, gradient tolerance and memory (checked by its init).
    public var minimizer: LimitedMemoryBFGS

    public init(iterations: Int = 2000, gradientTolerance: Double = 1e-6, memory: Int = 10) throws {
        minimizer = try LimitedMemoryBFGS(memory: memory, gradientTolerance: gradientTolerance, maximumIterations: iterations)
    }

    public init(_ options: StageOptionReader) throws {
        try self.init(iterations: try options.int("iterations", default: 2000, in: 1...100_000_000),
                      gradientTolerance: try options.positiveDouble("gradient-tolerance", default: 1e-6),
                      memory: try options.int("memory", default: 10, in: 1...1000))
    }

    public func workEstimate(layers: Int) -> StageWorkEstimate {
        StageWorkEstimate(gradientEvaluations: minimizer.maximumIterations)
    }

    public func run(_ iterate: inout TrainingIterate, in context: TrainingContext, progress: StageProgress?) throws -> StageRecord {
        let start = Date()
        let loss = try ResidualNetworkLoss(network: context.network, data: context.data, regularization: context.regularization)
        loss.frozen = context.frozenParameters
        // Full-batch gradients at every width through the batched kernels (gemm over blocks of 32 samples
        // and libmvec's vector tanh): 2.3x (spirals, d = 4: 0.42 → 0.18 ms) and 1.6x (digits, d = 12: 0.82 → 0.50 ms)
        // faster per gradient than
        // the per-sample kernels minibatches of narrow networks use (Notes/resnet-minibatch-kernels.md).
        loss.minimumBatchedWidth = 1
        let m = Double(context.samples)
        let result = minimizer.minimize(start: iterate.parameters, evaluate: { u, g in loss.evaluate(parameters: u, gradient: &g) },
                                        progress: { iteration, value, _ in
            if iteration % 100 == 0 { progress?(.epoch(iteration, loss: value)) }
        })
        // The rung in the units of the action V = M·J (the constrained rung's), r_f = ∞.
        let parts = ActionParts(dataMisfit: .nan, modelError: 0, smoothness: .nan, tikhonov: .nan)
        let rung = AnnealingRung(beta: 0, modelPrecision: .infinity, action: m * result.value, parts: parts,
                                 gradientNorm: m * result.gradientNorm, iterations: result.iterations,
                                 evaluations: result.evaluations, status: "lbfgs-" + result.status.rawValue)
        progress?(.rung(rung))
        iterate.parameters = result.point
        iterate.discrete = nil
        iterate.source = .minibatch
        return StageRecord(type: type, rungs: [rung], seconds: Date().timeIntervalSince(start), evaluations: result.evaluations,
                           status: rung.status)
    }
}
