import NumericCore

/// A trained network as the studies see it, whatever trained it: the Euler ResNet of a discrete or
/// minibatch recipe (x_{n+1} = x_n + h σ(K_n x_n + b_n), n = 0..N−1) or the RK4 flow of a continuum
/// recipe (`TrainedFlow`, θ(t) piecewise linear on K intervals). A continuum recipe's network is its
/// flow, not the Euler ResNet of its sampled weights (Notes/deepest-learning-action.md §9e).
///
/// The depth grid of the studies is the network's own: the N + 1 states x_0..x_N of the ResNet with its
/// N layer weights, or the K + 1 nodes t_j = j h of the flow with its nodal weights θ_j
/// (Notes/forward-stability-and-robustness.md).
public enum TrainedNetwork: Sendable {
    case resnet(ResidualNetwork, parameters: [Double])
    case flow(TrainedFlow)

    /// The network a pipeline returned: the flow of a continuum result, else the ResNet `network` (the
    /// context's network of the run) with the outcome's parameters.
    public init(outcome: TrainingOutcome, network: ResidualNetwork) {
        if let flow = outcome.report.flow { self = .flow(flow) } else { self = .resnet(network, parameters: outcome.parameters) }
    }

    public var field: ResidualField {
        switch self {
        case .resnet(let n, _): return n.field
        case .flow(let f): return f.network.field
        }
    }

    public var lift: InputLift {
        switch self {
        case .resnet(let n, _): return n.lift
        case .flow(let f): return f.network.lift
        }
    }

    public var readout: Readout {
        switch self {
        case .resnet(let n, _): return n.readout
        case .flow(let f): return f.network.readout
        }
    }

    public var horizon: Double {
        switch self {
        case .resnet(let n, _): return n.horizon
        case .flow(let f): return f.network.horizon
        }
    }

    /// N layers of the ResNet, or K intervals of the flow.
    public var steps: Int {
        switch self {
        case .resnet(let n, _): return n.layers
        case .flow(let f): return f.network.intervals
        }
    }

    public var parameters: [Double] {
        switch self {
        case .resnet(_, let p): return p
        case .flow(let f): return f.parameters
        }
    }

    public var isFlow: Bool {
        if case .flow = self { return true }
        return false
    }

    public var width: Int { field.width }
    public var inputDimension: Int { lift.inputDimension }
    /// h = T/N (ResNet) or T/K (flow).
    public var stepSize: Double { horizon / Double(steps) }

    /// Readout outputs C x(T) + c at `inputs` (count × inputDimension), count × outputs numbers.
    public func outputs(inputs: [Double]) -> [Double] {
        switch self {
        case .resnet(let n, let p): return n.outputs(parameters: p, inputs: inputs)
        case .flow(let f): return f.outputs(inputs: inputs)
        }
    }

    /// Final states x(T) (count × d).
    public func finalStates(inputs: [Double]) -> [Double] {
        switch self {
        case .resnet(let n, let p): return n.finalStates(parameters: p, inputs: inputs)
        case .flow(let f): return f.network.finalStates(parameters: f.parameters, inputs: inputs)
        }
    }

    /// Points of the depth grid at which the layer Jacobians are evaluated: the N layers of the ResNet
    /// (x_n with θ_n, n = 0..N−1), or the K + 1 nodes of the flow (x(t_j) with θ_j).
    public var jacobianPoints: Int {
        switch self {
        case .resnet(let n, _): return n.layers
        case .flow(let f): return f.network.nodeCount
        }
    }

    /// The effective K (d × d, row-major) and b of the weights at Jacobian point `j`.
    public func weights(at j: Int) -> (k: [Double], b: [Double]) {
        let d = width, q = field.parameterCount
        let offset: Int
        switch self {
        case .resnet(let n, _): offset = n.layerOffset(j)
        case .flow: offset = j * q
        }
        let theta = Array(parameters[offset..<(offset + q)])
        return (field.weightMatrix(theta), Array(theta[(d * d)...]))
    }

    /// The layer Jacobian J = diag(σ'(K x + b)) K at state x with the weights of point `j` (d × d).
    /// The layer map x ↦ x + h σ(K x + b) has the Jacobian I + h J. Cost O(d²).
    public func layerJacobian(at j: Int, state x: [Double]) -> [Double] {
        let d = width
        let (k, b) = weights(at: j)
        var out = k
        for i in 0..<d {
            var z = b[i]
            for l in 0..<d { z += k[i * d + l] * x[l] }
            let s = field.activation.derivative(z)
            for l in 0..<d { out[i * d + l] *= s }
        }
        return out
    }
}
