import Foundation

/// A first-order update rule P ← P − step(∇J). Trainers are generic over the concrete rule, so the
/// update loop has no existential dispatch. Each update costs O(#parameters) and allocates nothing
/// after the first call.
public protocol GradientOptimizer: Sendable {
    /// Applies one update to `parameters` given the gradient at them.
    mutating func update(parameters: inout [Double], gradient: [Double])
}

/// Gradient descent with heavy-ball momentum: v ← μ v + ∇J, P ← P − η v (η = learning rate).
/// With μ = 0 it is plain SGD. On J = ½|P − c|² the error obeys e_{t+1} = (1 − η)e_t + μ(e_t − e_{t−1}).
public struct MomentumGradientDescent: GradientOptimizer {
    public let learningRate: Double
    public let momentum: Double
    private var velocity: [Double] = []

    public init(learningRate: Double, momentum: Double = 0.9) {
        self.learningRate = learningRate
        self.momentum = momentum
    }

    public mutating func update(parameters: inout [Double], gradient: [Double]) {
        if velocity.count != parameters.count { velocity = [Double](repeating: 0, count: parameters.count) }
        let mu = momentum, eta = learningRate
        velocity.withUnsafeMutableBufferPointer { v in
            parameters.withUnsafeMutableBufferPointer { p in
                gradient.withUnsafeBufferPointer { g in
                    for i in 0..<p.count {
                        v[i] = mu * v[i] + g[i]
                        p[i] -= eta * v[i]
                    }
                }
            }
        }
    }
}

/// Adam (Kingma–Ba 2015) with bias correction: m ← β₁m + (1−β₁)g, v ← β₂v + (1−β₂)g²,
/// P ← P − η m̂/(√v̂ + ε), m̂ = m/(1−β₁ᵗ), v̂ = v/(1−β₂ᵗ). The first step is −η g/(|g| + ε) per entry.
public struct Adam: GradientOptimizer {
    public let learningRate: Double
    public let beta1: Double
    public let beta2: Double
    public let epsilon: Double
    private var first: [Double] = []
    private var second: [Double] = []
    private var steps = 0

    public init(learningRate: Double, beta1: Double = 0.9, beta2: Double = 0.999, epsilon: Double = 1e-8) {
        self.learningRate = learningRate
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
    }

    public mutating func update(parameters: inout [Double], gradient: [Double]) {
        if first.count != parameters.count {
            first = [Double](repeating: 0, count: parameters.count)
            second = first
            steps = 0
        }
        steps += 1
        let b1 = beta1, b2 = beta2, eps = epsilon
        let c1 = 1 / (1 - pow(b1, Double(steps))), c2 = 1 / (1 - pow(b2, Double(steps)))
        let eta = learningRate
        first.withUnsafeMutableBufferPointer { m in
            second.withUnsafeMutableBufferPointer { v in
                parameters.withUnsafeMutableBufferPointer { p in
                    gradient.withUnsafeBufferPointer { g in
                        for i in 0..<p.count {
                            m[i] = b1 * m[i] + (1 - b1) * g[i]
                            v[i] = b2 * v[i] + (1 - b2) * g[i] * g[i]
                            p[i] -= eta * (m[i] * c1) / ((v[i] * c2).squareRoot() + eps)
                        }
                    }
                }
            }
        }
    }
}

