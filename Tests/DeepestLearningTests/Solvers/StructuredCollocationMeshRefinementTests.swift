import BoundaryValue
import Foundation
import NumericCore
import Testing
@testable import DeepestLearning

/// The residual control of the structured collocation (Notes/structured-collocation.md §7): against
/// the closed forms V1 and V2 from a coarse mesh at two tolerances, against the adaptive dense-block
/// collocation of the BoundaryValue module, and the node limit.
@Suite struct StructuredCollocationMeshRefinementTests {
    /// V1 (F = ax, closed-form x(t), p(t)): from 2 intervals, the adaptive solve's dense output is within
    /// tol of the closed form at 65 depths for two tolerances 1000 apart (Lobatto 1e-4 and 1e-7,
    /// trapezoid 1e-3 and 1e-6), the error at the smaller tolerance is smaller by at least 100, and the
    /// mesh grows.
    @Test(arguments: [Collocation.Scheme.lobatto3, .trapezoid])
    func v1ErrorFollowsTheTolerance(_ scheme: Collocation.Scheme) throws {
        let v = ContinuousTrainingProblemTests.V1()
        let spec = try v.problem()
        var errors = [Double](), nodes = [Int]()
        let tolerances = scheme == .lobatto3 ? [1e-4, 1e-7] : [1e-3, 1e-6]
        for tolerance in tolerances {
            let solution = try StructuredCollocation(scheme: scheme, tolerance: tolerance).solve(
                spec, mesh: [0, v.horizon / 2, v.horizon], initialGuess: .function({ _ in [v.y0, 0] }, nodes: nil))
            #expect(solution.succeeded, "\(solution.message)")
            #expect(solution.maxResidual <= tolerance / 2, "residual \(solution.maxResidual) at tol \(tolerance)")
            var error = 0.0
            for t in stride(from: 0.0, through: v.horizon, by: v.horizon / 64) {
                let y = solution.value(at: t)
                error = max(error, abs(y[0] - v.x(t)), abs(y[1] - v.p(t)))
            }
            errors.append(error)
            nodes.append(solution.mesh.count)
        }
        for (tolerance, error) in zip(tolerances, errors) {
            #expect(error <= tolerance, "tol \(tolerances) errors \(errors) nodes \(nodes)")
        }
        #expect(errors[1] * 100 <= errors[0] && nodes[1] > nodes[0], "tol \(tolerances) errors \(errors) nodes \(nodes)")
    }

    /// V2 (F = Ax, d = 2, against the matrix exponential): from 2 intervals, y(0) and y(T) within tol
    /// for two tolerances per scheme.
    @Test(arguments: [(Collocation.Scheme.lobatto3, 1e-4), (.lobatto3, 1e-7), (.trapezoid, 1e-3), (.trapezoid, 1e-6)])
    func v2MeetsTheTolerance(_ scheme: Collocation.Scheme, _ tolerance: Double) throws {
        let v2 = try LinearCaseReference()
        let solution = try StructuredCollocation(scheme: scheme, tolerance: tolerance).solve(
            v2.problem, mesh: [0, v2.horizon / 2, v2.horizon], initialGuess: .function({ _ in [0, 0, 0, 0] }, nodes: nil))
        #expect(solution.succeeded && solution.maxResidual <= tolerance / 2, "\(solution.message), residual \(solution.maxResidual)")
        v2.expectMatches(solution.value(at:), tolerance: tolerance)
    }

