import Foundation
import NumericCore
import Stochastic

/// The Langevin flow of the reduced training action V(θ, R) = w·J_data(θ, R) + penalties (r_f = ∞: the
/// states eliminated by the forward pass, the gradient by backprop) in optimisation time τ, preconditioned
/// as in MATH.md §2.3 (Notes/langevin-flow.md):
///
///   dθ_n = −(1/h) ∂V/∂θ_n dτ + √(2 Temp/h) dB_n   (the weights of layer n, a field in depth),
///   dR   = −∂V/∂R dτ + √(2 Temp) dB_R              (the readout, a global unknown),
///
/// whose invariant law at fixed Temp is ∝ exp(−V/Temp). A frozen readout parameter keeps its value
/// (its decay μ acts only on a nonzero value: freeze at 0). It is a `SemilinearSPDE` on the depth interval
/// (0, T) with the Neumann cosine basis on the N layer midpoints: the smoothness (α/2h)Σ|θ_{n+1} − θ_n|²
/// is the second-difference Laplacian (`SpectralOperator.LaplacianSymbol.secondDifference`, implicit),
/// the Tikhonov term h(λ/2)Σ|θ_n|² the decay λ (implicit), the readout's μ its globals' decay, and the
/// data term the nonlinearity (explicit, one full-batch gradient per step). In L²-orthonormal
/// coefficients the node noise √(2 Temp/h) is σ = √(2 Temp) per mode. Cost per step: one forward and
/// adjoint pass over the M samples, O(M N d²), plus two DCTs of N points per weight component.
public struct LangevinFlow: Sendable {
    public let network: ResidualNetwork
    public let data: Dataset
    /// The action's penalties (λ, α, μ already in the action's scaling).
    public let regularization: Regularization
    /// The weight w of the data term: M for the action V = M·J (the default).
    public let dataWeight: Double
    public let schedule: TemperatureSchedule
    /// Readout parameters (indices from `network.readoutOffset`) held fixed: no drift, no noise. The
    /// bias-free readout of the closed-form saddle (MATH.md §6.2) freezes the bias at 0.
    public let frozenReadout: Set<Int>
    /// ResNet losses (data term only) with their buffers, one per concurrent evaluation: the flow's
    /// steppers and `actionAndDrift` reuse them instead of building a loss per call.
    let losses: WorkspacePool<LossWorkspace>

    /// Throws `InvalidArgument` for data that do not fit the network, a negative data weight, or a
    /// frozen index outside the readout.
    public init(network: ResidualNetwork, data: Dataset, regularization: Regularization, dataWeight: Double? = nil,
                schedule: TemperatureSchedule, frozenReadout: Set<Int> = []) throws {
        let targets = try network.targetRows(data)
        losses = WorkspacePool(limit: max(2, Parallel.workerCount)) {
            LossWorkspace(ResidualNetworkLoss(network: network, data: data, targets: targets))
        }
        for i in frozenReadout where !(0..<network.readoutParameterCount).contains(i) {
            throw InvalidArgument("frozenReadout", i, "must be in 0..<\(network.readoutParameterCount)")
        }
        self.frozenReadout = frozenReadout
        let weight = dataWeight ?? Double(data.count)
        guard weight.isFinite, weight >= 0 else { throw InvalidArgument("dataWeight", weight, "must be finite and >= 0") }
        self.network = network
        self.data = data
        self.regularization = regularization
        self.dataWeight = weight
        self.schedule = schedule
    }

    /// Components of the depth field (d² + d weights per layer) and the readout's size.
    public var components: Int { network.layerParameterCount }

