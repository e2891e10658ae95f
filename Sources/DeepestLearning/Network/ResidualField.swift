import NumericCore

/// The layer field F(x, θ) = σ(K x + b) of a continuous-depth residual network, x ∈ R^d.
///
/// θ = (K, b) with K stored row-major (d² numbers) followed by b (d numbers), so one layer has
/// d² + d parameters. In the antisymmetric variant (Haber–Ruthotto) the stored matrix is W and the
/// field uses K = W − Wᵀ − γI, whose spectrum lies on the line Re λ = −γ: the linearised forward flow
/// is then stable and the costate flow does not blow up (MATH.md §1; Notes/deepest-learning-action.md).
///
/// The kernels below work on raw pointers, allocate nothing, and cost O(d²) per sample. They take the
/// *effective* matrix K (call `weightMatrix(_:into:)` once per layer and reuse it) and the stored
/// activation values a = σ(z), from which σ'(z) and σ''(z) follow without another transcendental call.
public struct ResidualField: Sendable, Hashable {
    public let width: Int
    public let activation: Activation
    public let antisymmetric: Bool
    /// γ ≥ 0 in K = W − Wᵀ − γI (ignored unless `antisymmetric`).
    public let shift: Double

    /// Throws `InvalidArgument` for width < 1 or a negative or non-finite shift.
    public init(width: Int, activation: Activation, antisymmetric: Bool = false, shift: Double = 0) throws {
        try Validate.positive(width, "width")
        guard shift.isFinite, shift >= 0 else { throw InvalidArgument("shift", shift, "must be finite and >= 0") }
        self.width = width
        self.activation = activation
        self.antisymmetric = antisymmetric
        self.shift = shift
    }

    /// d² + d: the number of parameters of one layer.
    @inlinable public var parameterCount: Int { width * width + width }

    /// Writes the effective matrix K (row-major) of the layer parameters θ.
    @inlinable public func weightMatrix(_ theta: UnsafePointer<Double>, into k: UnsafeMutablePointer<Double>) {
        let d = width
        if !antisymmetric {
            k.update(from: theta, count: d * d)
            return
        }
        for i in 0..<d {
            for j in 0..<d { k[i * d + j] = theta[i * d + j] - theta[j * d + i] }
            k[i * d + i] -= shift
        }
    }

    /// z = K x + b and a = σ(z) for one sample. `kTransposed` is Kᵀ row-major (so the loop is an axpy
    /// over contiguous columns of K); `z` and `a` receive d numbers each.
    @inlinable public func evaluate(
        x: UnsafePointer<Double>, kTransposed: UnsafePointer<Double>, bias: UnsafePointer<Double>,
        preactivation z: UnsafeMutablePointer<Double>, value a: UnsafeMutablePointer<Double>
    ) {
        let d = width
        z.update(from: bias, count: d)
        for j in 0..<d {
            let xj = x[j]
            let column = kTransposed + j * d
            for i in 0..<d { z[i] += column[i] * xj }
        }
        for i in 0..<d { a[i] = activation.value(z[i]) }
    }

    /// u = σ'(z) ⊙ p, then out = p + h (∂ₓF)ᵀ p = p + h Kᵀ u, and the parameter gradient
    /// accumulation gK += scale · u xᵀ, gb += scale · u, i.e. scale · ∂_θ[p·F] with respect to the
    /// effective K (map it to W with `accumulateParameterGradient(fromWeightGradient:...)`).
    /// `a` is σ(z) from `evaluate`. `u` is d numbers of scratch. `out` must not alias `p`.
    @inlinable public func pullback(
        x: UnsafePointer<Double>, value a: UnsafePointer<Double>, k: UnsafePointer<Double>,
        costate p: UnsafePointer<Double>, step h: Double, scale: Double,
        result out: UnsafeMutablePointer<Double>, scratch u: UnsafeMutablePointer<Double>,
        weightGradient gK: UnsafeMutablePointer<Double>, biasGradient gb: UnsafeMutablePointer<Double>
    ) {
        let d = width
        for i in 0..<d { u[i] = activation.derivative(value: a[i]) * p[i] }
        out.update(from: p, count: d)
        for i in 0..<d {
            let ui = h * u[i]
            let row = k + i * d
            for j in 0..<d { out[j] += row[j] * ui }
        }
        for i in 0..<d {
            let ui = scale * u[i]
            let row = gK + i * d
            for j in 0..<d { row[j] += ui * x[j] }
            gb[i] += ui
        }
    }

    /// Adds a gradient with respect to the effective (K, b) to a gradient with respect to the stored
    /// θ: the identity, or for the antisymmetric variant ∂W = G − Gᵀ (b unchanged).
    @inlinable public func accumulateParameterGradient(
        fromWeightGradient gK: UnsafePointer<Double>, biasGradient gb: UnsafePointer<Double>,
        into g: UnsafeMutablePointer<Double>
    ) {
        let d = width
        if antisymmetric {
            for i in 0..<d { for j in 0..<d { g[i * d + j] += gK[i * d + j] - gK[j * d + i] } }
        } else {
            for i in 0..<(d * d) { g[i] += gK[i] }
        }
        for i in 0..<d { g[d * d + i] += gb[i] }
    }
}
