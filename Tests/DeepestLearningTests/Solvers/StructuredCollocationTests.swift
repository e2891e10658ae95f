import BoundaryValue
import Foundation
import NumericCore
import Testing
@testable import DeepestLearning

/// The structured (per-sample Schur complement) collocation against the dense-block collocation of the
/// BoundaryValue module on the same mesh, against the closed forms V1, V2, V4 (MATH.md §4), and for
/// scheduling independence.
@Suite struct StructuredCollocationTests {
    /// x_k(t) = y_k^in on every node, everything else zero.
    static func inputGuess<Field: DepthField>(_ spec: ContinuousTrainingProblem<Field>, mesh: [Double]) throws -> InitialGuess {
        let n = try spec.hamiltonianForm().dimension
        var values = [Double](repeating: 0, count: mesh.count * n)
        for i in mesh.indices { for j in spec.inputs.indices { values[i * n + j] = spec.inputs[j] } }
        return .mesh(mesh, values: values)
    }

    static func uniformMesh(_ intervals: Int, horizon: Double) -> [Double] {
        (0...intervals).map { $0 == intervals ? horizon : horizon * Double($0) / Double(intervals) }
    }

    /// On a fixed mesh both solvers solve the same collocation equations, so from the same guess their
    /// node values agree to Newton tolerance (here 1e-9), for both schemes, both forms, a trained softmax
    /// readout with exact inputs and a fixed least-squares readout with a Robin start (in the Lagrangian
    /// form its start rows r_f(ẋ − F(x, θ(0))) − R_in(x − y^in) couple every sample to θ(0)). In the
    /// Lagrangian form the trapezoid solves start from the Lobatto solution (Newton for the trapezoid
    /// rule does not reach a solution from the inputs with the fixed readout).
    @Test(arguments: [(Collocation.Scheme.lobatto3, true), (.lobatto3, false), (.trapezoid, true), (.trapezoid, false)],
          BoundaryValueForm.allCases)
    func agreesWithTheDenseBlockCollocation(_ setting: (Collocation.Scheme, Bool), _ form: BoundaryValueForm) throws {
        let (scheme, trained) = setting
        let spec = try ContinuousTrainingProblemTests.residualProblem(
            trained ? .tanh : .softplus, antisymmetric: trained, trained: trained, inputWeight: trained ? .infinity : 2,
            classes: trained)
        let built = try spec.builtForm(form)
        let mesh = Self.uniformMesh(8, horizon: spec.horizon)
        var guess = try Self.inputGuess(spec, mesh: mesh)
        if form == .lagrangian && scheme == .trapezoid {
            guess = .solution(try StructuredCollocation(adaptive: false).solve(spec, form: form, mesh: mesh, initialGuess: guess))
        }
        let dense = try solve(try built.boundaryValueProblem(), Collocation(scheme: scheme, tolerance: 1e-9, adaptive: false),
                              initialGuess: guess)
        let structured = try StructuredCollocation(scheme: scheme, adaptive: false, newtonTolerance: 1e-12)
            .solve(spec, form: form, mesh: mesh, initialGuess: guess)
        #expect(dense.succeeded && structured.succeeded, "\(dense.message) / \(structured.message)")
        #expect(dense.mesh == structured.mesh)
        let difference = zip(dense.values, structured.values).reduce(0) { max($0, abs($1.0 - $1.1)) }
        let size = dense.values.reduce(0) { max($0, abs($1)) }
        #expect(difference < 1e-9 * max(1, size), "node values differ by \(difference) (scale \(size))")
        #expect(structured.boundaryResidual < 1e-9, "boundary residual \(structured.boundaryResidual)")
    }

