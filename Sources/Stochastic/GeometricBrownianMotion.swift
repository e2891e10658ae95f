import Foundation
import NumericCore

/// Geometric Brownian motion dX = μX dt + σX dW (scalar noise), X(0) = x0 > 0. Exact solution
/// X(t) = x0 exp((μ − σ²/2)t + σW(t)); E X = x0 e^{μt}; Var X = x0² e^{2μt}(e^{σ²t} − 1).
public struct GeometricBrownianMotion: StochasticDifferentialEquation, ExactMoments, ExactPathSolution {
    public let growth: Double
    public let volatility: Double
    public let start: Double
    public let horizon: Double

    /// Throws `InvalidArgument` for non-finite parameters, a non-positive start or horizon.
    public init(growth: Double, volatility: Double, start: Double = 1, horizon: Double = 1) throws {
        try Validate.finite([growth, volatility], "growth, volatility")
        try Validate.positive(start, "start")
        try Validate.positive(horizon, "horizon")
        self.growth = growth
        self.volatility = volatility
        self.start = start
        self.horizon = horizon
    }

    public var dimension: Int { 1 }
    public var noise: NoiseStructure { .scalar }
    public var initialValue: [Double] { [start] }
    public var providesDiffusionDerivative: Bool { true }

    @inlinable
    public func drift(_ t: Double, _ x: UnsafeBufferPointer<Double>, _ result: UnsafeMutableBufferPointer<Double>) {
        result[0] = growth * x[0]
    }

    @inlinable
    public func diffusion(_ t: Double, _ x: UnsafeBufferPointer<Double>, _ result: UnsafeMutableBufferPointer<Double>) {
        result[0] = volatility * x[0]
    }

    /// L¹b = b ∂b/∂x = σ²x.
    @inlinable
    public func diffusionDerivative(_ t: Double, _ x: UnsafeBufferPointer<Double>, _ result: UnsafeMutableBufferPointer<Double>) {
        result[0] = volatility * volatility * x[0]
    }

    public func exactMean(at t: Double) -> [Double] { [start * exp(growth * t)] }

    public func exactVariance(at t: Double) -> [Double] {
        [start * start * exp(2 * growth * t) * expm1(volatility * volatility * t)]
    }

    public func exactSolution(at t: Double, wienerValue w: [Double]) -> [Double] {
        [start * exp((growth - 0.5 * volatility * volatility) * t + volatility * w[0])]
    }
}
