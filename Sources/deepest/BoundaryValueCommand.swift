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

    @Option(help: "Collocation scheme: trapezoid or lobatto3.")
    var scheme: String = "lobatto3"

    @Option(help: "Shooting integrator: rk4, gauss4 (fixed steps, --nodes of them; default 400) or adaptive (rk8pd at --tol).")
    var integrator: String = "adaptive"

    @Option(help: "Tolerance (collocation residual, shooting and Chebyshev accuracy).")
    var tol: Double = 1e-8

    @Option(help: "Initial nodes (collocation), segments (multiple shooting), steps (fixed-step shooting) or N (Chebyshev).")
    var nodes: Int?

    @Option(help: "Dimension n of the LQ problem (the system has 2n unknowns).")
    var dimension: Int = 2

    @Option(help: "Bratu's λ.")
    var lambda: Double = 1

    @Option(help: "ε of the layer problems.")
    var epsilon: Double = 1e-3

    @Option(help: "Horizon T of the LQ problem.")
    var horizon: Double = 5

    @Flag(help: "Bratu's upper branch.")
    var upperBranch = false

    @Flag(help: "Collocation on the initial mesh only (no refinement), e.g. to measure cost against mesh size.")
    var fixedMesh = false

    @Option(name: .customLong("repeat"), help: "Solve this many times and report the fastest solve (benchmarks).")
    var repetitions: Int = 1

    @Option(help: "table or json")
    var format: OutputFormat = .table

    func run() throws {
        guard let solverChoice = BoundaryValueSolverChoice(rawValue: solver) else {
            throw CommandFailure("unknown solver '\(solver)'; valid: \(BoundaryValueSolverChoice.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        guard ["rk4", "gauss4", "adaptive"].contains(integrator) else {
            throw CommandFailure("unknown integrator '\(integrator)'; valid: rk4, gauss4, adaptive")
        }
        guard let schemeChoice = Collocation.Scheme(rawValue: scheme) else {
            throw CommandFailure("unknown scheme '\(scheme)'; valid: \(Collocation.Scheme.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        let reference: ReferenceProblem
        do {
            switch problem {
            case "bratu": reference = try ReferenceProblems.bratu(lambda: lambda, upperBranch: upperBranch)
            case "lq": reference = try ReferenceProblems.linearQuadratic(dimension: dimension, horizon: horizon)
            case "boundary-layer": reference = try ReferenceProblems.boundaryLayer(epsilon: epsilon)
            case "interior-layer": reference = try ReferenceProblems.interiorLayer(epsilon: epsilon)
            default:
                throw CommandFailure("unknown problem '\(problem)'; valid: \(ReferenceProblems.names.joined(separator: ", "))")
            }
        } catch let error as InvalidArgument {
            throw CommandFailure(error.description)
        }
        guard repetitions >= 1 else { throw CommandFailure("invalid repeat = \(repetitions): must be >= 1") }
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
            throw CommandFailure(error.description)
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
            throw CommandFailure("\(problem) with \(solver): \(solution.status.rawValue): \(solution.message)")
        }
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
            return try BoundaryValue.solve(reference.problem, MultipleShooting(integrator: flow, segments: nodes.map { max(1, $0) },
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
