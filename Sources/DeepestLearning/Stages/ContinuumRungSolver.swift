import BoundaryValue
import Foundation
import NumericCore

/// How a continuum stage solves each rung of the continuum boundary value problem (version b, exact
/// inputs, R_out = 1; Notes/deepest-learning-action.md §9): the BVP algorithm, the form of the
/// stationarity conditions and the readout's treatment, and the continuation loop the three continuum
/// stage types share (`TikhonovContinuationStage`, `HorizonContinuationStage`, `ContinuumAnnealingStage`).
///
/// Algorithms:
/// - `collocation`: Lobatto IIIA (order 4). Up to `denseLimit` unknowns per node, n = 2(Md + q) + k,
///   BoundaryValue's adaptive `Collocation` with dense (2n)-blocks, O(nodes · n³) per Newton iteration,
///   tolerance default 1e-6, at most 2000 nodes; above it `StructuredCollocation` (per-sample elimination
///   and Schur complement onto the weights, cost linear in M, tolerance default 1e-3, at most
///   4·max(N, K) + 1 nodes with K the reduced stage's intervals; Notes/structured-collocation.md).
/// - `multiple-shooting`: max(16, N) RK4 segments with max(400, 20N) steps and their n × n variational
///   equations, Newton tolerance 1e-9; refused above n = 200.
/// - `chebyshev`: spectral collocation from degree 16 doubling to a tail below 1e-8, dense
///   ((N + 1) n)² matrix; refused when degree 16 already exceeds 3000 unknowns.
///
/// Options (every continuum stage): `algorithm`, `form` (hamiltonian, lagrangian), `readout` (trained,
/// projected), `tol` (0: the algorithm's default), `newton-iterations`.
public struct ContinuumRungSolver: Sendable, Hashable {
    public enum Algorithm: String, CaseIterable, Sendable {
        case collocation
        case multipleShooting = "multiple-shooting"
        case chebyshev
    }

    public static let keys = ["algorithm", "form", "readout", "tol", "newton-iterations"]
    /// Unknowns per node above which collocation uses the structured solver.
    public static let denseCollocationLimit = 600
    /// Residual tolerance of the dense-block collocation when `tolerance` is 0.
    public static let denseTolerance = 1e-6
    /// Residual tolerance of the structured collocation when `tolerance` is 0 (Notes/structured-collocation.md §7).
    public static let structuredTolerance = 1e-3
    /// Unknowns per node above which multiple shooting is refused.
    public static let multipleShootingLimit = 200
    /// Unknowns of the degree-16 Chebyshev system above which Chebyshev collocation is refused.
    public static let chebyshevLimit = 3000
    public static let chebyshevStartDegree = 16
    /// Midpoint halvings of a failed continuation step (each halves the step in log r_f, log T, log λ, log μ).
    public static let maximumBisections = 4

    public var algorithm: Algorithm
    public var form: BoundaryValueForm
    public var readout: ReadoutTreatment
    /// 0: the algorithm's default.
    public var tolerance: Double
    public var newtonIterations: Int
    /// Unknowns per node above which collocation uses the structured solver (tests lower it).
    public var denseLimit: Int

    public init(algorithm: Algorithm = .collocation, form: BoundaryValueForm = .hamiltonian, readout: ReadoutTreatment = .trained,
                tolerance: Double = 0, newtonIterations: Int = 30, denseLimit: Int = denseCollocationLimit) throws {
        guard tolerance.isFinite, tolerance >= 0 else { throw InvalidArgument("tol", tolerance, "must be > 0 (or 0 for the solver's default)") }
        try Validate.positive(newtonIterations, "newton-iterations")
        self.algorithm = algorithm
        self.form = form
        self.readout = readout
        self.tolerance = tolerance
        self.newtonIterations = newtonIterations
        self.denseLimit = denseLimit
    }

    public init(_ options: StageOptionReader) throws {
        let tol = try options.double("tol", default: 0)
        if tol < 0, let v = options.value("tol") { throw InvalidArgument(v.origin, v.text, "must be > 0 (or 0 for the solver's default)") }
        try self.init(algorithm: try options.choice("algorithm", default: Algorithm.collocation),
                      form: try options.choice("form", default: BoundaryValueForm.hamiltonian),
                      readout: try options.choice("readout", default: ReadoutTreatment.trained), tolerance: tol,
                      newtonIterations: try options.int("newton-iterations", default: 30, in: 1...100_000))
    }

