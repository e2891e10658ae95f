import BoundaryValue
import Foundation
import NumericCore
import Testing
@testable import DeepestLearning

/// The projected readout through the structured collocation (solved as the equivalent trained
/// readout, Notes/readout-projection.md §2) against the adaptive dense-block collocation of the
/// projected Hamiltonian form, whose end rows carry β*(X) explicitly.
@Suite struct StructuredCollocationReadoutProjectionTests {
    /// Softmax (3 classes, exact inputs) and least squares (Robin start) readouts with μ = 0.01 (the
    /// problems of `ContinuousTrainingProblemTests.residualProblem`): from the cold guess (p = 0) the
    /// structured solve converges, comes back in the projected layout, satisfies the projected end
    /// conditions p_k(T) = −R_out∇ₓφ_k(x_k; β*(X)) to 1e-8 and meets the residual target; the
    /// dense-block collocation of the projected form started from it stays there (dense outputs within
    /// 10·tol); and where the dense-block Newton converges from the cold guess (least squares), the
    /// structured solve warm-started from its solution (β*(X(T)) is then the consistent readout)
    /// converges in at most 3 Newton iterations to the same solution. Both forms (the Lagrangian end
    /// rows r_f(ẋ_k − F) + R_out∇ₓφ_k(x_k; β*(X)); its guess is the structured Hamiltonian solution
    /// carried over to the Lagrangian variables, since from ẋ = 0 Newton does not converge for the
    /// least-squares problem).
    @Test(arguments: [true, false], BoundaryValueForm.allCases)
    func agreesWithTheDenseBlockProjectedSolve(_ classes: Bool, _ boundaryForm: BoundaryValueForm) throws {
        let field = try ResidualField(width: 2, activation: classes ? .tanh : .softplus, antisymmetric: classes, shift: 0.1)
        let readout: Readout = classes ? .softmaxCrossEntropy(classes: 3) : .leastSquares(outputs: 2)
        let spec = try ContinuousTrainingProblem(
            field: field, horizon: 2, inputs: randomVector(6, seed: 63), readout: readout,
            targets: classes ? [0, 2, 1] : randomVector(6, seed: 61), readoutParameters: .projected(tikhonov: 0.01),
            modelPrecision: 1.7, smoothness: 0.3, tikhonov: 0.05, inputWeight: classes ? .infinity : 2, outputWeight: 1.4)
        let form = try spec.builtForm(boundaryForm)
        let mesh = StructuredCollocationTests.uniformMesh(8, horizon: spec.horizon)
        var guess = try StructuredCollocationTests.inputGuess(spec, mesh: mesh)
        let tolerance = 1e-6
        let algorithm = StructuredCollocation(tolerance: tolerance)
        if boundaryForm == .lagrangian {
            let hamiltonian = try algorithm.solve(spec, form: .hamiltonian, mesh: mesh, initialGuess: guess)
            let map = try StructuredCollocationLagrangianTests.lagrangianMap(spec)
            guess = .function({ map(hamiltonian.value(at: $0)) }, nodes: nil)
        }
        let structured = try algorithm.solve(spec, form: boundaryForm, mesh: mesh, initialGuess: guess)
        #expect(structured.succeeded, "\(structured.message)")
        #expect(structured.dimension == form.dimension && structured.maxResidual <= tolerance / 2,
                "dimension \(structured.dimension) vs \(form.dimension), residual \(structured.maxResidual)")
        #expect(structured.boundaryResidual < 1e-8, "projected boundary residual \(structured.boundaryResidual)")
        // The problem has several stationary points, so each solver is started from the other's
        // solution: both must stay there (same equations) to the tolerance.
        let bvp = try form.boundaryValueProblem()
        let dense = try solve(bvp, Collocation(tolerance: tolerance), initialGuess: .solution(structured))
        #expect(dense.succeeded, "\(dense.message)")
        Self.expectAgreement(dense, structured, horizon: spec.horizon, tolerance: tolerance)
        let cold = try solve(bvp, Collocation(tolerance: tolerance), initialGuess: guess)
        if cold.succeeded {
            let warm = try algorithm.solve(spec, form: boundaryForm, mesh: cold.mesh, initialGuess: .solution(cold))
            #expect(warm.succeeded && warm.stats.newtonIterations <= 3, "warm start: \(warm.message), \(warm.stats.newtonIterations) iterations")
            Self.expectAgreement(cold, warm, horizon: spec.horizon, tolerance: tolerance)
        }
    }

    /// The annealed driver with `--readout projected` (tiny sine problem of
    /// `StructuredCollocationTests.annealedDriverMatchesTheDenseBlockDriver`): every rung converges and
    /// the final action equals that of the trained readout to 1e-6 relative (the same stationary point).
    @Test func annealedDriverWithTheProjectedReadout() throws {
        let (c, split) = try StructuredCollocationTests.tinySineProblem()
        let trained = try c.run(try StructuredCollocationTests.tinySineStages(try ContinuumRungSolver(denseLimit: 0)), split: split).report
        let projected = try c.run(try StructuredCollocationTests.tinySineStages(try ContinuumRungSolver(readout: .projected, denseLimit: 0)),
                                  split: split).report
        #expect(projected.rungs.count == 3 && projected.rungs.allSatisfy { $0.status == "success" }, "\(projected.rungs)")
        let a = try #require(projected.action), b = try #require(trained.action)
        #expect(abs(a - b) <= 1e-6 * abs(b), "projected action \(a) vs trained \(b)")
    }

    /// Dense outputs at 81 depths within 10·tol of each other (relative to the solution's size).
    static func expectAgreement(_ a: BoundaryValueSolution, _ b: BoundaryValueSolution, horizon: Double, tolerance: Double) {
        var difference = 0.0, size = 0.0
        for t in stride(from: 0.0, through: horizon, by: horizon / 80) {
            let u = a.value(at: t), v = b.value(at: t)
            for j in u.indices { difference = max(difference, abs(u[j] - v[j])); size = max(size, abs(u[j])) }
        }
        #expect(difference <= 10 * tolerance * max(1, size), "outputs differ by \(difference) (scale \(size)); nodes \(a.mesh.count) vs \(b.mesh.count)")
    }
}
