import NumericCore

/// The Langevin flow of the discrete training action A_h at a finite model precision r_f (MATH.md §2.3;
/// Notes/langevin-flow.md §6): the unknowns are the states x_{k,n} of every sample and the network
/// parameters, preconditioned by W = h·I on the states and the layer weights and by 1 on the readout,
///
///   dx_{k,n} = −(1/h) ∂A_h/∂x_{k,n} dτ + √(2 Temp/h) dB,   dθ_n = −(1/h) ∂A_h/∂θ_n dτ + √(2 Temp/h) dB,
///   dR = −∂A_h/∂R dτ + √(2 Temp) dB,
///
/// whose invariant law at fixed Temp is ∝ exp(−A_h/Temp). The reduced flow (`LangevinFlow`) is its limit
/// r_f → ∞, where the states follow the forward pass. Scheme (`DiscreteLangevinStepper`): semi-implicit
/// Euler–Maruyama, implicit in the quadratic parts whose stiffness grows as the grid is refined — the
/// model-error Laplacian (r_f/h²)·L of each state path (grounded at an exact input x_0 and free at x_N,
/// or free at both ends with finite R_in, whose R_in/h on x_0 is implicit too) and the smoothness and
/// Tikhonov terms α/h²·L + λ of each weight component (free ends), and μ on the readout — solved by the
/// Thomas algorithm, since the grounded-free path Laplacian is diagonalised by no FFTW kind (its
/// eigenvectors sin((2j+1)πn/(2N+1)) are a DST-VII); the data term and the field's cross terms are
/// explicit. Strong and weak order 1 in τ (additive noise on a fixed grid). Stability: the explicit part
/// needs Δτ below about h/(r_f‖K‖) (cross terms), 1/(r_f M|x|²) (the weights' data curvature) and
/// h/|C|² (the readout's curvature on x_N); the stage's default Δτ is 0.1/(M·max(1, r_f)), capped at
/// 0.1·h/r_f and 0.1·h/|C|² of the starting readout.
///
/// A frozen parameter has no drift and no noise; a weight component with a frozen entry in some layer
/// takes its smoothness and Tikhonov terms explicitly (its implicit solve would move the frozen entry), so
/// it needs Δτ < h²/(2α) too.
/// Cost per step: one evaluation of A_h and its gradient (O(M N d²), parallel over sample blocks), plus
/// O(M N d) for the tridiagonal solves and the Gaussian draws.
public struct DiscreteLangevinFlow: Sendable {
    public let network: ResidualNetwork
    public let data: Dataset
    /// r_f > 0 (R_f = r_f/h in A_h).
    public let modelPrecision: Double
    /// R_in > 0 or +∞ (exact inputs: x_{k,0} is not an unknown).
    public let inputWeight: Double
    public let regularization: Regularization
    public let schedule: TemperatureSchedule
    /// Indices in the network's parameter layout held fixed (no drift, no noise).
    public let frozenParameters: Set<Int>
    /// The data's target rows (`ResidualNetwork.targetRows`).
    let targets: [Double]

    /// Throws `InvalidArgument` for r_f ≤ 0, R_in ≤ 0, data that do not fit the network, or a frozen
    /// index outside the parameters.
    public init(network: ResidualNetwork, data: Dataset, modelPrecision: Double, inputWeight: Double = .infinity,
                regularization: Regularization, schedule: TemperatureSchedule, frozenParameters: Set<Int> = []) throws {
        // Validates r_f, R_in and the data.
        targets = try TrainingAction(network: network, data: data, modelPrecision: modelPrecision, inputWeight: inputWeight,
                                     regularization: regularization).targets
        for i in frozenParameters where !(0..<network.parameterCount).contains(i) {
            throw InvalidArgument("frozenParameters", i, "must be in 0..<\(network.parameterCount)")
        }
        self.network = network
        self.data = data
        self.modelPrecision = modelPrecision
        self.inputWeight = inputWeight
        self.regularization = regularization
        self.schedule = schedule
        self.frozenParameters = frozenParameters
    }

    /// The action this flow samples (a new instance: `TrainingAction` keeps evaluation buffers).
    public func action() -> TrainingAction {
        TrainingAction(network: network, data: data, targets: targets, modelPrecision: modelPrecision, inputWeight: inputWeight,
                       outputWeight: 1, regularization: regularization)
    }

    /// A_h and the flow's drift −P∇A_h (P = 1/h on states and layer weights, 1 on the readout, 0 where
    /// frozen), in the unknowns' layout (`TrainingAction`: states, then parameters).
    public func actionAndDrift(_ unknowns: [Double]) throws -> (action: Double, drift: [Double]) {
        let action = action()
        try Validate.count(unknowns.count, action.unknownCount, "unknowns")
        var gradient = [Double]()
        let value = action.evaluate(unknowns: unknowns, gradient: &gradient)
        return (value, drift(gradient: gradient, stateCount: action.stateUnknownCount))
    }

    /// −P∇A_h from ∇A_h (unknowns' layout): P = 1/h on the `stateCount` states.
    func drift(gradient: [Double], stateCount: Int) -> [Double] {
        let h = network.stepSize, p = parameterPreconditioner
        return gradient.enumerated().map { i, g in i < stateCount ? -g / h : -p[i - stateCount] * g }
    }

    /// The diagonal preconditioner P on the parameters (network layout): 1/h on the layer weights, 1 on
    /// the readout, 0 where frozen (on every state it is 1/h).
    var parameterPreconditioner: [Double] {
        let h = network.stepSize, offset = network.readoutOffset
        return (0..<network.parameterCount).map { p in frozenParameters.contains(p) ? 0 : (p < offset ? 1 / h : 1) }
    }
}
