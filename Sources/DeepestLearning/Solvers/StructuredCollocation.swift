import BoundaryValue
import NumericCore

/// Collocation of the training boundary value problem (version b, MATH.md §1.4), in its Hamiltonian
/// form (x_k, p_k, θ, π) or its Lagrangian form (x_k, ẋ_k, θ, θ'), whose Newton systems are solved by
/// eliminating every sample and Schur-complementing onto the weights (the algorithm value;
/// `solve(_:form:mesh:initialGuess:)` runs it).
///
/// The equations are those of the BoundaryValue module's `Collocation` on the same mesh: the
/// trapezoid rule (order 2) or 3-stage Lobatto IIIA / Hermite–Simpson (order 4) in compressed form,
/// so on a fixed mesh both give the same node values to Newton tolerance. Only the linear algebra
/// differs: each sample's (x_k, p_k) (or (x_k, ẋ_k)) trajectory couples to the other samples only through
/// the weights (θ, π or θ, θ') and the readout, so its almost-block-diagonal system (2d unknowns per
/// node) is factored on its own and
/// eliminated, and the weights solve one dense system of order W = 2Pq + k (P = 2N + 1 collocation
/// points for Lobatto, N + 1 for the trapezoid rule). Cost per Newton iteration
/// O(M N² d (d² + d q + q²)) for the eliminations, linear in the number of samples M, plus
/// O((2Pq + k)³) for the weights; memory O(M N d) for the states. The Lagrangian form costs the same
/// order: its samples also touch θ' at the collocation points and θ at both ends, which doubles the
/// columns of the per-sample Schur products (the O(M N² d q²) term at most doubles), still linear in M.
/// Derivation: Notes/structured-collocation.md (§10 for the Lagrangian form).
///
/// Newton is damped by Deuflhard's natural monotonicity test (the simplified correction reuses the
/// Schur factors), like `Collocation`. With `adaptive` the mesh is controlled as in `Collocation`, by
/// the same code (`ResidualControl`): after Newton converges, the relative residual of the C¹ cubic
/// output is measured per interval (5-point Lobatto RMS; for the trapezoid rule also the
/// deferred-correction estimate of the global error, one more solve with the stored factors), and
/// unless every interval is below tol/2 the mesh is rebuilt by equidistributing the predicted residual (intervals split or
/// merged), the solution interpolated onto it as the next guess, and Newton rerun; a merge-only pass
/// is made when it removes a quarter of the nodes. θ, π and the readout live on the same mesh as the
/// samples. Each pass costs what a solve on its mesh costs (every Newton iteration stays linear in M)
/// plus 3N evaluations of the full field for the residual. Without `adaptive` the mesh is fixed and
/// the residual is only reported (`maxResidual`). Samples run in parallel over fixed blocks
/// (`SampleBlocks`) whose Schur contributions are summed in block order, and the residual of every
/// interval has its own slot, so results are bitwise independent of the number of threads.
/// Status: `success`, `maxIterations` (iteration limit), `noConvergence` (the damping reached 2⁻¹⁰),
/// `singularJacobian` (a sample block or the weight system is singular), `nonFinite`, `meshLimit`
/// (refinement needs more than `maxNodes` nodes or `maxMeshRefinements` passes; the solution is the
/// last converged one, its `maxResidual` above tol/2). A failed pass never discards a converged
/// solution: when Newton (or the residual) fails on a later mesh after a solution met tol/2 (an
/// optional merge-only pass), that solution is returned with `success`; when it fails on a refined
/// mesh, the last converged solution (its mesh, node values, slopes and residual) is returned with the
/// failure status, the message naming the mesh that failed.
public struct StructuredCollocation: Sendable, Hashable {
    public var scheme: Collocation.Scheme
    /// Target of the residual control: every interval's relative residual (RMS) below tolerance/2.
    public var tolerance: Double
    public var maxNodes: Int
    /// Newton iterations (factorizations) per mesh; chord steps between them are not counted here.
    public var maxNewtonIterations: Int
    public var maxMeshRefinements: Int
    /// false: solve on the given mesh only (convergence studies, the layers' mesh).
    public var adaptive: Bool
    /// Newton stops when the scaled correction max |Δ|/(1 + |y|) over the node values falls below it.
    public var newtonTolerance: Double
    /// Keep the factored Schur complement while a full Newton step contracts by Θ ≤ 1/4 (chord steps,
    /// each O(M N d³) instead of O(M N² d² q + N³ q³); Notes/structured-collocation.md §4a). False:
    /// every iteration factors at its own point (the dense-block `Collocation`'s iterates).
    public var reuseFactors: Bool

