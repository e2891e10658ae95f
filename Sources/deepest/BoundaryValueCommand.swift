import ArgumentParser
import BoundaryValue
import Foundation
import NumericCore

/// `deepest bvp`: solve a built-in boundary value problem and report status, nodes, iterations, error
/// against the exact solution, residual and solve time.
struct BoundaryValueCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bvp",
        abstract: "Solve a built-in two-point boundary value problem (bratu, lq, boundary-layer, interior-layer).")

    @Option(help: "Problem: \(ReferenceProblems.names.joined(separator: ", ")).")
    var problem: String = "bratu"

    @Option(help: "Solver: \(BoundaryValueSolverChoice.allCases.map(\.rawValue).joined(separator: ", ")).")
    var solver: String = "collocation"

    @Option(help: "Collocation scheme: trapezoid or lobatto3 (default lobatto3).")
    var scheme: String?

    @Option(help: "Shooting integrator: rk4, gauss4 (fixed steps, --nodes of them; default 400) or adaptive (rk8pd at --tol; the default).")
    var integrator: String?

    @Option(parsing: .unconditional, help: "Tolerance (collocation residual, shooting and Chebyshev accuracy).")
    var tol: Double = 1e-8

    @Option(parsing: .unconditional, help: "Initial nodes (collocation, >= 2), segments (multiple shooting), steps (fixed-step shooting) or N (Chebyshev).")
    var nodes: Int?

    @Option(parsing: .unconditional, help: "Dimension n of the LQ problem (the system has 2n unknowns; default 2).")
    var dimension: Int?

    @Option(parsing: .unconditional, help: "Bratu's λ (default 1; no solution above the fold λ* ≈ 3.5138).")
    var lambda: Double?

    @Option(parsing: .unconditional, help: "ε of the layer problems (default 1e-3).")
    var epsilon: Double?

    @Option(parsing: .unconditional, help: "Horizon T of the LQ problem, in (0, 1e6] (default 5).")
    var horizon: Double?

    @Flag(help: "Bratu's upper branch.")
    var upperBranch = false

    @Flag(help: "Collocation on the initial mesh only (no refinement), e.g. to measure cost against mesh size.")
    var fixedMesh = false

    @Option(name: .customLong("repeat"), parsing: .unconditional, help: "Solve this many times and report the fastest solve (benchmarks).")
    var repetitions: Int = 1

    @Option(help: "table or json")
    var format: OutputFormat = .table

    @OptionGroup var resources: ResourceOptions

    /// Bratu's fold: no solution for λ above it.
    static let bratuFold = 3.513830719

    /// The library's argument names as this command's options.
    static let optionNames = ["lambda": "--lambda", "epsilon": "--epsilon", "dimension": "--dimension", "horizon": "--horizon",
                              "tolerance": "--tol", "steps": "--nodes", "degree": "--nodes", "segments": "--nodes",
                              "initialGuess.nodes": "--nodes", "nodes": "--nodes"]

    func run() throws {
        guard let solverChoice = BoundaryValueSolverChoice(rawValue: solver) else {
            throw CommandFailure("invalid --solver = \(solver): must be one of \(BoundaryValueSolverChoice.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        guard ReferenceProblems.names.contains(problem) else {
            throw CommandFailure("invalid --problem = \(problem): must be one of \(ReferenceProblems.names.joined(separator: ", "))")
        }
        let integrator = self.integrator ?? "adaptive"
        guard ["rk4", "gauss4", "adaptive"].contains(integrator) else {
            throw CommandFailure("invalid --integrator = \(integrator): must be one of rk4, gauss4, adaptive")
        }
        guard let schemeChoice = Collocation.Scheme(rawValue: scheme ?? "lobatto3") else {
            throw CommandFailure("invalid --scheme = \(scheme ?? ""): must be one of \(Collocation.Scheme.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        try checkApplicable(solverChoice)
        guard tol.isFinite, tol > 0 else { throw CommandFailure("invalid --tol = \(tol): must be a finite number > 0") }
        guard repetitions >= 1, repetitions <= 1_000_000 else { throw CommandFailure("invalid --repeat = \(repetitions): must be in 1...1000000") }
        if let nodes {
            let least = solverChoice == .collocation ? 2 : 1
            guard nodes >= least else { throw CommandFailure("invalid --nodes = \(nodes): must be >= \(least) with --solver \(solver)") }
        }
        let dimension = self.dimension ?? 2, lambda = self.lambda ?? 1, epsilon = self.epsilon ?? 1e-3, horizon = self.horizon ?? 5
        if problem == "lq" {
            // Beyond 2^31 the system dimension 2n would overflow; far beyond any memory anyway.
            guard dimension >= 1, dimension <= 1 << 31 else { throw CommandFailure("invalid --dimension = \(dimension): must be in 1...\(1 << 31)") }
        }
        if problem == "lq" {
            guard horizon.isFinite, horizon > 0, horizon <= 1e6 else { throw CommandFailure("invalid --horizon = \(horizon): must be in (0, 1e6]") }
        }
        try checkSize(solverChoice, integrator: integrator, systemDimension: problem == "lq" ? 2 * dimension : 2,
                      lqDimension: problem == "lq" ? dimension : 0)
        let reference: ReferenceProblem
        do {
            switch problem {
            case "bratu": reference = try ReferenceProblems.bratu(lambda: lambda, upperBranch: upperBranch)
            case "lq": reference = try ReferenceProblems.linearQuadratic(dimension: dimension, horizon: horizon)
            case "boundary-layer": reference = try ReferenceProblems.boundaryLayer(epsilon: epsilon)
            default: reference = try ReferenceProblems.interiorLayer(epsilon: epsilon)
            }
        } catch let error as InvalidArgument {
            throw CommandFailure.invalid(error, options: Self.optionNames)
        }
        let solution: BoundaryValueSolution
        var fastest = Double.infinity
        do {
            solution = try solverChoice.solve(reference, scheme: schemeChoice, tolerance: tol, nodes: nodes,
                                              fixedMesh: fixedMesh, integrator: integrator)
            fastest = solution.stats.seconds
            for _ in 1..<repetitions {
                let again = try solverChoice.solve(reference, scheme: schemeChoice, tolerance: tol, nodes: nodes,
                                                   fixedMesh: fixedMesh, integrator: integrator)
                fastest = min(fastest, again.stats.seconds)
            }
        } catch let error as InvalidArgument {
            throw CommandFailure.invalid(error, options: Self.optionNames)
        }
        let report = BoundaryValueReport(
            problem: problem, solver: solver, status: solution.status.rawValue, nodes: solution.stats.nodes,
            iterations: solution.stats.newtonIterations,
            maxError: reference.maxError(of: { solution.value(at: $0) }),
            maxResidual: solution.maxResidual, seconds: fastest)
        try Output.emit(report, format: format) {
            Output.table(
                ["problem", "solver", "status", "nodes", "iterations", "maxError", "maxResidual", "seconds"],
                [[report.problem, report.solver, report.status, "\(report.nodes)", "\(report.iterations)",
                  report.maxError.map { Output.sci($0) } ?? "-", Output.sci(report.maxResidual), Output.sci(report.seconds)]])
        }
        if !solution.succeeded {
            if problem == "bratu", lambda > Self.bratuFold {
                throw CommandFailure(numerical: "bratu with --lambda = \(lambda): no solution exists above the fold λ* ≈ 3.5138 (\(solver): \(solution.status.rawValue))")
            }
            throw CommandFailure(numerical: "\(problem) with \(solver): \(solution.status.rawValue): \(solution.message)")
        }
    }

    /// Options that only some problems or solvers read are refused elsewhere rather than ignored.
    func checkApplicable(_ solverChoice: BoundaryValueSolverChoice) throws {
        let problemOptions: [(String, Bool, [String])] = [
            ("--lambda", lambda != nil, ["bratu"]), ("--upper-branch", upperBranch, ["bratu"]),
            ("--dimension", dimension != nil, ["lq"]), ("--horizon", horizon != nil, ["lq"]),
            ("--epsilon", epsilon != nil, ["boundary-layer", "interior-layer"])]
        for (option, given, problems) in problemOptions where given && !problems.contains(problem) {
            throw CommandFailure("\(option) does not apply to --problem \(problem) (only to \(problems.joined(separator: ", ")))")
        }
        let solverOptions: [(String, Bool, [BoundaryValueSolverChoice])] = [
            ("--scheme", scheme != nil, [.collocation]), ("--fixed-mesh", fixedMesh, [.collocation]),
            ("--integrator", integrator != nil, [.shooting, .multipleShooting])]
        for (option, given, solvers) in solverOptions where given && !solvers.contains(solverChoice) {
            throw CommandFailure("\(option) does not apply to --solver \(solver) (only to \(solvers.map(\.rawValue).joined(separator: ", ")))")
        }
        if solverChoice == .shooting, nodes != nil, integrator ?? "adaptive" == "adaptive" {
            throw CommandFailure("--nodes does not apply to --solver shooting with the adaptive integrator (use --integrator rk4 or gauss4)")
        }
    }

    /// Memory and work before any allocation (overflow-checked): the LQ matrices (dimension²), the
    /// dense Chebyshev system ((N+1)n)², the collocation blocks (nodes × n²), the shooting trajectory
    /// (steps × n(n+1)); work: one Newton solve's linear algebra and integration (× 10 iterations).
    func checkSize(_ solverChoice: BoundaryValueSolverChoice, integrator: String, systemDimension n: Int, lqDimension: Int) throws {
        let steps = integrator == "adaptive" ? 400 : (solverChoice == .multipleShooting ? 400 : nodes ?? 400)
        let cube = Size.product(n, n, n), square = Size.product(n, n)
        var bytes: Int?, work: Int?
        switch solverChoice {
        case .chebyshev:
            let size = Size.product(Size.sum(nodes ?? 256, 1), n)
            bytes = Size.product(size, size, 24)
            work = Size.product(size, size, size, 10)
        case .collocation:
            let intervals = nodes ?? 11
            bytes = Size.product(intervals, square, 8 * 12)
            work = Size.product(intervals, cube, 10)
        case .shooting:
            bytes = Size.product(steps, Size.sum(square, n), 16)
            work = Size.product(steps, Size.sum(cube, square), 4 * 10)
        case .multipleShooting:
            let segments = nodes ?? 16
            bytes = Size.sum(Size.product(segments, square, 8 * 8), Size.product(steps, Size.sum(square, n), 16))
            work = Size.sum(Size.product(steps, Size.sum(cube, square), 4 * 10), Size.product(segments, cube, 10))
        }
        bytes = Size.sum(bytes, Size.product(lqDimension, lqDimension, 8 * 8), 1 << 20)
        var blame = [String]()
        if let nodes { blame.append("--nodes = \(nodes)") }
        if lqDimension > 0 { blame.append("--dimension = \(lqDimension)") }
        let text = blame.isEmpty ? "--solver = \(solver)" : blame.joined(separator: " and ") + " with --solver \(solver)"
        try resources.budget().check(bytes: bytes, work: work, blame: text)
    }
}

/// What `deepest bvp` prints (JSON keys: problem, solver, status, nodes, iterations, maxError,
/// maxResidual, seconds).
struct BoundaryValueReport: Codable {
    let problem: String
    let solver: String
    let status: String
    let nodes: Int
    let iterations: Int
    let maxError: Double?
    let maxResidual: Double
    let seconds: Double

    enum CodingKeys: String, CodingKey {
        case problem, solver, status, nodes, iterations, maxError, maxResidual, seconds
    }

    func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(problem, forKey: .problem)
        try container.encode(solver, forKey: .solver)
        try container.encode(status, forKey: .status)
        try container.encode(nodes, forKey: .nodes)
        try container.encode(iterations, forKey: .iterations)
        try container.encode(maxError, forKey: .maxError) // null when no exact solution is known
        try container.encode(maxResidual, forKey: .maxResidual)
        try container.encode(seconds, forKey: .seconds)
    }
}

/// The solvers `deepest bvp --solver` accepts, mapped onto the library's algorithm values.
enum BoundaryValueSolverChoice: String, CaseIterable {
    case shooting
    case multipleShooting = "multiple-shooting"
    case collocation
    case chebyshev

    func solve(_ reference: ReferenceProblem, scheme: Collocation.Scheme, tolerance: Double, nodes: Int?,
               fixedMesh: Bool, integrator: String) throws -> BoundaryValueSolution {
        let steps = self == .multipleShooting ? 400 : nodes ?? 400
        let flow: ShootingIntegrator = integrator == "rk4" ? .rungeKutta4(steps: steps)
            : integrator == "gauss4" ? .gaussLegendre4(steps: steps) : .adaptive(tolerance: tolerance)
        var guess = reference.initialGuess
        if let nodes, self == .collocation {
            switch guess {
            case let .function(function, _): guess = .function(function, nodes: nodes)
            case .mesh, .solution:
                let problem = reference.problem
                let mesh = (0..<nodes).map { problem.start + (problem.end - problem.start) * Double($0) / Double(max(1, nodes - 1)) }
                let start = guess
                guess = .mesh(mesh, values: mesh.flatMap { t in InitialGuess.sampleOne(start, at: t, dimension: problem.dimension) })
            }
        }
        switch self {
        case .shooting:
            return try BoundaryValue.solve(reference.problem, Shooting(integrator: flow, tolerance: tolerance), initialGuess: guess)
        case .multipleShooting:
            return try BoundaryValue.solve(reference.problem, MultipleShooting(integrator: flow, segments: nodes,
                                                                                tolerance: tolerance),
                                           initialGuess: guess)
        case .chebyshev:
            return try BoundaryValue.solve(reference.problem, ChebyshevCollocation(degree: nodes, tolerance: min(1e-8, tolerance)),
                                           initialGuess: guess)
        case .collocation:
            return try BoundaryValue.solve(
                reference.problem, Collocation(scheme: scheme, tolerance: tolerance, adaptive: !fixedMesh),
                initialGuess: guess)
        }
    }
}
