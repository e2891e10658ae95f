import NumericCore

/// A general SDE given by closures (see `StochasticDifferentialEquation` for the meaning and layout of
/// each function). Validated on construction: dimensions, finite initial value, positive horizon.
/// The coefficient methods are `@inlinable`, so a specialised stepping loop calls the closures directly:
/// one indirect call per coefficient and step, which the optimiser cannot inline (measured on GBM, n = m = 1:
/// about 3 ns per step on top of the built-in OU's 4.5 ns; Experiments/bench-sde). A type of your own
/// conforming to `StochasticDifferentialEquation` with `@inlinable` coefficients has no such cost.
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
    /// Whether the drift and diffusion closures are elementwise over a block of states (see
    /// `StochasticDifferentialEquation.evaluatesElementwise`).
    public let evaluatesElementwise: Bool

    /// Throws `InvalidArgument` for an empty or non-finite initial value, a non-positive horizon, a
    /// linear part of the wrong length, or a noise dimension < 1.
    ///
    /// `elementwise: true` declares, for a scalar problem (one state, one Wiener process), that `drift`
    /// and `diffusion` write result[p] = f(t, x[p]) for every entry of a buffer of any length, e.g.
    /// `drift: { _, x, r in for p in x.indices { r[p] = 0.05 * x[p] } }`. Ensembles then evaluate a block
    /// of paths per call, which makes a closure-defined GBM about as fast as a built-in type
    /// (Experiments/bench-sde). Checked on two states at construction: throws `InvalidArgument` naming
    /// `elementwise` for n ≠ 1, m ≠ 1, or closures whose block results differ from their one-state results.
    public init(initialValue: [Double], horizon: Double, initialTime: Double = 0, noise: NoiseStructure,
                linearPart: [Double]? = nil, drift: @escaping Field, diffusion: @escaping Field,
                diffusionDerivative: Field? = nil, elementwise: Bool = false) throws {
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
        evaluatesElementwise = elementwise
        if elementwise { try checkElementwise() }
    }

    /// Compares block evaluations of drift and diffusion at two states with one-state evaluations.
    private func checkElementwise() throws {
        guard dimension == 1, wienerDimension == 1 else {
            throw InvalidArgument("elementwise", true, "needs a scalar problem (one state, one Wiener process); this one has n = \(dimension), m = \(wienerDimension)")
        }
        let x0 = initialValue[0]
        let states = [x0, x0 + 0.25 * (x0 == 0 ? 1 : abs(x0))]
        for (name, field) in [("drift", driftField), ("diffusion", diffusionField)] {
            var block = [0.0, 0.0], one = [0.0]
            states.withUnsafeBufferPointer { x in block.withUnsafeMutableBufferPointer { field(initialTime, x, $0) } }
            for (p, x) in states.enumerated() {
                [x].withUnsafeBufferPointer { state in one.withUnsafeMutableBufferPointer { field(initialTime, state, $0) } }
                guard one[0].bitPattern == block[p].bitPattern || (one[0].isNaN && block[p].isNaN) else {
                    throw InvalidArgument("elementwise", true,
                                          "the \(name) closure gives \(block[p]) for entry \(p) of a block but \(one[0]) for x = \(x) alone: it must write result[p] = f(t, x[p]) for every p")
                }
            }
        }
    }

    public var providesDiffusionDerivative: Bool { derivativeField != nil }

    @inlinable
    public func drift(_ t: Double, _ x: UnsafeBufferPointer<Double>, _ result: UnsafeMutableBufferPointer<Double>) {
        driftField(t, x, result)
    }

    @inlinable
    public func diffusion(_ t: Double, _ x: UnsafeBufferPointer<Double>, _ result: UnsafeMutableBufferPointer<Double>) {
        diffusionField(t, x, result)
    }

    @inlinable
    public func diffusionDerivative(_ t: Double, _ x: UnsafeBufferPointer<Double>, _ result: UnsafeMutableBufferPointer<Double>) {
        if let derivativeField { derivativeField(t, x, result) } else { for i in result.indices { result[i] = 0 } }
    }
}
