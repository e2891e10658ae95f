import NumericCore

extension Activation {
    /// z_i ← σ(z_i) for i < count, in place, for kernels that activate a whole matrix of preactivations:
    /// tanh goes through `VectorMath.tanh` (several lanes per instruction, within a few ulp of `value`),
    /// the others through `value` elementwise. Derivatives taken from the stored values
    /// (`derivative(value:)`) are those of the function actually computed, so gradients stay exact.
    @inlinable public func applyInPlace(_ z: UnsafeMutablePointer<Double>, count: Int) {
        switch self {
        case .tanh: VectorMath.tanh(z, count: count)
        case .sigmoid, .softplus: for i in 0..<count { z[i] = value(z[i]) }
        }
    }
}