    public init(scheme: Collocation.Scheme = .lobatto3, tolerance: Double = 1e-6, maxNodes: Int = 2000,
                maxNewtonIterations: Int = 30, maxMeshRefinements: Int = 60, adaptive: Bool = true,
                newtonTolerance: Double = 1e-9, reuseFactors: Bool = true) {
        self.reuseFactors = reuseFactors
        self.scheme = scheme
        self.tolerance = tolerance
        self.maxNodes = maxNodes
        self.maxNewtonIterations = maxNewtonIterations
        self.maxMeshRefinements = maxMeshRefinements
        self.adaptive = adaptive
        self.newtonTolerance = newtonTolerance
    }

    /// Solves `form` of `problem` on `mesh` (strictly increasing from 0 to the horizon) from
    /// `initialGuess` (sampled at the mesh nodes, in the layout of `hamiltonianForm()` or `lagrangianForm()`).
    /// With `adaptive`, `mesh` is the first mesh of the refinement (a coarse one is fine). A projected
    /// readout is solved as the equivalent trained one (`solveProjected`), its solution returned in the
    /// projected layout.
    /// - Throws: `InvalidArgument` for a bad mesh or options, or a problem without that form (α = 0 with
    ///   weights; r_f = ∞ in the Lagrangian form); numerical failure is the solution's `status`.
    public func solve<Field: DepthField>(_ problem: ContinuousTrainingProblem<Field>, form: BoundaryValueForm = .hamiltonian,
                                         mesh: [Double], initialGuess: InitialGuess) throws -> BoundaryValueSolution {
        try Validate.positive(maxNewtonIterations, "maxNewtonIterations")
        try Validate.positive(newtonTolerance, "newtonTolerance")
        try Validate.positive(tolerance, "tolerance")
        try Validate.atLeast(maxNodes, 2, "maxNodes")
        try Validate.atLeast(maxMeshRefinements, 0, "maxMeshRefinements")
        guard mesh.count >= 2, mesh.first == 0, mesh.last == problem.horizon,
              zip(mesh, mesh.dropFirst()).allSatisfy({ $0 < $1 }) else {
            throw InvalidArgument("mesh", mesh.count, "must increase strictly from 0 to the horizon \(problem.horizon) with at least 2 nodes")
        }
        if case .projected(let mu) = problem.readoutParameters {
            return try solveProjected(problem, form: form, tikhonov: mu, mesh: mesh, initialGuess: initialGuess)
        }
        let built = try problem.builtForm(form)
        var values = [Double]()
        values.reserveCapacity(mesh.count * built.dimension)
        for t in mesh { values += InitialGuess.sampleOne(initialGuess, at: t, dimension: built.dimension) }
        return refine(problem, form: form, built: built, values: values, mesh: mesh)
    }

    /// `refine` with the sample form of `form` (a concrete type, so the solver specialises on it).
    func refine<Field: DepthField>(_ problem: ContinuousTrainingProblem<Field>, form: BoundaryValueForm,
                                   built: TrainingBoundaryValueProblem, values: [Double], mesh: [Double]) -> BoundaryValueSolution {
        switch form {
        case .hamiltonian: return refine(problem, sampleForm: HamiltonianSampleForm(problem), form: built, mesh: mesh, values: values)
        case .lagrangian: return refine(problem, sampleForm: LagrangianSampleForm(problem), form: built, mesh: mesh, values: values)
        }
    }
}
