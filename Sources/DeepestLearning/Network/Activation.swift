import Foundation

/// A smooth scalar activation σ with analytic σ' and σ''.
///
/// Every derivative is also available as a function of the value σ(z) itself
/// (`derivative(value:)`, `secondDerivative(value:)`), so a forward pass that stores σ(z) needs no
/// second transcendental call on the way back. All three are C^∞, which is what the boundary value
/// formulation needs (its Jacobian contains σ''; see Notes/deepest-learning-action.md §1).
public enum Activation: String, CaseIterable, Sendable, Codable {
    /// tanh z; σ' = 1 − σ², σ'' = −2σ(1 − σ²).
    case tanh
    /// 1/(1 + e^{−z}); σ' = σ(1 − σ), σ'' = σ(1 − σ)(1 − 2σ).
    case sigmoid
    /// log(1 + e^z), evaluated without overflow; σ' = sigmoid(z) = 1 − e^{−σ}, σ'' = σ'(1 − σ').
    case softplus

    /// σ(z).
    @inlinable public func value(_ z: Double) -> Double {
        switch self {
        case .tanh: return Foundation.tanh(z)
        case .sigmoid: return Activation.logistic(z)
        case .softplus: return max(z, 0) + log1p(exp(-abs(z)))
        }
    }

    /// σ'(z).
    @inlinable public func derivative(_ z: Double) -> Double {
        switch self {
        case .tanh:
            let t = Foundation.tanh(z)
            return 1 - t * t
        case .sigmoid:
            let s = Activation.logistic(z)
            return s * (1 - s)
        case .softplus: return Activation.logistic(z)
        }
    }

    /// σ''(z).
    @inlinable public func secondDerivative(_ z: Double) -> Double {
        switch self {
        case .tanh:
            let t = Foundation.tanh(z)
            return -2 * t * (1 - t * t)
        case .sigmoid:
            let s = Activation.logistic(z)
            return s * (1 - s) * (1 - 2 * s)
        case .softplus:
            let s = Activation.logistic(z)
            return s * (1 - s)
        }
    }

    /// σ'(z) expressed through v = σ(z).
    @inlinable public func derivative(value v: Double) -> Double {
        switch self {
        case .tanh: return 1 - v * v
        case .sigmoid: return v * (1 - v)
        case .softplus: return -expm1(-v)
        }
    }

    /// σ''(z) expressed through v = σ(z).
    @inlinable public func secondDerivative(value v: Double) -> Double {
        switch self {
        case .tanh: return -2 * v * (1 - v * v)
        case .sigmoid: return v * (1 - v) * (1 - 2 * v)
        case .softplus:
            let s = -expm1(-v)
            return s * (1 - s)
        }
    }

    /// The logistic function 1/(1 + e^{−z}) without overflow for either sign of z.
    @inlinable static func logistic(_ z: Double) -> Double {
        if z >= 0 { return 1 / (1 + exp(-z)) }
        let e = exp(z)
        return e / (1 + e)
    }
}
