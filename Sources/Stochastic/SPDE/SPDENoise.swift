import NumericCore

/// The noise term G(τ, u) dW^Q of a semilinear SPDE: σ(τ) dW^Q (additive) or σ(τ) g(u) dW^Q with g
/// applied pointwise to every component (multiplicative, Nemytskii). σ(τ) = `amplitude` × `schedule(τ)`
/// (the schedule is evaluated at the start of each step; an annealed temperature is one). W^Q has the
/// covariance `covariance`, cut off to the first `cutoff` modes along each axis if given, and never
/// drives the Nyquist cosine of an even periodic axis (which has no sine partner) (Notes/q-wiener-increments.md).
public struct SPDENoise: Sendable {
    /// g and its derivative g′ (the Milstein correction needs g′).
    public struct Multiplicative: Sendable {
        public let g: @Sendable (Double) -> Double
        public let derivative: (@Sendable (Double) -> Double)?
        public init(_ g: @escaping @Sendable (Double) -> Double, derivative: (@Sendable (Double) -> Double)? = nil) {
            self.g = g
            self.derivative = derivative
        }
    }

    public let amplitude: Double
    public let covariance: QWienerCovariance
    public let cutoff: Int?
    public let schedule: (@Sendable (Double) -> Double)?
    public let multiplicative: Multiplicative?

    /// Throws `InvalidArgument` for a non-finite amplitude or a cutoff < 1.
    public init(amplitude: Double, covariance: QWienerCovariance = .white, cutoff: Int? = nil,
                schedule: (@Sendable (Double) -> Double)? = nil, multiplicative: Multiplicative? = nil) throws {
        try Validate.finite([amplitude], "noiseAmplitude")
        if let cutoff { try Validate.positive(cutoff, "cutoff") }
        self.amplitude = amplitude
        self.covariance = covariance
        self.cutoff = cutoff
        self.schedule = schedule
        self.multiplicative = multiplicative
    }

    /// No noise: the deterministic equation.
    public static let none = SPDENoise(uncheckedAmplitude: 0)

    private init(uncheckedAmplitude: Double) {
        amplitude = uncheckedAmplitude
        covariance = .white
        cutoff = nil
        schedule = nil
        multiplicative = nil
    }

    /// σ(τ).
    @inlinable
    public func amplitude(at tau: Double) -> Double { schedule.map { amplitude * $0(tau) } ?? amplitude }

    /// True if the noise can be nonzero.
    public var isActive: Bool { amplitude != 0 }
}
