/// σ(Kx + b) as a `DepthField`. Derivatives are formed with respect to the effective (K, b) and
/// mapped to the stored θ by the linear map θ ↦ K (identity, or W ↦ W − Wᵀ − γI); each product
/// costs O(d²) except the Hessian blocks (O(d³) for H_xθ, O(d⁴) for H_θθ, whose nonzeros are
/// block-diagonal in the row index of K).
extension ResidualField: DepthField {
    public var stateDimension: Int { width }

    /// K_ij read from θ.
    @inlinable func entry(_ theta: UnsafePointer<Double>, _ i: Int, _ j: Int) -> Double {
        let d = width
        if !antisymmetric { return theta[i * d + j] }
        return theta[i * d + j] - theta[j * d + i] - (i == j ? shift : 0)
    }

    /// z_i = Σ_j K_ij x_j + b_i.
    @inlinable func preactivation(_ x: UnsafePointer<Double>, _ theta: UnsafePointer<Double>, _ i: Int) -> Double {
        let d = width
        var z = theta[d * d + i]
        for j in 0..<d { z += entry(theta, i, j) * x[j] }
        return z
    }

    public func value(x: UnsafePointer<Double>, theta: UnsafePointer<Double>, into out: UnsafeMutablePointer<Double>) {
        for i in 0..<width { out[i] = activation.value(preactivation(x, theta, i)) }
    }

    public func stateTangent(x: UnsafePointer<Double>, theta: UnsafePointer<Double>, direction v: UnsafePointer<Double>,
                             into out: UnsafeMutablePointer<Double>) {
        let d = width
        for i in 0..<d {
            var kv = 0.0
            for j in 0..<d { kv += entry(theta, i, j) * v[j] }
            out[i] = activation.derivative(preactivation(x, theta, i)) * kv
        }
    }

    public func parameterTangent(x: UnsafePointer<Double>, theta: UnsafePointer<Double>, direction eta: UnsafePointer<Double>,
                                 into out: UnsafeMutablePointer<Double>) {
        // δz = δK x + δb with δK the effective-K image of η (the same linear map as θ ↦ K, without γ).
        let d = width
        for i in 0..<d {
            var dz = eta[d * d + i]
            for j in 0..<d {
                let dk = antisymmetric ? eta[i * d + j] - eta[j * d + i] : eta[i * d + j]
                dz += dk * x[j]
            }
            out[i] = activation.derivative(preactivation(x, theta, i)) * dz
        }
    }

    public func stateAdjoint(x: UnsafePointer<Double>, theta: UnsafePointer<Double>, costate p: UnsafePointer<Double>,
                             into out: UnsafeMutablePointer<Double>) {
        let d = width
        for j in 0..<d { out[j] = 0 }
        for i in 0..<d {
            let u = activation.derivative(preactivation(x, theta, i)) * p[i]
            for j in 0..<d { out[j] += entry(theta, i, j) * u }
        }
    }

    public func parameterAdjoint(x: UnsafePointer<Double>, theta: UnsafePointer<Double>, costate p: UnsafePointer<Double>,
                                 into out: UnsafeMutablePointer<Double>) {
        let d = width
        for i in 0..<parameterCount { out[i] = 0 }
        for i in 0..<d {
            let u = activation.derivative(preactivation(x, theta, i)) * p[i]
            for j in 0..<d {
                out[i * d + j] += u * x[j]
                if antisymmetric { out[j * d + i] -= u * x[j] }
            }
            out[d * d + i] = u
        }
    }

    public func jacobians(x: UnsafePointer<Double>, theta: UnsafePointer<Double>, state: UnsafeMutablePointer<Double>,
                          parameter: UnsafeMutablePointer<Double>) {
        let d = width, q = parameterCount
        for i in 0..<(d * q) { parameter[i] = 0 }
        for i in 0..<d {
            let s = activation.derivative(preactivation(x, theta, i))
            for j in 0..<d {
                state[i * d + j] = s * entry(theta, i, j)
                parameter[i * q + i * d + j] += s * x[j]
                if antisymmetric { parameter[i * q + j * d + i] -= s * x[j] }
            }
            parameter[i * q + d * d + i] = s
        }
    }

    public func adjointHessian(x: UnsafePointer<Double>, theta: UnsafePointer<Double>, costate p: UnsafePointer<Double>,
                               stateState: UnsafeMutablePointer<Double>, stateParameter: UnsafeMutablePointer<Double>,
                               parameterParameter: UnsafeMutablePointer<Double>) {
        let d = width, q = parameterCount
        for i in 0..<(d * d) { stateState[i] = 0 }
        for i in 0..<(d * q) { stateParameter[i] = 0 }
        for i in 0..<(q * q) { parameterParameter[i] = 0 }
        // Column index of θ for the effective K_ab (two entries with signs for the antisymmetric map).
        @inline(__always) func addParameter(_ row: UnsafeMutablePointer<Double>, _ a: Int, _ b: Int, _ value: Double) {
            row[a * d + b] += value
            if antisymmetric { row[b * d + a] -= value }
        }
        for a in 0..<d {
            let z = preactivation(x, theta, a)
            let v = activation.value(z)
            let u = activation.derivative(value: v) * p[a]
            let w = activation.secondDerivative(value: v) * p[a]
            // H_xx[j][c] += w_a K_aj K_ac
            for j in 0..<d {
                let kaj = entry(theta, a, j)
                for c in 0..<d { stateState[j * d + c] += w * kaj * entry(theta, a, c) }
            }
            // H_xθ[j][K_ab] = δ_jb u_a + w_a x_b K_aj,  H_xθ[j][b_a] = w_a K_aj
            for j in 0..<d {
                let row = stateParameter + j * q
                let kaj = entry(theta, a, j)
                addParameter(row, a, j, u)
                for b in 0..<d { addParameter(row, a, b, w * x[b] * kaj) }
                row[d * d + a] += w * kaj
            }
            // H_θθ in effective coordinates: (K_ab, K_ad) → w_a x_b x_d; (K_ab, b_a) → w_a x_b; (b_a, b_a) → w_a.
            // Rows are mapped like columns: row K_ab contributes to θ rows (a,b) and, antisymmetric, −(b,a).
            for b in 0..<d {
                for image in 0..<(antisymmetric ? 2 : 1) {
                    let sign = image == 0 ? 1.0 : -1.0
                    let rowIndex = sign > 0 ? a * d + b : b * d + a
                    let row = parameterParameter + rowIndex * q
                    for e in 0..<d { addParameter(row, a, e, sign * w * x[b] * x[e]) }
                    row[d * d + a] += sign * w * x[b]
                }
            }
            let rowB = parameterParameter + (d * d + a) * q
            for e in 0..<d { addParameter(rowB, a, e, w * x[e]) }
            rowB[d * d + a] += w
        }
    }
}
