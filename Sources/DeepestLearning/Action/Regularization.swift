import NumericCore

/// Penalties on the weights, discretised as in the action A_h (MATH.md §1.1):
///   Σ_n h (λ/2)|θ_n|²  +  Σ_n (α/2h)|θ_{n+1} − θ_n|²  +  (μ/2)|(C, c)|²,
/// the Tikhonov term λ, the depth-smoothness term α (→ (α/2)∫|θ'|² dt) and a Tikhonov term μ on
/// the readout. Cost O(N(d² + d)).
public struct Regularization: Sendable, Hashable, Codable {
    public var tikhonov: Double
    public var smoothness: Double
    public var readoutTikhonov: Double

    /// Throws `InvalidArgument` for a negative or non-finite weight.
    public init(tikhonov: Double = 0, smoothness: Double = 0, readoutTikhonov: Double = 0) throws {
        for (value, name) in [(tikhonov, "tikhonov"), (smoothness, "smoothness"), (readoutTikhonov, "readoutTikhonov")] {
            guard value.isFinite, value >= 0 else { throw InvalidArgument(name, value, "must be finite and >= 0") }
        }
        self.tikhonov = tikhonov
        self.smoothness = smoothness
        self.readoutTikhonov = readoutTikhonov
    }

    /// No penalty.
    public static let none = Regularization(unchecked: 0, 0, 0)

    init(unchecked tikhonov: Double, _ smoothness: Double, _ readoutTikhonov: Double) {
        self.tikhonov = tikhonov
        self.smoothness = smoothness
        self.readoutTikhonov = readoutTikhonov
    }

    /// Adds the penalty's gradient to `gradient` (parameter layout of `network`) and returns its value.
    public func accumulate(network: ResidualNetwork, parameters p: UnsafePointer<Double>,
                           gradient g: UnsafeMutablePointer<Double>) -> Double {
        let h = network.stepSize, q = network.layerParameterCount
        var value = 0.0
        if tikhonov != 0 {
            let c = h * tikhonov
            for i in 0..<network.weightParameterCount {
                value += 0.5 * c * p[i] * p[i]
                g[i] += c * p[i]
            }
        }
        if smoothness != 0 && network.layers > 1 {
            let c = smoothness / h
            for n in 0..<(network.layers - 1) {
                let a = p + n * q, b = p + (n + 1) * q
                let ga = g + n * q, gb = g + (n + 1) * q
                for i in 0..<q {
                    let diff = b[i] - a[i]
                    value += 0.5 * c * diff * diff
                    ga[i] -= c * diff
                    gb[i] += c * diff
                }
            }
        }
        if readoutTikhonov != 0 {
            for i in network.readoutOffset..<network.parameterCount {
                value += 0.5 * readoutTikhonov * p[i] * p[i]
                g[i] += readoutTikhonov * p[i]
            }
        }
        return value
    }

    /// Like `accumulate`, with the value split into its smoothness part and its Tikhonov part
    /// (weights and readout).
    public func parts(network: ResidualNetwork, parameters p: UnsafePointer<Double>,
                      gradient g: UnsafeMutablePointer<Double>) -> (smoothness: Double, tikhonov: Double) {
        let smooth = Regularization(unchecked: 0, smoothness, 0).accumulate(network: network, parameters: p, gradient: g)
        let tik = Regularization(unchecked: tikhonov, 0, readoutTikhonov).accumulate(network: network, parameters: p, gradient: g)
        return (smooth, tik)
    }
}
