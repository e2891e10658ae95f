import NumericCore

/// An Itô SDE dX = (L ⊙ X + a(t, X)) dt + b(t, X) dW on [t0, t0 + horizon] in R^n, X(t0) = x0: the
/// mathematics only (no step size, no scheme). L is an optional diagonal linear part that the θ-method
/// treats implicitly (stiff linear decay); the explicit schemes simply add L ⊙ X to the drift.
///
/// Conforming types are used as generic parameters of the steppers, so the calls below are specialised
/// and inlined in the stepping loop (no existential dispatch). Vectors are passed as buffers; writers
/// fill every entry of `result`. Layout of b and of the Milstein derivative: `NoiseStructure`.
public protocol StochasticDifferentialEquation: Sendable {
    /// State dimension n.
    var dimension: Int { get }
    var noise: NoiseStructure { get }
    var initialValue: [Double] { get }
    var initialTime: Double { get }
    var horizon: Double { get }
    /// The diagonal linear part L (n entries), or nil for none.
    var linearPart: [Double]? { get }
    /// Whether `diffusionDerivative` is implemented (needed by Milstein unless the noise is additive).
    var providesDiffusionDerivative: Bool { get }
    /// For scalar problems (n = m = 1): whether `drift` and `diffusion` accept a block of B states and
    /// write the B results elementwise (result[p] = f(t, x[p])). Ensembles then make one call per block of
    /// paths and step instead of one per path (`SDEStepper.integrateDrawingElementwise`), which matters when
    /// the calls cannot be inlined (closures). Default false.
    var evaluatesElementwise: Bool { get }

    /// a(t, x), without the linear part: n entries.
    func drift(_ t: Double, _ x: UnsafeBufferPointer<Double>, _ result: UnsafeMutableBufferPointer<Double>)
    /// b(t, x): `noise.diffusionCount(stateDimension: n)` entries.
    func diffusion(_ t: Double, _ x: UnsafeBufferPointer<Double>, _ result: UnsafeMutableBufferPointer<Double>)
    /// The derivative Milstein needs: `noise.derivativeCount(stateDimension: n)` entries.
    func diffusionDerivative(_ t: Double, _ x: UnsafeBufferPointer<Double>, _ result: UnsafeMutableBufferPointer<Double>)
}

extension StochasticDifferentialEquation {
    public var initialTime: Double { 0 }
    public var linearPart: [Double]? { nil }
    public var providesDiffusionDerivative: Bool { false }
    public var evaluatesElementwise: Bool { false }
    public func diffusionDerivative(_ t: Double, _ x: UnsafeBufferPointer<Double>, _ result: UnsafeMutableBufferPointer<Double>) {
        for i in result.indices { result[i] = 0 }
    }
    /// Number of Wiener processes m.
    public var wienerDimension: Int { noise.wienerDimension(stateDimension: dimension) }
}

/// A process whose mean and variance are known in closed form (used as "exact" values by the command
/// line and the weak-error studies).
public protocol ExactMoments {
    /// E X(t) componentwise.
    func exactMean(at t: Double) -> [Double]
    /// Var X(t) componentwise.
    func exactVariance(at t: Double) -> [Double]
}

/// A process whose solution is an explicit function of the driving Wiener process W(t) − W(t0)
/// (m entries), so strong errors can be measured against the exact solution on the same path.
public protocol ExactPathSolution {
    func exactSolution(at t: Double, wienerValue w: [Double]) -> [Double]
}