    /// Chord steps (`reuseFactors`, the default): once a full Newton step contracts by Θ ≤ 1/4 the
    /// factored Schur complement is kept. The equations and the stopping test are Newton's, so both
    /// reach the same collocation solution (node values to 1e-10), the chord run with fewer
    /// factorizations than iterations and fewer than Newton's.
    @Test(arguments: BoundaryValueForm.allCases)
    func chordStepsReachNewtonsSolutionWithFewerFactorizations(_ form: BoundaryValueForm) throws {
        let spec = try ContinuousTrainingProblemTests.residualProblem(.tanh, antisymmetric: true, trained: true, inputWeight: .infinity,
                                                                      classes: true)
        let mesh = Self.uniformMesh(8, horizon: spec.horizon)
        let guess = try Self.inputGuess(spec, mesh: mesh)
        let newton = try StructuredCollocation(adaptive: false, newtonTolerance: 1e-12, reuseFactors: false)
            .solve(spec, form: form, mesh: mesh, initialGuess: guess)
        let chord = try StructuredCollocation(adaptive: false, newtonTolerance: 1e-12).solve(spec, form: form, mesh: mesh, initialGuess: guess)
        #expect(newton.succeeded && chord.succeeded, "\(newton.message) / \(chord.message)")
        let difference = zip(newton.values, chord.values).reduce(0) { max($0, abs($1.0 - $1.1)) }
        let size = newton.values.reduce(0) { max($0, abs($1)) }
        #expect(difference < 1e-10 * max(1, size), "node values differ by \(difference) (scale \(size))")
        #expect(newton.stats.factorizations == newton.stats.newtonIterations)
        #expect(chord.stats.factorizations < chord.stats.newtonIterations)
        #expect(chord.stats.factorizations < newton.stats.factorizations,
                "factorizations: chord \(chord.stats.factorizations), Newton \(newton.stats.factorizations)")
    }

    /// V1 (F = ax, no weights): p(0) converges to the closed-form p0 at the order of the scheme
    /// (least-squares slope over 4 meshes within 0.3 of 2 or 4), and Lobatto on 32 intervals is
    /// within 1e-8 relative.
    @Test(arguments: [Collocation.Scheme.trapezoid, .lobatto3])
    func v1ConvergesAtTheSchemeOrder(_ scheme: Collocation.Scheme) throws {
        let v = ContinuousTrainingProblemTests.V1()
        let spec = try v.problem()
        var steps = [Double](), errors = [Double]()
        for intervals in [4, 8, 16, 32] {
            let mesh = Self.uniformMesh(intervals, horizon: v.horizon)
            let solution = try StructuredCollocation(scheme: scheme, adaptive: false).solve(spec, mesh: mesh, initialGuess: .function({ _ in [v.y0, 0] }, nodes: nil))
            #expect(solution.succeeded, "\(solution.message)")
            steps.append(v.horizon / Double(intervals))
            errors.append(abs(solution.values[1] - v.p0))
        }
        let fit = try OrderFit.fit(steps: steps, errors: errors)
        #expect(abs(fit.order - Double(scheme.order)) < 0.3, "h \(steps) errors \(errors) order \(fit.order)")
        if scheme == .lobatto3 { #expect(errors.last! < 1e-8 * abs(v.p0), "errors \(errors)") }
    }

    /// V2 (F = Ax, d = 2): y(0) and y(T) of the matrix-exponential solution to 1e-7 (Lobatto, 32 intervals).
    @Test func v2MatchesTheMatrixExponential() throws {
        let v2 = try LinearCaseReference()
        let solution = try StructuredCollocation(adaptive: false).solve(v2.problem, mesh: Self.uniformMesh(32, horizon: v2.horizon),
                                                        initialGuess: .function({ _ in [0, 0, 0, 0] }, nodes: nil))
        #expect(solution.succeeded, "\(solution.message)")
        v2.expectMatches(solution.value(at:), tolerance: 1e-7)
    }

    /// V4 (F = θx, r_f = ∞, two samples): the weight path gives θ(t) ≡ θ* (the root of the scalar
    /// equation) and π ≈ 0 to 1e-7 on 32 Lobatto intervals, and H is constant to the same accuracy.
    @Test func v4GivesTheConstantRoot() throws {
        let v = ContinuousTrainingProblemTests.V4(xi: [1.0, 0.5], y: [2.0, 0.3])
        let spec = try v.problem(alpha: 0.5)
        let solution = try StructuredCollocation(adaptive: false).solve(spec, mesh: Self.uniformMesh(32, horizon: v.horizon),
                                                        initialGuess: .function({ _ in [1, 0.5, 0, 0, 0.5, 0] }, nodes: nil))
        #expect(solution.succeeded, "\(solution.message)")
        var energies = [Double]()
        for t in stride(from: 0.0, through: v.horizon, by: 0.125) {
            let y = solution.value(at: t)
            #expect(abs(y[4] - v.theta) < 1e-7, "θ(\(t)) = \(y[4]) vs θ* = \(v.theta)")
            #expect(abs(y[5]) < 1e-7, "π(\(t)) = \(y[5])")
            energies.append(spec.hamiltonian(y))
        }
        let drift = energies.reduce(0) { max($0, abs($1 - energies[0])) }
        #expect(drift < 1e-7, "H drift \(drift)")
    }

    /// The samples are cut into fixed blocks whose Schur contributions are summed in block order, so
    /// the result does not depend on how blocks are scheduled onto threads: four solves running
    /// concurrently (which changes the thread assignment of every inner loop) give bitwise the same
    /// values as a solve on its own. 36 samples (8 blocks); the adaptive solve (Lobatto at tolerance
    /// 1e-7, the trapezoid rule with its error estimate at 1e-6) refines the 6-interval mesh, so the
    /// residual control and the interpolation are covered too. Both forms (the Lagrangian one with a
    /// Robin start, whose start rows couple the samples to θ(0)).
    @Test(arguments: [Collocation.Scheme.lobatto3, .trapezoid], BoundaryValueForm.allCases)
    func resultIsIndependentOfScheduling(_ scheme: Collocation.Scheme, _ form: BoundaryValueForm) throws {
        let field = try ResidualField(width: 2, activation: .tanh, antisymmetric: true, shift: 0.1)
        let m = 36
        let spec = try ContinuousTrainingProblem(
            field: field, horizon: 1, inputs: randomVector(2 * m, seed: 71), readout: .leastSquares(outputs: 1),
            targets: randomVector(m, seed: 72, scale: 0.5), readoutParameters: .trained(tikhonov: 0.1), modelPrecision: 1,
            smoothness: 0.5, tikhonov: 1, inputWeight: form == .hamiltonian ? .infinity : 2, outputWeight: 1)
        let mesh = Self.uniformMesh(6, horizon: 1)
        let guess = try Self.inputGuess(spec, mesh: mesh)
        let algorithm = StructuredCollocation(scheme: scheme, tolerance: scheme == .lobatto3 ? 1e-7 : 1e-6)
        let alone = try algorithm.solve(spec, form: form, mesh: mesh, initialGuess: guess)
        let converged = alone.succeeded
        #expect(converged, "\(alone.message)")
        #expect(alone.stats.meshRefinements >= 1 && alone.mesh.count != mesh.count, "mesh \(alone.mesh.count) nodes")
        let results = UnsafeMutablePointer<[Double]>.allocate(capacity: 4)
        results.initialize(repeating: [], count: 4)
        defer { results.deinitialize(count: 4); results.deallocate() }
        let shared = SharedMutablePointer(results)
        Parallel.forEach(4) { i in
            shared[i] = (try? algorithm.solve(spec, form: form, mesh: mesh, initialGuess: guess).values) ?? []
        }
        for i in 0..<4 {
            let identical = results[i] == alone.values
            #expect(identical, "concurrent solve \(i) differs")
        }
    }

    /// The tiny sine problem of the annealed-driver tests: 3 samples, width 2, 16 layers, T = 0.5,
    /// α = 10, λ = μ = 1 (`tinySineStages`: three rungs of continuum annealing from the constant-weights flow).
    static func tinySineProblem() throws -> (TrainingConfiguration, DatasetCatalog.Split) {
        let full = try catalogSplit(.sine)
        var c = try TrainingConfiguration.defaults(dataset: .sine, recipe: "collocation-continuation")
        c.samples = 3; c.width = 2; c.layers = 16; c.horizon = 0.5; c.smoothness = 10; c.tikhonov = 1
        c.readoutTikhonov = 1
        let split = DatasetCatalog.Split(train: full.train.subset((0..<3).map { $0 * full.train.count / 3 }), test: full.test)
        return (c, split)
    }

    /// Three rungs r_f = 1, 2, 4 of continuum annealing from the constant-weights flow (the Tikhonov
    /// continuation is empty at M·λ = 3 ≥ 1), solved by `solver`.
    static func tinySineStages(_ solver: ContinuumRungSolver) throws -> [any TrainingStage] {
        [try TikhonovContinuationStage(solver: solver), try ContinuumAnnealingStage(steps: 2, solver: solver)]
    }

    /// The annealed driver: on a tiny sine problem (3 samples, width 2, 16 layers, 3 rungs) every rung
    /// converges and the final continuum action equals that of the dense-block adaptive collocation
    /// (tolerance 1e-6) to 1e-4 relative: the same stationary point, up to the two discretisations.
    @Test func annealedDriverMatchesTheDenseBlockDriver() throws {
        let (c, split) = try Self.tinySineProblem()
        let structured = try c.run(try Self.tinySineStages(try ContinuumRungSolver(denseLimit: 0)), split: split).report
        let dense = try c.run(try Self.tinySineStages(try ContinuumRungSolver(tolerance: 1e-6)), split: split).report
        #expect(structured.rungs.count == 3 && structured.rungs.allSatisfy { $0.status == "success" }, "\(structured.rungs)")
        let a = try #require(structured.action), b = try #require(dense.action)
        #expect(abs(a - b) <= 1e-4 * abs(b), "structured action \(a) vs dense \(b)")
    }

    /// The collocation rung solver routes a problem above its dense limit to the structured collocation
    /// and one within it to the dense-block collocation, in both forms: with the limit at 0 every rung
    /// runs the structured solver (its Newton iterations count the structured solves: the mesh starts
    /// from the layers, 17 nodes, and stays within 4N + 1), at the default limit (the tiny problem has
    /// 2(3·2 + 6) + 3 unknowns per node) the dense-block one; both reach the same stationary point to the
    /// two tolerances (1e-3 structured, 1e-6 dense), so the final actions agree to 1e-3 relative.
    @Test(arguments: [BoundaryValueForm.hamiltonian, .lagrangian])
    func collocationTrainingRoutesByTheDenseLimit(form: BoundaryValueForm) throws {
        let (c, split) = try Self.tinySineProblem()
        let routedAbove = try c.run(try Self.tinySineStages(try ContinuumRungSolver(form: form, denseLimit: 0)), split: split).report
        let routedWithin = try c.run(try Self.tinySineStages(try ContinuumRungSolver(form: form)), split: split).report
        let a = try #require(routedAbove.action), b = try #require(routedWithin.action)
        #expect(routedAbove.rungs.count == 3 && routedWithin.rungs.count == 3)
        #expect(a != b && abs(a - b) <= 1e-3 * abs(b), "\(form): structured \(a) vs dense \(b)")
        let structuredNodes = try #require(routedAbove.flow).network.intervals
        #expect(structuredNodes <= max(16 * 16, 4 * 4 * 16), "\(form): flow intervals \(structuredNodes)")
    }
}
