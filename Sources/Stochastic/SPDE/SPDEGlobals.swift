import NumericCore

/// Unknowns of a `SemilinearSPDE` that do not depend on space, coupled to the field only through the
/// nonlinearity: dg = (−λ_g g + F_g(u, g)) dτ + σ(τ)·s_g dW_g, with independent Wiener processes W_g.
/// The readout (C, c) of a network in the Langevin flow of its training action is one, with s_g = 1:
/// the field's noise per orthonormal mode, √(2 Temp), equals the readout's, while the node noise of the
/// field is √(2 Temp/h) (Notes/langevin-flow.md). F_g is written by the nonlinearity after the field's drift
/// (`SPDENonlinearity.evaluate` receives a result buffer of grid.count + count entries) and reads the
/// globals in `SPDEFieldView.globals`. The schemes treat λ_g like a mode's rate (implicitly or exactly);
/// with multiplicative noise the globals keep additive noise in the semi-implicit form.
public struct SPDEGlobals: Sendable {
    public let count: Int
    public let decay: Double
    /// s_g per global (0 keeps a global free of noise: with a zero drift it stays frozen).
    public let noiseScales: [Double]
    public let initialValue: [Double]

    /// Throws `InvalidArgument` for count < 1, a non-finite decay, a negative or non-finite noise scale,
    /// or an initial value of another length or with non-finite entries.
    public init(count: Int, decay: Double = 0, noiseScale: Double = 1, initialValue: [Double]? = nil) throws {
        try self.init(count: count, decay: decay, noiseScales: [Double](repeating: noiseScale, count: max(count, 0)), initialValue: initialValue)
    }

    /// One noise scale per global.
    public init(count: Int, decay: Double = 0, noiseScales: [Double], initialValue: [Double]? = nil) throws {
        try Validate.positive(count, "globals.count")
        try Validate.finite([decay], "globals.decay")
        try Validate.count(noiseScales.count, count, "globals.noiseScales")
        for scale in noiseScales where !(scale.isFinite && scale >= 0) {
            throw InvalidArgument("globals.noiseScale", scale, "must be finite and >= 0")
        }
        let start = initialValue ?? [Double](repeating: 0, count: count)
        try Validate.count(start.count, count, "globals.initialValue")
        try Validate.finite(start, "globals.initialValue")
        self.count = count
        self.decay = decay
        self.noiseScales = noiseScales
        self.initialValue = start
    }
}
