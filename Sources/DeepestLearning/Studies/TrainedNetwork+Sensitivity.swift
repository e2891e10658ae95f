import NumericCore

/// The sensitivities of a trained network along one input's trajectory: the nodal states, the
/// input–output Jacobian ∂x(T)/∂x(0) of the depth map (the variational equation, discretised exactly
/// as the forward pass is), and the costates p(t) of a loss, whose value at t = 0 is the input gradient
/// (Notes/forward-stability-and-robustness.md §2–§3).
extension TrainedNetwork {
    /// The states at the N + 1 (ResNet) or K + 1 (flow) nodes of the depth grid for one input
    /// (inputDimension numbers), node-major ((steps + 1) × d). Cost O(steps · d²).
    public func states(input: [Double]) -> [Double] {
        trajectory(input: input, tangents: false).states
    }

    /// ∂x(T)/∂x(0) (d × d, row-major) for one input: the product Π(I + h J_n) of the layer Jacobians
    /// for the ResNet, the derivative of the composed RK4 steps for the flow (forward-mode tangents of
    /// all d directions through the four stages). Exact for the discrete map up to round-off.
    /// Cost O(steps · d³).
    public func stateJacobian(input: [Double]) -> [Double] {
        trajectory(input: input, tangents: true).jacobian
    }

    /// The forward pass of one input, with the d × d tangent matrix when `tangents`.
    func trajectory(input: [Double], tangents: Bool) -> (states: [Double], jacobian: [Double]) {
        let d = width, h = stepSize, n = steps
        var states = [Double](repeating: 0, count: (n + 1) * d)
        var m = [Double](repeating: 0, count: d * d)
        for i in 0..<d { m[i * d + i] = 1 }
        let x0 = lift.apply(input)
        for i in 0..<d { states[i] = x0[i] }
        switch self {
        case .resnet(let network, let parameters):
            let field = network.field
            for layer in 0..<n {
                let x = Array(states[(layer * d)..<((layer + 1) * d)])
                let theta = Array(parameters[network.layerOffset(layer)..<(network.layerOffset(layer) + field.parameterCount)])
                let a = field.value(x: x, theta: theta)
                for i in 0..<d { states[(layer + 1) * d + i] = x[i] + h * a[i] }
                if tangents {
                    let j = layerJacobian(at: layer, state: x)
                    m = Self.add(m, Self.multiply(j, m, d), scale: h)
                }
            }
        case .flow(let flow):
            let net = flow.network, stride = net.pointStride
            var points = [Double](repeating: 0, count: (2 * n + 1) * stride)
            flow.parameters.withUnsafeBufferPointer { p in points.withUnsafeMutableBufferPointer { net.pointWeights(p.baseAddress!, into: $0.baseAddress!) } }
            var stages = [Double](repeating: 0, count: 8 * d), next = [Double](repeating: 0, count: d)
            for interval in 0..<n {
                let x = Array(states[(interval * d)..<((interval + 1) * d)])
                stages.withUnsafeMutableBufferPointer { sb in
                    next.withUnsafeMutableBufferPointer { nb in
                        points.withUnsafeBufferPointer { pp in
                            x.withUnsafeBufferPointer { xx in
                                net.step(interval, rows: 1, x: xx.baseAddress!, points: pp.baseAddress!, stages: sb.baseAddress!,
                                         next: nb.baseAddress!)
                            }
                        }
                    }
                }
                for i in 0..<d { states[(interval + 1) * d + i] = next[i] }
                guard tangents else { continue }
                // δX_1 = M, δA_i = diag(σ'(z_i)) K_i δX_i, δX_{i+1} = M + c_i h δA_i, M ← M + h/6 Σ w_i δA_i.
                var sum = m, previous = [Double](repeating: 0, count: d * d)
                for stage in 0..<4 {
                    let offset = stage == 3 ? 1.0 : 0.5, weight = stage == 0 || stage == 3 ? 1.0 : 2.0
                    let pointIndex = 2 * interval + (stage == 0 ? 0 : stage == 3 ? 2 : 1)
                    let k = Array(points[(pointIndex * stride)..<(pointIndex * stride + d * d)])
                    let stageTangent = stage == 0 ? m : Self.add(m, previous, scale: offset * h)
                    var a = Self.multiply(k, stageTangent, d)
                    for i in 0..<d {
                        let s = net.field.activation.derivative(value: stages[(2 * stage + 1) * d + i])
                        for l in 0..<d { a[i * d + l] *= s }
                    }
                    sum = Self.add(sum, a, scale: h / 6 * weight)
                    previous = a
                }
                m = sum
            }
        }
        return (states, m)
    }

    /// A B for d × d row-major matrices.
    static func multiply(_ a: [Double], _ b: [Double], _ d: Int) -> [Double] {
        var c = [Double](repeating: 0, count: d * d)
        for i in 0..<d { for l in 0..<d {
            let ail = a[i * d + l]
            if ail == 0 { continue }
            for j in 0..<d { c[i * d + j] += ail * b[l * d + j] }
        } }
        return c
    }

    /// a + scale · b.
    static func add(_ a: [Double], _ b: [Double], scale: Double) -> [Double] {
        var c = a
        for i in c.indices { c[i] += scale * b[i] }
        return c
    }
}
