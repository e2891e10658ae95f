import NumericCore

/// A general SDE given by closures (see `StochasticDifferentialEquation` for the meaning and layout of
/// each function). Validated on construction: dimensions, finite initial value, positive horizon.
public struct SDEProblem: StochasticDifferentialEquation {
    /// A vector field f(t, x) written into a result buffer.
    public typealias Field = @Sendable (Double, UnsafeBufferPointer<Double>, UnsafeMutableBufferPointer<Double>) -> Void

    public let dimension: Int
    public let noise: NoiseStructure
    public let initialValue: [Double]
    public let initialTime: Double
    public let horizon: Double
    public let linearPart: [Double]?
    public let driftField: Field
    public let diffusionField: Field
    public let derivativeField: Field?

    /// Throws `InvalidArgument` for an empty or non-finite initial value, a non-positive horizon, a
    /// linear part of the wrong length, or a noise dimension < 1.
    public init(initialValue: [Double], horizon: Double, initialTime: Double = 0, noise: NoiseStructure,
                linearPart: [Double]? = nil, drift: @escaping Field, diffusion: @escaping Field,
                diffusionDerivative: Field? = nil) throws {
        try Validate.atLeast(initialValue.count, 1, "initialValue.count")
        try Validate.finite(initialValue, "initialValue")
        try Validate.positive(horizon, "horizon")
        try Validate.finite([initialTime], "initialTime")
        if let linearPart {
            try Validate.count(linearPart.count, initialValue.count, "linearPart")
            try Validate.finite(linearPart, "linearPart")
        }
        switch noise {
        case .additive(let m), .general(let m, _): try Validate.atLeast(m, 1, "noise dimensions")
        default: break
        }
        dimension = initialValue.count
        self.noise = noise
        self.initialValue = initialValue
        self.initialTime = initialTime
        self.horizon = horizon
        self.linearPart = linearPart
        driftField = drift
        diffusionField = diffusion
        derivativeField = diffusionDerivative
    }

    public var providesDiffusionDerivative: Bool { derivativeField != nil }

    public func drift(_ t: Double, _ x: UnsafeBufferPointer<Double>, _ result: UnsafeMutableBufferPointer<Double>) {
        driftField(t, x, result)
    }

    public func diffusion(_ t: Double, _ x: UnsafeBufferPointer<Double>, _ result: UnsafeMutableBufferPointer<Double>) {
        diffusionField(t, x, result)
    }

    public func diffusionDerivative(_ t: Double, _ x: UnsafeBufferPointer<Double>, _ result: UnsafeMutableBufferPointer<Double>) {
        if let derivativeField { derivativeField(t, x, result) } else { for i in result.indices { result[i] = 0 } }
    }
}