    /// Unknowns per node of the boundary value state, n = 2(M d + q) + k (k only for a trained readout).
    public func stateDimension(_ context: TrainingContext) -> Int {
        let net = context.network
        return 2 * (context.samples * net.width + net.layerParameterCount) + (readout == .trained ? net.readoutParameterCount : 0)
    }

    /// The solve of one rung: problem, its built form and the guess to a solution. Throws
    /// `MethodUnavailable` for a problem above the dense method's size.
    typealias RungSolve = (ContinuousTrainingProblem<ResidualField>, TrainingBoundaryValueProblem, InitialGuess) throws -> BoundaryValueSolution

    /// Throws `MethodUnavailable` for a problem above the dense method's size, `InvalidArgument` for α = 0.
    public func check(_ context: TrainingContext) throws {
        try Validate.positive(context.regularization.smoothness, "smoothness")
        let n = stateDimension(context)
        switch algorithm {
        case .collocation: break
        case .multipleShooting:
            guard n <= Self.multipleShootingLimit else {
                throw MethodUnavailable(description: "algorithm multiple-shooting: \(context.samples) samples give \(n) unknowns per node, above \(Self.multipleShootingLimit) for the dense n×n variational equations of every segment; use fewer --samples, collocation, symplectic-euler, sgd or adam")
            }
        case .chebyshev:
            guard (Self.chebyshevStartDegree + 1) * n <= Self.chebyshevLimit else {
                throw MethodUnavailable(description: "algorithm chebyshev: \(context.samples) samples give \(n) unknowns per node, \((Self.chebyshevStartDegree + 1) * n) at degree \(Self.chebyshevStartDegree), above \(Self.chebyshevLimit) for the dense Chebyshev collocation matrix; use fewer --samples or a smaller --width, collocation, symplectic-euler, sgd or adam")
            }
        }
    }

    func rungSolve(_ context: TrainingContext, iterate: TrainingIterate) throws -> RungSolve {
        try check(context)
        let n = stateDimension(context), layers = context.network.layers
        switch algorithm {
        case .collocation where n <= denseLimit:
            let collocation = Collocation(scheme: .lobatto3, tolerance: tolerance > 0 ? tolerance : Self.denseTolerance, maxNodes: 2000,
                                          maxNewtonIterations: newtonIterations)
            return { _, built, guess in try solve(try built.boundaryValueProblem(), collocation, initialGuess: guess) }
        case .collocation:
            let nodes = 4 * max(layers, iterate.reduced?.action.network.intervals ?? 0) + 1
            let structured = StructuredCollocation(scheme: .lobatto3, tolerance: tolerance > 0 ? tolerance : Self.structuredTolerance,
                                                   maxNodes: nodes, maxNewtonIterations: newtonIterations, adaptive: true)
            let form = self.form
            return { problem, _, guess in
                // The rung's own horizon; the residual control starts from the previous rung's mesh, the
                // guess's, or that of the layers.
                let t = problem.horizon
                var mesh = (0...layers).map { $0 == layers ? t : t * Double($0) / Double(layers) }
                if case .solution(let previous) = guess { mesh = previous.mesh.dropLast() + [t] }
                if case .mesh(let nodes, _) = guess { mesh = nodes.dropLast() + [t] }
                return try structured.solve(problem, form: form, mesh: mesh, initialGuess: guess)
            }
        case .multipleShooting:
            let shooting = MultipleShooting(integrator: .rungeKutta4(steps: max(400, 20 * layers)), segments: max(16, layers),
                                            tolerance: 1e-9, maxIterations: newtonIterations)
            return { _, built, guess in try solve(try built.boundaryValueProblem(), shooting, initialGuess: guess) }
        case .chebyshev:
            let chebyshev = ChebyshevCollocation(tolerance: 1e-8, maxDegree: max(Self.chebyshevStartDegree, min(128, Self.chebyshevLimit / n - 1)),
                                                 maxIterations: newtonIterations)
            return { _, built, guess in try solve(try built.boundaryValueProblem(), chebyshev, initialGuess: guess) }
        }
    }
}
