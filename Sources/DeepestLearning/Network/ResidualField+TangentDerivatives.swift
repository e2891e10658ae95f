extension ResidualField {
    /// D²F[(v, η), ·] for F = σ(Kx + b) in O(d² + dq): with z = Kx + b, s = σ'(z), w = σ''(z) and the
    /// tangent of the pre-activation ζ = Kv + δK x + δb (δK, δb the effective image of η), the tangent
    /// is g_i = s_i ζ_i, so ∂g_i/∂x_c = w_i ζ_i K_ic + s_i δK_ic, ∂g_i/∂K_ib = w_i ζ_i x_b + s_i v_b,
    /// ∂g_i/∂b_i = w_i ζ_i (K_ab mapped to W like every other derivative; Notes/deepest-learning-action.md §6a).
    public func tangentDerivatives(x: UnsafePointer<Double>, theta: UnsafePointer<Double>,
                                   stateDirection v: UnsafePointer<Double>, parameterDirection eta: UnsafePointer<Double>,
                                   state: UnsafeMutablePointer<Double>, parameter: UnsafeMutablePointer<Double>) {
        let d = width, q = parameterCount
        parameter.update(repeating: 0, count: d * q)
        for i in 0..<d {
            let value = activation.value(preactivation(x, theta, i))
            let s = activation.derivative(value: value), w = activation.secondDerivative(value: value)
            var zeta = eta[d * d + i]
            for j in 0..<d {
                let deltaK = antisymmetric ? eta[i * d + j] - eta[j * d + i] : eta[i * d + j]
                zeta += entry(theta, i, j) * v[j] + deltaK * x[j]
            }
            let row = parameter + i * q
            for c in 0..<d {
                let deltaK = antisymmetric ? eta[i * d + c] - eta[c * d + i] : eta[i * d + c]
                state[i * d + c] = w * zeta * entry(theta, i, c) + s * deltaK
                let derivative = w * zeta * x[c] + s * v[c]
                row[i * d + c] += derivative
                if antisymmetric { row[c * d + i] -= derivative }
            }
            row[d * d + i] = w * zeta
        }
    }
}