    /// The structured and the dense-block adaptive collocation solve the same equations with the same
    /// residual control (`ResidualControl`), so from the same 8-interval guess they agree to the
    /// tolerance everywhere (dense outputs at 81 depths, relative to the solution's size) with node
    /// counts within a factor 1.5 — a trained softmax readout and weights (q = 6) with exact inputs,
    /// and a fixed least-squares readout with a Robin start; Lobatto at tol 1e-6, the trapezoid rule
    /// (residual and deferred-correction error estimate) at 1e-4.
    @Test(arguments: [(true, Collocation.Scheme.lobatto3), (false, .lobatto3), (true, .trapezoid), (false, .trapezoid)])
    func agreesWithTheAdaptiveDenseBlockCollocation(_ trained: Bool, _ scheme: Collocation.Scheme) throws {
        let spec = try ContinuousTrainingProblemTests.residualProblem(
            trained ? .tanh : .softplus, antisymmetric: trained, trained: trained, inputWeight: trained ? .infinity : 2,
            classes: trained)
        let form = try spec.hamiltonianForm()
        let mesh = StructuredCollocationTests.uniformMesh(8, horizon: spec.horizon)
        let guess = try StructuredCollocationTests.inputGuess(spec, mesh: mesh)
        let tolerance = scheme == .lobatto3 ? 1e-6 : 1e-4
        let dense = try solve(try form.boundaryValueProblem(), Collocation(scheme: scheme, tolerance: tolerance), initialGuess: guess)
        let structured = try StructuredCollocation(scheme: scheme, tolerance: tolerance).solve(spec, mesh: mesh, initialGuess: guess)
        #expect(dense.succeeded && structured.succeeded, "\(dense.message) / \(structured.message)")
        #expect(structured.maxResidual <= tolerance / 2 && structured.stats.meshRefinements >= 1,
                "residual \(structured.maxResidual), \(structured.stats.meshRefinements) refinements")
        var difference = 0.0, size = 0.0
        for t in stride(from: 0.0, through: spec.horizon, by: spec.horizon / 80) {
            let a = dense.value(at: t), b = structured.value(at: t)
            for j in a.indices { difference = max(difference, abs(a[j] - b[j])); size = max(size, abs(a[j])) }
        }
        #expect(difference <= tolerance * max(1, size), "outputs differ by \(difference) (scale \(size))")
        let ratio = Double(structured.mesh.count) / Double(dense.mesh.count)
        #expect(ratio >= 1 / 1.5 && ratio <= 1.5, "nodes: structured \(structured.mesh.count), dense \(dense.mesh.count)")
    }

    /// A node limit below what the tolerance needs ends with status meshLimit and the last converged
    /// solution (on at most maxNodes nodes, residual above tol/2, boundary conditions met).
    @Test func nodeLimitGivesMeshLimit() throws {
        let v = ContinuousTrainingProblemTests.V1()
        let solution = try StructuredCollocation(tolerance: 1e-10, maxNodes: 6).solve(
            try v.problem(), mesh: [0, v.horizon / 2, v.horizon], initialGuess: .function({ _ in [v.y0, 0] }, nodes: nil))
        #expect(solution.status == .meshLimit, "\(solution.status): \(solution.message)")
        #expect(solution.mesh.count <= 6 && solution.maxResidual > 0.5e-10 && solution.boundaryResidual < 1e-9,
                "\(solution.mesh.count) nodes, residual \(solution.maxResidual), boundary \(solution.boundaryResidual)")
    }


    /// The nonlinear trained residual network (tanh, q = 6, softmax readout): the problem and its
    /// converged fixed-mesh solution on `intervals` uniform intervals (Newton tolerance 1e-12).
    static func fixedMeshSolution(_ scheme: Collocation.Scheme, intervals: Int) throws -> (ContinuousTrainingProblem<ResidualField>, [Double], BoundaryValueSolution) {
        let spec = try ContinuousTrainingProblemTests.residualProblem(.tanh, antisymmetric: true, trained: true,
                                                                      inputWeight: .infinity, classes: true)
        let mesh = StructuredCollocationTests.uniformMesh(intervals, horizon: spec.horizon)
        let fixed = try StructuredCollocation(scheme: scheme, adaptive: false, newtonTolerance: 1e-12).solve(
            spec, mesh: mesh, initialGuess: try StructuredCollocationTests.inputGuess(spec, mesh: mesh))
        return (spec, mesh, fixed)
    }

    /// A failed refinement pass keeps the last converged solution. Started from its own fixed-mesh
    /// solution on 2 or 4 intervals (Newton tolerance 1e-12), Newton converges in its first iteration
    /// (the correction is at round-off); on the refined mesh the interpolated guess is off by the coarse
    /// discretisation error, and since the problem is nonlinear one Newton iteration leaves a quadratic
    /// remainder above the Newton tolerance: with maxNewtonIterations = 1 and no chord steps
    /// (`reuseFactors: false`, which would converge on the same factors) the refinement pass fails.
    /// The result is the coarse solution (same mesh, node values of the fixed-mesh solve) with the
    /// failure status, its residual above tol/2.
    @Test(arguments: [(Collocation.Scheme.lobatto3, 2), (.trapezoid, 2), (.trapezoid, 4)])
    func failedRefinementPassKeepsTheLastConvergedSolution(_ scheme: Collocation.Scheme, _ intervals: Int) throws {
        let (spec, mesh, fixed) = try Self.fixedMeshSolution(scheme, intervals: intervals)
        try #require(fixed.succeeded, "\(fixed.message)")
        let tolerance = 1e-8
        let solution = try StructuredCollocation(scheme: scheme, tolerance: tolerance, maxNewtonIterations: 1, newtonTolerance: 1e-12,
                                                 reuseFactors: false).solve(
            spec, mesh: mesh, initialGuess: .mesh(mesh, values: fixed.values))
        #expect(!solution.succeeded && solution.status != .meshLimit && solution.stats.meshRefinements == 1,
                "\(solution.status): \(solution.message)")
        #expect(solution.mesh == mesh && solution.stats.nodes == mesh.count, "\(solution.mesh.count) nodes")
        let difference = zip(solution.values, fixed.values).reduce(0.0) { max($0, abs($1.0 - $1.1)) }
        #expect(difference <= 1e-9, "node values differ from the converged fixed-mesh solution by \(difference)")
        #expect(solution.maxResidual.isFinite && solution.maxResidual > tolerance / 2, "residual \(solution.maxResidual)")
    }

    /// A failed optional coarsening pass keeps the solution that met tol/2, with success. Started from
    /// its own fixed-mesh solution on 64 intervals, Newton converges in its first iteration and the
    /// residual is far below tol/2 = 5e-3, so intervals are merged; on the merged mesh the interpolated
    /// guess is off by the coarse discretisation error, and one Newton iteration of the nonlinear
    /// problem (no chord steps) cannot meet the Newton tolerance: the merge-only pass fails. The result is the last
    /// solution that met tol/2, with success and a residual below tol/2.
    @Test func failedCoarseningPassKeepsTheSuccess() throws {
        let (spec, mesh, fixed) = try Self.fixedMeshSolution(.lobatto3, intervals: 64)
        try #require(fixed.succeeded, "\(fixed.message)")
        let tolerance = 1e-2
        let solution = try StructuredCollocation(tolerance: tolerance, maxNewtonIterations: 1, newtonTolerance: 1e-12,
                                                 reuseFactors: false).solve(
            spec, mesh: mesh, initialGuess: .mesh(mesh, values: fixed.values))
        #expect(solution.succeeded && solution.stats.meshRefinements >= 1 && solution.message.contains("dropped"),
                "\(solution.status): \(solution.message)")
        #expect(solution.maxResidual <= tolerance / 2 && solution.stats.nodes == solution.mesh.count,
                "residual \(solution.maxResidual), \(solution.mesh.count) nodes")
        if solution.mesh == mesh {
            let difference = zip(solution.values, fixed.values).reduce(0.0) { max($0, abs($1.0 - $1.1)) }
            #expect(difference <= 1e-9, "node values differ from the converged fixed-mesh solution by \(difference)")
        }
    }
}
