import BoundaryValue
import NumericCore

extension BoundaryValueTraining {
    /// The reduced start of a continuum training run (Notes/deepest-learning-action.md §9e): a stationary
    /// point of the reduced continuum action V (`ReducedContinuumAction`, the r_f = ∞ limit with the RK4
    /// flow on K intervals as the constraint) at the target weights (λ, α, μ), found by L-BFGS from
    /// `initialParameters` (nodal weights and readout). Every step decreases V, so when it converges it
    /// reaches a (local) stationary point of the continuum problem's own discretisation, also where the
    /// Euler network's stationary point is far from every continuum one (§9d). `run` builds the continuum
    /// guess from its last point whatever its status; the continuum Newton then decides.
    public struct ReducedStart: Sendable {
        /// Nodal weights θ_0..θ_K, then the readout.
        public let parameters: [Double]
        public let parts: ActionParts
        public let rung: AnnealingRung
    }

    /// Runs L-BFGS (memory 10, ‖∇V‖_∞ ≤ `gradientTolerance` · max(1, V), at most `iterations`) on V from
    /// `initialParameters`. `precision` is only recorded in the rung (β = −1, status "reduced-…").
    /// `progress` receives a provisional rung (status "reduced-running") every 250 iterations. Parameters in
    /// `frozen` (indices of `initialParameters`) keep their value: their gradient is set to zero.
    public static func reducedStart(action: ReducedContinuumAction, initialParameters: [Double], iterations: Int,
                                    precision: Double, gradientTolerance: Double = 1e-7, frozen: Set<Int> = [],
                                    progress: ((AnnealingRung) -> Void)? = nil) throws -> ReducedStart {
        let minimizer = try LimitedMemoryBFGS(memory: 10, gradientTolerance: gradientTolerance, maximumIterations: iterations)
        let result = minimizer.minimize(start: initialParameters, evaluate: { u, g in
            let value = action.evaluate(u, gradient: &g)
            for i in frozen { g[i] = 0 }
            return value
        },
                                        progress: { iteration, value, gradientNorm in
            guard let progress, iteration % 250 == 0 else { return }
            let parts = ActionParts(dataMisfit: .nan, modelError: 0, smoothness: .nan, tikhonov: .nan)
            progress(AnnealingRung(beta: -1, modelPrecision: precision, action: value, parts: parts, gradientNorm: gradientNorm,
                                   iterations: iteration, evaluations: 0, status: "reduced-running"))
        })
        let parts = action.parts(result.point)
        let rung = AnnealingRung(beta: -1, modelPrecision: precision, action: parts.total, parts: parts,
                                 gradientNorm: result.gradientNorm, iterations: result.iterations,
                                 evaluations: result.evaluations, status: "reduced-" + result.status.rawValue)
        return ReducedStart(parameters: result.point, parts: parts, rung: rung)
    }

    /// The continuum guess on the K + 1 nodes of the reduced flow: x_k(t_n) the RK4 states, p_k(t_n) =
    /// −λ_{k,n} (the RK4 adjoint), θ(t_n) the nodal weights, π(t_n) = αθ'(t_n) by central differences
    /// (0 at both ends, the natural conditions), the readout. Lagrangian form: ẋ_k = F(x_k, θ) + p_k/r_f
    /// and θ' in place of p and π. Its residual is the O(h²) truncation of the reduced discretisation
    /// plus O(1/r_f). Cost O(M K d²).
    public static func reducedGuess(action: ReducedContinuumAction, parameters: [Double], layout: TrainingStateLayout,
                                    form: BoundaryValueForm, precision: Double, smoothness: Double) -> InitialGuess {
        let net = action.network, d = net.width, q = net.field.parameterCount, m = action.samples
        let intervals = net.intervals, h = net.stepSize, n = layout.dimension
        let (states, costates) = action.trajectories(parameters)
        var values = [Double](repeating: 0, count: (intervals + 1) * n)
        var fx = [Double](repeating: 0, count: d)
        for node in 0...intervals {
            let base = node * n
            let theta = Array(parameters[(node * q)..<((node + 1) * q)])
            for k in 0..<m {
                let source = (node * m + k) * d
                for i in 0..<d { values[base + k * d + i] = states[source + i] }
                if form == .hamiltonian {
                    for i in 0..<d { values[base + layout.secondOffset + k * d + i] = costates[source + i] }
                } else {
                    net.field.value(x: Array(states[source..<(source + d)]), theta: theta, into: &fx)
                    for i in 0..<d { values[base + layout.secondOffset + k * d + i] = fx[i] + costates[source + i] / precision }
                }
            }
            for i in 0..<q {
                values[base + layout.weightOffset + i] = theta[i]
                let slope = node == 0 || node == intervals
                    ? 0 : (parameters[(node + 1) * q + i] - parameters[(node - 1) * q + i]) / (2 * h)
                values[base + layout.conjugateOffset + i] = form == .hamiltonian ? smoothness * slope : slope
            }
            for i in 0..<layout.readoutParameters { values[base + layout.readoutOffset + i] = parameters[net.readoutOffset + i] }
        }
        let mesh = (0...intervals).map { $0 == intervals ? net.horizon : h * Double($0) }
        return .mesh(mesh, values: values)
    }
}
