/// Discretisations of `StochasticHeatEquation` (Notes/spectral-galerkin-heat-equation.md). In all of
/// them the reaction f is explicit and the noise enters through the first J mode increments ΔW_j.
public enum HeatScheme: String, Sendable, CaseIterable {
    /// Spectral Galerkin in the first J modes, semi-implicit Euler–Maruyama:
    /// û_j ← (û_j + Δτ f̂_j + σ√q_j ΔW_j)/(1 + Δτ μ_j). Unconditionally stable in the linear part; per-mode
    /// stationary variance σ²q_j/(μ_j(2 + μ_jΔτ)) for f = 0, so modes with μ_jΔτ ≫ 1 are damped.
    case semiImplicitSpectral = "semi-implicit"
    /// Spectral Galerkin, exponential Euler with exact OU modes: û_j ← e^{−μ_jΔτ}û_j + (1 − e^{−μ_jΔτ})/μ_j f̂_j
    /// + σ√q_j sqrt((1 − e^{−2μ_jΔτ})/(2μ_jΔτ)) ΔW_j. For f = 0 the law of every mode is exact at every step.
    case exponentialEulerSpectral = "exponential-euler"
    /// Finite differences on J nodes (cell centres for Neumann, interior nodes for Dirichlet), the
    /// three-point Laplacian implicit: (I + Δτ(αA_h + λ)) u' = u + Δτ f(u) + σ h^{−1/2} Ψ(√q ⊙ ΔW),
    /// solved by the Thomas algorithm in O(J); Ψ is the orthonormal DCT-III / DST-I, so the node noise is
    /// N(0, σ²Δτ/h) for white noise. Works for any boundary condition; discrete eigenvalues
    /// μ_j^h = α·4 sin²(πk/(2P))/h² + λ.
    case semiImplicitFiniteDifference = "finite-difference"
}
