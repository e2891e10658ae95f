/// The per-sample mathematics of a first-order form of the training boundary value problem (version b)
/// that `StructuredCollocationSolver` needs: every form it solves has per sample a state u_k of 2d
/// numbers (x_k and a second block) and weights (θ, c) ∈ ℝ^{2q} shared by all samples, with
///
///   u̇_k = f(u_k, θ, c),   θ' = κ_θ c,   c' = κ_c θ − Σ_k g(u_k, θ),
///
/// start rows m(u_k, θ(0)) − R_in(x_k(0) − y_k^in) (R_in = ∞: x_k(0) = y_k^in) and end rows
/// m(u_k, θ(T)) + R_out∇ₓφ_k(x_k(T)), with m the momentum of the sample (the costate p_k). The
/// Hamiltonian form (`HamiltonianSampleForm`: u = (x, p), c = π) has f independent of c and m = p; the
/// Lagrangian form (`LagrangianSampleForm`: u = (x, ẋ), c = θ') has f linear in c and m = r_f(ẋ − F),
/// which couples the start and end rows to θ. Those are the only differences the solver sees
/// (Notes/structured-collocation.md §10). Implementations are small structs, so the solver specialises
/// on them (no existential in the hot loops); every method writes into caller-owned memory and uses
/// only `scratch` (at least `scratchCount` numbers), so it allocates nothing.
protocol StructuredSampleForm: Sendable {
    associatedtype Field: DepthField
    var field: Field { get }
    /// κ_θ in θ' = κ_θ c and κ_c in c' = κ_c θ − Σ_k g.
    var thetaRate: Double { get }
    var conjugateRate: Double { get }
    /// Whether f depends on the conjugate c (then the samples couple to the c columns of the weight system).
    var fieldUsesConjugate: Bool { get }
    /// Whether the momentum m depends on θ (then the start and end rows couple to θ(0) and θ(T)).
    var momentumUsesWeights: Bool { get }
    var scratchCount: Int { get }

    /// f(u, θ, c) into `out` (2d numbers).
    func sampleField(_ u: UnsafePointer<Double>, theta: UnsafePointer<Double>, conjugate: UnsafePointer<Double>,
                     into out: UnsafeMutablePointer<Double>, scratch: UnsafeMutablePointer<Double>)
    /// g(u, θ), the sample's term of −c' (q numbers).
    func weightForce(_ u: UnsafePointer<Double>, theta: UnsafePointer<Double>, into out: UnsafeMutablePointer<Double>,
                     scratch: UnsafeMutablePointer<Double>)
    /// A = ∂f/∂u (2d×2d), B = ∂f/∂θ (2d×q), B_c = ∂f/∂c (2d×q, written only when `fieldUsesConjugate`),
    /// C = −∂g/∂u (q×2d) and G = ∂g/∂θ (q×q), all row-major.
    func derivatives(_ u: UnsafePointer<Double>, theta: UnsafePointer<Double>, conjugate: UnsafePointer<Double>,
                     a: UnsafeMutablePointer<Double>, b: UnsafeMutablePointer<Double>, bConjugate: UnsafeMutablePointer<Double>,
                     c: UnsafeMutablePointer<Double>, g: UnsafeMutablePointer<Double>, scratch: UnsafeMutablePointer<Double>)
    /// The momentum m(u, θ) (d numbers).
    func momentum(_ u: UnsafePointer<Double>, theta: UnsafePointer<Double>, into out: UnsafeMutablePointer<Double>,
                  scratch: UnsafeMutablePointer<Double>)
    /// ∂m/∂u (d×2d) and ∂m/∂θ (d×q, written only when `momentumUsesWeights`).
    func momentumDerivatives(_ u: UnsafePointer<Double>, theta: UnsafePointer<Double>, state: UnsafeMutablePointer<Double>,
                             weights: UnsafeMutablePointer<Double>, scratch: UnsafeMutablePointer<Double>)
}
