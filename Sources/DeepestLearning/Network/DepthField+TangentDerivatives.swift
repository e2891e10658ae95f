extension DepthField {
    /// Default `tangentDerivatives`: for each output i, the Hessian of F_i (the Hessian of p·F at
    /// p = e_i) contracted with (v, η): row i of the x-part is H_xx^{(i)}v + H_xθ^{(i)}η, row i of the
    /// θ-part is H_xθ^{(i)ᵀ}v + H_θθ^{(i)}η. Exact; cost d Hessian evaluations plus O(d(d² + dq + q²)).
    public func tangentDerivatives(x: UnsafePointer<Double>, theta: UnsafePointer<Double>,
                                   stateDirection v: UnsafePointer<Double>, parameterDirection eta: UnsafePointer<Double>,
                                   state: UnsafeMutablePointer<Double>, parameter: UnsafeMutablePointer<Double>) {
        let d = stateDimension, q = parameterCount
        withUnsafeTemporaryAllocation(of: Double.self, capacity: d + d * d + d * q + q * q) { buffer in
            let unit = buffer.baseAddress!, hxx = unit + d, hxt = hxx + d * d, htt = hxt + d * q
            unit.update(repeating: 0, count: d)
            for i in 0..<d {
                unit[i] = 1
                adjointHessian(x: x, theta: theta, costate: unit, stateState: hxx, stateParameter: hxt, parameterParameter: htt)
                unit[i] = 0
                for c in 0..<d {
                    var value = 0.0
                    for j in 0..<d { value += hxx[c * d + j] * v[j] }
                    for a in 0..<q { value += hxt[c * q + a] * eta[a] }
                    state[i * d + c] = value
                }
                for a in 0..<q {
                    var value = 0.0
                    for j in 0..<d { value += hxt[j * q + a] * v[j] }
                    for b in 0..<q { value += htt[a * q + b] * eta[b] }
                    parameter[i * q + a] = value
                }
            }
        }
    }
}
