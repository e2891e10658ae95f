import NumericCore

/// The discrete costate recursion of MATH.md §1.6 (symplectic Euler for H = p·F + |p|²/2r_f):
///
///   p_n = p_{n+1} + h (∂ₓF(x_n, θ_n))ᵀ p_{n+1},    g_{θ_n} += −h ∂_θ[p_{n+1}·F](x_n, θ_n).
///
/// This is the single implementation of that step in the package (with its block form `blockStep`). Iterated from p_N = −∇φ(x_N) it is
/// exact reverse-mode differentiation of the ResNet (backprop; `ResidualNetworkLoss`). Applied to the
/// scaled model errors p_{n+1} = R_f(x_{n+1} − x_n − hF(x_n, θ_n)) it gives the state and weight
/// gradients of the discrete action A_h (`TrainingAction`): ∂A_h/∂x_n = p_n^{model} − step(p_{n+1}).
/// Stationarity of A_h is therefore the symplectic Euler scheme (Notes/deepest-learning-action.md §4).
/// Cost O(d²) per sample and layer, no allocation.
public enum DiscreteCostate {
    /// One step for one sample. `k` is the effective K_n, `a` = σ(K_n x_n + b_n), `gK`/`gb` receive
    /// −h ∂_θ[p_{n+1}·F] with respect to (K_n, b_n). `result` must not alias `next`; `scratch` is d numbers.
    @inlinable public static func step(
        field: ResidualField, step h: Double, x: UnsafePointer<Double>, value a: UnsafePointer<Double>,
        k: UnsafePointer<Double>, next: UnsafePointer<Double>, result: UnsafeMutablePointer<Double>,
        scratch: UnsafeMutablePointer<Double>,
        weightGradient gK: UnsafeMutablePointer<Double>, biasGradient gb: UnsafeMutablePointer<Double>
    ) {
        field.pullback(x: x, value: a, k: k, costate: next, step: h, scale: -h, result: result, scratch: scratch,
                       weightGradient: gK, biasGradient: gb)
    }

    /// The costate part of `step` for a block of samples at once, the samples as the rows of B × d
    /// matrices: U = σ'(Z_n) ⊙ P_{n+1} (into `scratch`, B × d, from the stored values A_n = σ(Z_n)),
    /// then P_n = P_{n+1} + h U K_n in place in `costates` (one `BLAS.gemm`, O(B d²)). Row by row this is
    /// `step`'s p_n = p_{n+1} + h K_nᵀ(σ'(z_n) ⊙ p_{n+1}) (the order of the sums may differ at round-off).
    /// `scratch` keeps U for the weight gradient −h Uᵀ X_n of the caller (`ResidualNetworkLoss`'s wide
    /// kernels); the input gradients of the studies discard it. `k` is the effective K_n (row-major).
    @inlinable public static func blockStep(
        activation: Activation, step h: Double, rows: Int, width d: Int, values a: UnsafePointer<Double>,
        k: UnsafePointer<Double>, costates p: UnsafeMutablePointer<Double>, scratch u: UnsafeMutablePointer<Double>
    ) {
        let matrix = rows * d
        for i in 0..<matrix { u[i] = activation.derivative(value: a[i]) * p[i] }
        BLAS.gemm(m: rows, n: d, k: d, alpha: h, a: u, lda: d, b: k, ldb: d, beta: 1, c: p, ldc: d)
    }

    /// The whole backward sweep for one sample of a forward-Euler ResNet: starting from p_N in
    /// `costate`, applies `step` for n = N−1..0 and leaves p_0 in `costate`. `trajectory` holds
    /// x_0..x_N and `values` σ(z_0)..σ(z_{N−1}) (d numbers each); `weights` holds K_n, K_nᵀ per layer
    /// (2d² each); `gradient` is in the parameter layout with respect to the effective K. `spare` is
    /// 2d numbers of scratch.
    @inlinable public static func sweep(
        network: ResidualNetwork, trajectory: UnsafePointer<Double>, values: UnsafePointer<Double>,
        weights: UnsafePointer<Double>, costate: UnsafeMutablePointer<Double>, spare: UnsafeMutablePointer<Double>,
        gradient: UnsafeMutablePointer<Double>
    ) {
        let d = network.width, h = network.stepSize
        let result = spare, scratch = spare + d
        for n in stride(from: network.layers - 1, through: 0, by: -1) {
            let g = gradient + network.layerOffset(n)
            step(field: network.field, step: h, x: trajectory + n * d, value: values + n * d,
                 k: weights + 2 * n * d * d, next: costate, result: result, scratch: scratch,
                 weightGradient: g, biasGradient: g + d * d)
            costate.update(from: result, count: d)
        }
    }
}
