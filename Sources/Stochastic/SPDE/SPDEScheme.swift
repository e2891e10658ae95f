/// Time discretisations of a `SemilinearSPDE` in its spectral basis (Notes/spde-schemes.md). In all of
/// them F and G are explicit (evaluated at the nodes at the start of the step); A is treated exactly
/// or implicitly, so no scheme has a step restriction from A's stiffness. Orders are for the
/// time-step error at a fixed mode set unless stated; MATH.md §2.4 gives the uniform (SPDE) orders.
public enum SPDEScheme: String, Sendable, CaseIterable, Codable {
    /// Semi-implicit Euler–Maruyama: û' = (û + Δτ F̂ + Ĝ ΔW)/(1 + Δτ μ). Stable for every Δτ where
    /// 1 + Δτμ > 0 (all Δτ when A is dissipative). Strong order 1/2 (1 for additive noise) on a fixed
    /// mode set; uniformly in the modes β/2 with ‖A^{(β−1)/2}Q^{1/2}‖_HS < ∞: 1/4 − ε with white noise in
    /// 1-D, up to 1 − ε with additive trace-class noise, at most 1/2 with multiplicative noise.
    /// Per-mode stationary variance σ²q/(μ(2 + μΔτ)) for a linear problem: high modes are damped.
    case semiImplicit = "semi-implicit"
    /// Exponential Euler: û' = e^{−μΔτ}û + φ₁(μΔτ)Δτ F̂ + noise, with the exact per-mode variance
    /// σ²q(1 − e^{−2μΔτ})/(2μ) for additive noise (the law of every mode of a linear problem is exact at
    /// every step) and e^{−μΔτ} Ĝ ΔW for multiplicative noise. Same orders as semi-implicit in general;
    /// overall computational order 1/3 with white noise (Jentzen–Kloeden 2009).
    case exponentialEuler = "exponential-euler"
    /// Semi-implicit Milstein for pointwise multiplicative noise G(u) = σ g(u): adds
    /// ½ g(u)g′(u)((ΔW^Q(x))² − σ²Δτ Σ_k q_k e_k(x)²) at each node (the noise is commutative because g is
    /// pointwise). Strong order 1 in Δτ on a fixed mode set. Needs g′.
    case milstein
}