    /// The flow as a semilinear SPDE started from `parameters` (network layout). Each stepper on it
    /// takes its own loss workspace from a pool, so ensembles of the flow run over both cores.
    public func equation(start parameters: [Double]) throws -> SemilinearSPDE {
        try Validate.count(parameters.count, network.parameterCount, "parameters")
        // The readout's decay μ is one rate for every global: a frozen entry away from 0 would decay.
        for i in frozenReadout where parameters[network.readoutOffset + i] != 0 && regularization.readoutTikhonov != 0 {
            throw InvalidArgument("frozenParameters", network.readoutOffset + i,
                                  "the reduced Langevin flow holds a frozen readout parameter only at 0 when readoutTikhonov > 0")
        }
        let net = network, q = components, layers = net.layers, h = net.stepSize
        let weight = dataWeight, readoutCount = net.readoutParameterCount, readoutOffset = net.readoutOffset
        let frozen = frozenReadout, pool = losses
        let nonlinearity = SPDENonlinearity { view, result in
            let workspace = pool.take()
            defer { pool.giveBack(workspace) }
            // Engine layout (component c at node n: c·N + n, then the readout) → network layout (n·q + c).
            for n in 0..<layers { for c in 0..<q { workspace.parameters[n * q + c] = view.values[c * layers + n] } }
            for i in 0..<readoutCount { workspace.parameters[readoutOffset + i] = view.globals[i] }
            workspace.loss.evaluate(parameters: workspace.parameters, gradient: &workspace.gradient)
            // F = −(w/h) ∂J/∂θ_n at the nodes; the readout's −w ∂J/∂R.
            for n in 0..<layers { for c in 0..<q { result[c * layers + n] = -weight / h * workspace.gradient[n * q + c] } }
            for i in 0..<readoutCount { result[layers * q + i] = frozen.contains(i) ? 0 : -weight * workspace.gradient[readoutOffset + i] }
        }
        let amplitude = (2 * schedule.initial).squareRoot()
        let schedule = schedule
        let noise = schedule.initial > 0
            ? try SPDENoise(amplitude: amplitude, schedule: { tau in (schedule.temperature(at: tau) / schedule.initial).squareRoot() })
            : SPDENoise.none
        let start = parameters
        let operator_ = try SpectralOperator(diffusion: [regularization.smoothness], decay: [regularization.tikhonov],
                                             laplacian: .secondDifference)
        let globals = try SPDEGlobals(count: readoutCount, decay: regularization.readoutTikhonov,
                                      noiseScales: (0..<readoutCount).map { frozen.contains($0) ? 0 : 1 },
                                      initialValue: Array(parameters[readoutOffset...]))
        return try SemilinearSPDE(boundaries: [.neumann], lengths: [net.horizon], components: q, linearPart: operator_,
                                  nonlinearity: nonlinearity, noise: noise,
                                  initialValue: { c, t, _ in
                                      // t is the midpoint (n + ½)h of layer n.
                                      let n = min(layers - 1, max(0, Int(t / h)))
                                      return start[n * q + c]
                                  }, globals: globals)
    }

    /// The network parameters of a stepper's state.
    public func parameters(of stepper: SPDEStepper) -> [Double] {
        let q = components, layers = network.layers
        let field = stepper.nodeValues, readout = stepper.globalValues
        var p = [Double](repeating: 0, count: network.parameterCount)
        for n in 0..<layers { for c in 0..<q { p[n * q + c] = field[c * layers + n] } }
        for i in 0..<readout.count { p[network.readoutOffset + i] = readout[i] }
        return p
    }

    /// V(θ, R) = w·J_data + penalties, and the preconditioned drift −P∇V in network layout (P = 1/h on
    /// the weights, 1 on the readout): the flow's drift, assembled directly (for checks and diagnostics).
    public func actionAndDrift(_ parameters: [Double]) throws -> (action: Double, drift: [Double]) {
        try Validate.count(parameters.count, network.parameterCount, "parameters")
        let workspace = losses.take()
        defer { losses.giveBack(workspace) }
        let value = workspace.loss.evaluate(parameters: parameters, gradient: &workspace.gradient)
        let gradient = workspace.gradient
        var total = [Double](repeating: 0, count: network.parameterCount)
        for i in 0..<total.count { total[i] = dataWeight * gradient[i] }
        let penalty = parameters.withUnsafeBufferPointer { p in
            total.withUnsafeMutableBufferPointer { g in regularization.accumulate(network: network, parameters: p.baseAddress!, gradient: g.baseAddress!) }
        }
        let h = network.stepSize
        let offset = network.readoutOffset
        let drift = total.enumerated().map { i, g in i < offset ? -g / h : (frozenReadout.contains(i - offset) ? 0 : -g) }
        return (dataWeight * value + penalty, drift)
    }
}

/// One ResNet loss with its parameter and gradient buffers (loss evaluations reuse their workspace).
final class LossWorkspace: @unchecked Sendable {
    // @unchecked: used by one thread at a time (taken from and given back to a `WorkspacePool`).
    let loss: ResidualNetworkLoss
    var parameters: [Double]
    var gradient: [Double]

    init(_ loss: ResidualNetworkLoss) {
        // The batched kernels at every width (Notes/resnet-minibatch-kernels.md), as the lbfgs stage.
        loss.minimumBatchedWidth = 1
        self.loss = loss
        parameters = [Double](repeating: 0, count: loss.network.parameterCount)
        gradient = parameters
    }
}
