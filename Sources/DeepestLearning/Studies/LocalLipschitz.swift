import NumericCore

/// A local Lipschitz estimate of a trained network at one input: the spectral norm ‖∂o/∂input‖₂ of the
/// input–output Jacobian ∂o/∂input = C · ∂x(T)/∂x(0) · L (readout C, depth map, lift L), by power
/// iteration on its Gram matrix (Notes/forward-stability-and-robustness.md §3). A first-order bound:
/// ‖o(x + δ) − o(x)‖ ≲ L_loc ‖δ‖₂ for small δ.
///
/// Power iteration converges linearly with ratio (σ₂/σ₁)²; it stops when the estimate changes by at most
/// `tolerance` relative, or after `iterations`. Cost O(steps · d³) for the Jacobian, then O(m · outputs)
/// per iteration.
public enum LocalLipschitz {
    /// The Jacobian ∂o/∂input (outputs × inputDimension, row-major) at `input`.
    public static func inputOutputJacobian(network: TrainedNetwork, input: [Double]) -> [Double] {
        let d = network.width, m = network.inputDimension, l = network.readout.outputs
        let a = network.stateJacobian(input: input)
        let readoutOffset = network.parameters.count - network.readout.parameterCount(width: d)
        var liftMatrix = [Double](repeating: 0, count: d * m)
        for j in 0..<m {
            var unit = [Double](repeating: 0, count: m)
            unit[j] = 1
            let column = network.lift.apply(unit)
            for i in 0..<d { liftMatrix[i * m + j] = column[i] }
        }
        var ca = [Double](repeating: 0, count: l * d)
        for r in 0..<l { for i in 0..<d { for s in 0..<d { ca[r * d + s] += network.parameters[readoutOffset + r * d + i] * a[i * d + s] } } }
        var out = [Double](repeating: 0, count: l * m)
        for r in 0..<l { for s in 0..<d { for j in 0..<m { out[r * m + j] += ca[r * d + s] * liftMatrix[s * m + j] } } }
        return out
    }

    /// The largest singular value of `jacobian` (rows × columns) by power iteration on JᵀJ from the
    /// vector of ones.
    public static func spectralNorm(_ jacobian: [Double], rows: Int, columns: Int, iterations: Int = 200, tolerance: Double = 1e-12) -> Double {
        var v = [Double](repeating: 1 / Double(columns).squareRoot(), count: columns)
        var estimate = 0.0
        for _ in 0..<iterations {
            var u = [Double](repeating: 0, count: rows)
            for r in 0..<rows { for j in 0..<columns { u[r] += jacobian[r * columns + j] * v[j] } }
            var w = [Double](repeating: 0, count: columns)
            for r in 0..<rows { for j in 0..<columns { w[j] += jacobian[r * columns + j] * u[r] } }
            let norm = w.reduce(0) { $0 + $1 * $1 }.squareRoot()
            guard norm > 0, norm.isFinite else { return norm.isFinite ? 0 : .infinity }
            let next = norm.squareRoot()  // ‖JᵀJ v‖ → σ₁² for the unit eigenvector v
            v = w.map { $0 / norm }
            if abs(next - estimate) <= tolerance * next { return next }
            estimate = next
        }
        return estimate
    }

    /// ‖∂o/∂input‖₂ at `input`.
    public static func estimate(network: TrainedNetwork, input: [Double], iterations: Int = 200) -> Double {
        spectralNorm(inputOutputJacobian(network: network, input: input), rows: network.readout.outputs,
                     columns: network.inputDimension, iterations: iterations)
    }
}
