import Foundation

/// The classical semilinear SPDEs, each on an interval or a rectangle with one basis for every axis.
/// `noise` is σ dW^Q (or σ g(u) dW^Q); `initialValue` defaults as stated.
extension SemilinearSPDE {
    /// The stochastic heat (reaction–diffusion) equation du = (α∆u − λu + f(u))dτ + G dW^Q, u₀ = 0 unless given.
    public static func heat(boundaries: [SpectralBasis], lengths: [Double], diffusivity: Double, decay: Double,
                            reaction: (@Sendable (Double) -> Double)? = nil, noise: SPDENoise,
                            initialValue: (@Sendable (Int, Double, Double) -> Double)? = nil) throws -> SemilinearSPDE {
        try SemilinearSPDE(boundaries: boundaries, lengths: lengths, linearPart: SpectralOperator(diffusion: diffusivity, decay: decay),
                           nonlinearity: reaction.map { .pointwise($0) }, noise: noise, initialValue: initialValue)
    }

    /// Allen–Cahn du = (α∆u − λu + u − u³)dτ + G dW^Q: stationary states ±1 and, on the line with λ = 0,
    /// the kink tanh(x/√(2α)); u₀ = 0 (the unstable state) unless given.
    public static func allenCahn(boundaries: [SpectralBasis], lengths: [Double], diffusivity: Double, decay: Double = 0,
                                 noise: SPDENoise, initialValue: (@Sendable (Int, Double, Double) -> Double)? = nil) throws -> SemilinearSPDE {
        try SemilinearSPDE(boundaries: boundaries, lengths: lengths, linearPart: SpectralOperator(diffusion: diffusivity, decay: decay),
                           nonlinearity: .allenCahn, noise: noise, initialValue: initialValue)
    }

    /// Burgers du = (ν∆u − λu − u ∂u/∂x)dτ + G dW^Q on a periodic x-axis (dealiased); u₀ = sin(2πx/L) unless given.
    /// ∫u changes only by the noise of the constant mode.
    public static func burgers(boundaries: [SpectralBasis], lengths: [Double], viscosity: Double, decay: Double = 0,
                               noise: SPDENoise, initialValue: (@Sendable (Int, Double, Double) -> Double)? = nil) throws -> SemilinearSPDE {
        let length = lengths.first ?? 1
        return try SemilinearSPDE(boundaries: boundaries, lengths: lengths, linearPart: SpectralOperator(diffusion: viscosity, decay: decay),
                                  nonlinearity: .burgers, noise: noise,
                                  initialValue: initialValue ?? { _, x, _ in sin(2 * Double.pi * x / length) })
    }

    /// Swift–Hohenberg du = (−(1 + ∆)²u + r u − u³)dτ + G dW^Q (a fourth-order operator: α = −2,
    /// λ = 1 − r, β = 1); u₀ = 0 unless given. Patterns of wavenumber 1 grow for r > 0.
    public static func swiftHohenberg(boundaries: [SpectralBasis], lengths: [Double], control r: Double, noise: SPDENoise,
                                      initialValue: (@Sendable (Int, Double, Double) -> Double)? = nil) throws -> SemilinearSPDE {
        try SemilinearSPDE(boundaries: boundaries, lengths: lengths,
                           linearPart: SpectralOperator(diffusion: [-2], decay: [1 - r], hyperdiffusion: [1]),
                           nonlinearity: .pointwise { -$0 * $0 * $0 }, noise: noise, initialValue: initialValue)
    }
}
