import Foundation
import NumericCore

/// The Ornstein–Uhlenbeck process dX = −κ(X − m) dt + σ dW (additive scalar noise), X(0) = x0, κ > 0.
/// The decay −κX is the diagonal linear part (implicit in the θ-method), the drift is κm.
/// E X = m + (x0 − m)e^{−κt}; Var X = σ²(1 − e^{−2κt})/(2κ), stationary σ²/(2κ) (MATH.md V6).
/// Stationary variance of the schemes with step Δ: Euler–Maruyama σ²/(κ(2 − κΔ)) (κΔ < 2),
/// semi-implicit σ²/(κ(2 + κΔ)), exact step σ²/(2κ).
public struct OrnsteinUhlenbeckProcess: StochasticDifferentialEquation, ExactMoments {
    public let rate: Double
    public let level: Double
    public let volatility: Double
    public let start: Double
    public let horizon: Double

    /// Throws `InvalidArgument` for a non-positive rate or horizon or non-finite values.
    public init(rate: Double, volatility: Double, start: Double, level: Double = 0, horizon: Double = 1) throws {
        try Validate.positive(rate, "rate")
        try Validate.finite([volatility, start, level], "volatility, start, level")
        try Validate.positive(horizon, "horizon")
        self.rate = rate
        self.level = level
        self.volatility = volatility
        self.start = start
        self.horizon = horizon
    }

    public var dimension: Int { 1 }
    public var noise: NoiseStructure { .additive(dimensions: 1) }
    public var initialValue: [Double] { [start] }
    public var linearPart: [Double]? { [-rate] }

    @inlinable
    public func drift(_ t: Double, _ x: UnsafeBufferPointer<Double>, _ result: UnsafeMutableBufferPointer<Double>) {
        result[0] = rate * level
    }

    @inlinable
    public func diffusion(_ t: Double, _ x: UnsafeBufferPointer<Double>, _ result: UnsafeMutableBufferPointer<Double>) {
        result[0] = volatility
    }

    public func exactMean(at t: Double) -> [Double] { [level + (start - level) * exp(-rate * t)] }

    public func exactVariance(at t: Double) -> [Double] {
        [-volatility * volatility * expm1(-2 * rate * t) / (2 * rate)]
    }

    /// σ²/(2κ).
    public var stationaryVariance: Double { volatility * volatility / (2 * rate) }

    /// The stationary variance of Euler–Maruyama with step Δ, σ²/(κ(2 − κΔ)) (infinite if κΔ ≥ 2).
    public func eulerMaruyamaStationaryVariance(step: Double) -> Double {
        let d = rate * (2 - rate * step)
        return d > 0 ? volatility * volatility / d : .infinity
    }

    /// The stationary variance of the semi-implicit (θ = 1) scheme with step Δ, σ²/(κ(2 + κΔ)).
    public func semiImplicitStationaryVariance(step: Double) -> Double {
        volatility * volatility / (rate * (2 + rate * step))
    }
}
