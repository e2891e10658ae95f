import NumericCore

/// Adaptive collocation for two-point boundary value problems (the algorithm value).
///
/// Schemes: `trapezoid` (order 2) and `lobatto3`, the 3-stage Lobatto IIIA / Hermite–Simpson scheme
/// of MATLAB's bvp4c (order 4), both in compressed form with unknowns y_0…y_N. Newton's matrix is
/// almost block diagonal and is factored by `AlmostBlockDiagonalLU` in O(N n³); Newton is damped
/// (affine-invariant natural monotonicity test, which reuses the factors). The mesh is adapted from
/// the residual of the C¹ cubic Hermite output (relative RMS per interval, target tol/2): the mesh is
/// rebuilt by equidistributing the predicted residual, which splits intervals above the target and
/// merges intervals far below it in the same pass, up to `maxNodes`. For the trapezoid scheme a
/// deferred-correction estimate of the global error (one extra solve with the stored factors) must
/// meet tol/2 too, so that the error, not only the residual, is below the tolerance. An optional
/// merge-only pass (made when a solution already meets tol/2) never turns a success into a failure: if
/// a later pass fails, the solution that met tol/2 is returned with `success`. Block rows and
/// residuals are computed by parallel workers over contiguous ranges of intervals (results do not
/// depend on the number of workers). Before `success` the returned solution is checked: its residual
/// (measured on the returned mesh after the last Newton solve) within `tolerance`, its boundary
/// residual within `boundaryTolerance` (Notes/bvp-verification.md). Derivations: Notes/collocation.md,
/// Notes/mesh-refinement.md.
///
/// Coupled conditions g(y(a), y(b)) = 0 (`BoundaryConditions.general`, SciPy's bc(ya, yb)) are solved
/// as the equivalent separated problem with n constants z' = 0, z(a) = y(a), and g(z(b), y(b)) = 0
/// (`separatedByAugmentation`): dimension 2n, the same almost-block-diagonal factorization.
public struct Collocation: Sendable {
    public enum Scheme: String, Sendable, CaseIterable, Codable {
        case trapezoid
        case lobatto3

        /// Classical order of the node values.
        public var order: Int { self == .trapezoid ? 2 : 4 }
        /// Order of the residual of the cubic output (what the mesh control measures).
        public var residualOrder: Int { self == .trapezoid ? 2 : 3 }
    }

    public var scheme: Scheme
    /// Bound on the relative residual |S' − f| / (1 + |f|) (RMS over each interval) of the returned
    /// dense output S (refinement aims at tolerance/2; for the trapezoid scheme the deferred-correction
    /// error estimate must meet it too). Checked on the returned solution before `success`; with
    /// `adaptive == false` the mesh is the caller's and only Newton's convergence and the boundary
    /// residual are checked (`maxResidual` reports the residual).
    public var tolerance: Double
    /// Bound on max |g(y(a), y(b))| of the returned solution; nil: the same number as `tolerance`
    /// (SciPy's default `bc_tol`). Above it the status is `noConvergence`.
    public var boundaryTolerance: Double?
    public var maxNodes: Int
    public var maxNewtonIterations: Int
    public var maxMeshRefinements: Int
    /// false: solve on the initial mesh only (convergence studies).
    public var adaptive: Bool
    /// Node count used when the initial guess is a function without its own node count.
    public var defaultNodes: Int

    public init(scheme: Scheme = .lobatto3, tolerance: Double = 1e-6, boundaryTolerance: Double? = nil,
                maxNodes: Int = 100_000, maxNewtonIterations: Int = 30, maxMeshRefinements: Int = 60,
                adaptive: Bool = true, defaultNodes: Int = 11) {
        self.scheme = scheme
        self.tolerance = tolerance
        self.boundaryTolerance = boundaryTolerance
        self.maxNodes = maxNodes
        self.maxNewtonIterations = maxNewtonIterations
        self.maxMeshRefinements = maxMeshRefinements
        self.adaptive = adaptive
        self.defaultNodes = defaultNodes
    }

    func validate(_ problem: BoundaryValueProblem, _ guess: InitialGuess) throws {
        try Validate.positive(tolerance, "tolerance")
        if let boundaryTolerance { try Validate.positive(boundaryTolerance, "boundaryTolerance") }
        try Validate.atLeast(maxNodes, 2, "maxNodes")
        try Validate.positive(maxNewtonIterations, "maxNewtonIterations")
        try Validate.atLeast(defaultNodes, 2, "defaultNodes")
        try guess.validate(dimension: problem.dimension, start: problem.start, end: problem.end)
    }
}

extension Collocation: BoundaryValueAlgorithm {
    public func solve(_ problem: BoundaryValueProblem, initialGuess: InitialGuess) throws -> BoundaryValueSolution {
        try validate(problem, initialGuess)
        if !problem.boundaryConditions.isSeparated {
            // Coupled conditions: solve the equivalent separated problem of dimension 2n.
            let augmented = try problem.separatedByAugmentation()
            let guess = initialGuess.augmented(dimension: problem.dimension, start: problem.start, end: problem.end,
                                               defaultNodes: defaultNodes)
            return try solve(augmented, initialGuess: guess).projected(to: problem)
        }
        let mesh = initialGuess.mesh(start: problem.start, end: problem.end, defaultNodes: defaultNodes)
        let values = initialGuess.sample(on: mesh, dimension: problem.dimension)
        let solver = try CollocationSolver(problem: problem, algorithm: self)
        var solution = solver.run(mesh: mesh, values: values)
        solution.parameterCount = problem.parameterCount
        return solution
    }
}

/// A solver of boundary value problems: `solve(problem, algorithm, initialGuess)` dispatches here.
public protocol BoundaryValueAlgorithm: Sendable {
    func solve(_ problem: BoundaryValueProblem, initialGuess: InitialGuess) throws -> BoundaryValueSolution
}

/// Solves `problem` with `algorithm` from `initialGuess`.
/// - Throws: `InvalidArgument` for input that is wrong before any numerics; numerical failure is the
///   solution's `status`.
public func solve<Algorithm: BoundaryValueAlgorithm>(
    _ problem: BoundaryValueProblem, _ algorithm: Algorithm, initialGuess: InitialGuess
) throws -> BoundaryValueSolution {
    try algorithm.solve(problem, initialGuess: initialGuess)
}
