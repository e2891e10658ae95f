import NumericCore

/// Array forms of the field and of the derivative products of MATH.md §1 for one sample:
/// F, (∂ₓF)ᵀp, ∂_θ[p·F] and ∂ₓ[(∂ₓF)ᵀp] = Kᵀ diag(σ''(z) ⊙ p) K. They allocate their results, so
/// they serve boundary value problem assembly and tests; the training loops use the pointer kernels.
extension ResidualField {
    /// The effective matrix K (d×d row-major) of θ.
    public func weightMatrix(_ theta: [Double]) -> [Double] {
        var k = [Double](repeating: 0, count: width * width)
        theta.withUnsafeBufferPointer { t in
            k.withUnsafeMutableBufferPointer { weightMatrix(t.baseAddress!, into: $0.baseAddress!) }
        }
        return k
    }

    /// z = K x + b.
    public func preactivation(x: [Double], theta: [Double]) -> [Double] {
        let d = width
        let k = weightMatrix(theta)
        var z = Array(theta[(d * d)..<(d * d + d)])
        for i in 0..<d { for j in 0..<d { z[i] += k[i * d + j] * x[j] } }
        return z
    }

    /// F(x, θ) = σ(K x + b).
    public func value(x: [Double], theta: [Double]) -> [Double] {
        preactivation(x: x, theta: theta).map { activation.value($0) }
    }

    /// (∂ₓF)ᵀ p = Kᵀ(σ'(z) ⊙ p).
    public func transposedJacobianProduct(x: [Double], theta: [Double], costate p: [Double]) -> [Double] {
        let d = width
        let k = weightMatrix(theta)
        let z = preactivation(x: x, theta: theta)
        var out = [Double](repeating: 0, count: d)
        for i in 0..<d {
            let u = activation.derivative(z[i]) * p[i]
            for j in 0..<d { out[j] += k[i * d + j] * u }
        }
        return out
    }

    /// ∂_θ[p·F] in the layout of θ: (σ'(z)⊙p) xᵀ for K (antisymmetric: G − Gᵀ), σ'(z)⊙p for b.
    public func parameterGradient(x: [Double], theta: [Double], costate p: [Double]) -> [Double] {
        let d = width
        let z = preactivation(x: x, theta: theta)
        var gK = [Double](repeating: 0, count: d * d)
        var gb = [Double](repeating: 0, count: d)
        for i in 0..<d {
            let u = activation.derivative(z[i]) * p[i]
            for j in 0..<d { gK[i * d + j] = u * x[j] }
            gb[i] = u
        }
        var g = [Double](repeating: 0, count: parameterCount)
        gK.withUnsafeBufferPointer { k in
            gb.withUnsafeBufferPointer { b in
                g.withUnsafeMutableBufferPointer {
                    accumulateParameterGradient(fromWeightGradient: k.baseAddress!, biasGradient: b.baseAddress!,
                                                into: $0.baseAddress!)
                }
            }
        }
        return g
    }

    /// ∂ₓ[(∂ₓF)ᵀ p] = Kᵀ diag(σ''(z) ⊙ p) K, d×d row-major (symmetric).
    public func costateJacobian(x: [Double], theta: [Double], costate p: [Double]) -> [Double] {
        let d = width
        let k = weightMatrix(theta)
        let z = preactivation(x: x, theta: theta)
        var out = [Double](repeating: 0, count: d * d)
        for i in 0..<d {
            let w = activation.secondDerivative(z[i]) * p[i]
            if w == 0 { continue }
            for a in 0..<d {
                let kia = w * k[i * d + a]
                for b in 0..<d { out[a * d + b] += kia * k[i * d + b] }
            }
        }
        return out
    }
}
