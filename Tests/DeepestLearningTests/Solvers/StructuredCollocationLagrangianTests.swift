import BoundaryValue
import Foundation
import NumericCore
import Testing
@testable import DeepestLearning

/// The structured collocation of the Lagrangian form (Notes/structured-collocation.md §10; its agreement
/// with the dense-block collocation is `StructuredCollocationTests.agreesWithTheDenseBlockCollocation`):
/// against the structured Hamiltonian solve of the same problem (the two forms of version b have the
/// same solution), its eliminated Newton step against central differences of its residual, for
/// scheduling independence, and the annealed driver against the dense-block driver.
@Suite struct StructuredCollocationLagrangianTests {
    /// x_k = y_k^in, everything else zero (the same guess in both layouts: v = ẋ = 0 and p = 0).
    static func inputGuess<Field: DepthField>(_ spec: ContinuousTrainingProblem<Field>, mesh: [Double]) throws -> InitialGuess {
        try StructuredCollocationTests.inputGuess(spec, mesh: mesh)
    }

    /// The two forms of version (b) have the same solution: the structured Lagrangian solve started
    /// from the structured Hamiltonian solution carried over by (x, p, θ, π) ↦ (x, F + p/r_f, θ, π/α)
    /// (adaptive Lobatto, tolerance 1e-8; a nonlinear problem may have several stationary points, the
    /// map picks the same one) gives x_k(t), ẋ_k(t), θ(t), θ'(t) equal to the mapped Hamiltonian ones to
    /// 1e-6 at 17 depths.
    @Test(arguments: [true, false])
    func agreesWithTheHamiltonianForm(_ trained: Bool) throws {
        let spec = try ContinuousTrainingProblemTests.residualProblem(
            .tanh, antisymmetric: trained, trained: trained, inputWeight: trained ? .infinity : 2, classes: trained)
        let mesh = StructuredCollocationTests.uniformMesh(8, horizon: spec.horizon)
        let algorithm = StructuredCollocation(tolerance: 1e-8)
        let hamiltonian = try algorithm.solve(spec, form: .hamiltonian, mesh: mesh, initialGuess: try Self.inputGuess(spec, mesh: mesh))
        let layout = try spec.hamiltonianForm().layout
        let toLagrangian = try Self.lagrangianMap(spec)
        let lagrangian = try algorithm.solve(spec, form: .lagrangian, mesh: hamiltonian.mesh,
                                             initialGuess: .function({ toLagrangian(hamiltonian.value(at: $0)) }, nodes: nil))
        #expect(hamiltonian.succeeded && lagrangian.succeeded, "\(hamiltonian.message) / \(lagrangian.message)")
        var worst = 0.0
        for step in 0...16 {
            let t = spec.horizon * Double(step) / 16
            let mapped = toLagrangian(hamiltonian.value(at: t)), yl = lagrangian.value(at: t)
            for j in 0..<layout.readoutOffset { worst = max(worst, abs(mapped[j] - yl[j])) }
        }
        #expect(worst < 1e-6, "the two forms differ by \(worst)")
    }

    /// (x, p, θ, π) ↦ (x, F(x, θ) + p/r_f, θ, π/α): a Hamiltonian-form state to the Lagrangian form's.
    static func lagrangianMap<Field: DepthField>(_ spec: ContinuousTrainingProblem<Field>) throws -> @Sendable ([Double]) -> [Double] {
        let layout = try spec.hamiltonianForm().layout
        let d = spec.field.stateDimension, m = spec.samples, q = spec.field.parameterCount
        return { yh in
            var yl = yh, fx = [Double](repeating: 0, count: d)
            for k in 0..<m {
                yh.withUnsafeBufferPointer { y in
                    spec.field.value(x: y.baseAddress! + k * d, theta: y.baseAddress! + layout.weightOffset, into: &fx)
                }
                for i in 0..<d {
                    yl[layout.secondOffset + k * d + i] = fx[i] + yh[layout.secondOffset + k * d + i] / spec.modelPrecision
                }
            }
            for a in 0..<q { yl[layout.conjugateOffset + a] = yh[layout.conjugateOffset + a] / spec.smoothness }
            return yl
        }
    }

    /// The eliminated Newton step Δ (per-sample elimination, Schur complement, back substitution)
    /// solves J Δ = −F for the collocation residual F of the node values: the central difference
    /// (F(y + εΔ) − F(y − εΔ))/(2ε), ε = 1e-6, equals −F(y) to 1e-6 relative, at a random state with a
    /// Robin start and a trained readout, for both forms and both schemes. This checks every
    /// derivative block of the sample forms, the couplings and the Schur algebra at once.
    @Test(arguments: [(BoundaryValueForm.lagrangian, Collocation.Scheme.lobatto3), (.lagrangian, .trapezoid),
                      (.hamiltonian, .lobatto3), (.hamiltonian, .trapezoid)])
    func newtonStepMatchesDifferencesOfTheResidual(_ form: BoundaryValueForm, _ scheme: Collocation.Scheme) throws {
        let field = try ResidualField(width: 2, activation: .tanh, antisymmetric: false, shift: 0.1)
        let m = 5
        let spec = try ContinuousTrainingProblem(
            field: field, horizon: 1.5, inputs: randomVector(2 * m, seed: 81), readout: .softmaxCrossEntropy(classes: 3),
            targets: [0, 1, 2, 1, 0], readoutParameters: .trained(tikhonov: 0.1), modelPrecision: 2, smoothness: 0.5,
            tikhonov: 0.2, inputWeight: 1.5, outputWeight: 1)
        let built = try spec.builtForm(form)
        let mesh = StructuredCollocationTests.uniformMesh(5, horizon: spec.horizon)
        let values = randomVector(mesh.count * built.dimension, seed: 82, scale: 0.5)
        let options = StructuredCollocation(scheme: scheme, adaptive: false)
        let residual: ([Double]) -> (step: [Double]?, residual: [Double], norm: Double) = { y in
            switch form {
            case .hamiltonian: return Self.probe(StructuredCollocationSolver(problem: spec, sampleForm: HamiltonianSampleForm(spec),
                                                                             form: built, mesh: mesh, options: options), y)
            case .lagrangian: return Self.probe(StructuredCollocationSolver(problem: spec, sampleForm: LagrangianSampleForm(spec),
                                                                            form: built, mesh: mesh, options: options), y)
            }
        }
        let base = residual(values)
        let step = try #require(base.step)
        let epsilon = 1e-6
        let plus = residual(zip(values, step).map { $0 + epsilon * $1 }).residual
        let minus = residual(zip(values, step).map { $0 - epsilon * $1 }).residual
        var worst = 0.0
        for i in base.residual.indices { worst = max(worst, abs((plus[i] - minus[i]) / (2 * epsilon) + base.residual[i])) }
        #expect(base.norm > 1e-2, "the residual \(base.norm) is too small to test the step")
        #expect(worst < 1e-6 * base.norm, "J Δ + F = \(worst), |F| = \(base.norm)")
    }

    /// The residual of the node values `y` (form layout) and the Newton step in the same layout.
    static func probe<Form: StructuredSampleForm>(_ solver: StructuredCollocationSolver<Form>,
                                                  _ y: [Double]) -> (step: [Double]?, residual: [Double], norm: Double) {
        solver.load(y)
        guard solver.evaluate(solver.current) else { return (nil, [], .nan) }
        let it = solver.current
        let residual = Array(UnsafeBufferPointer(start: it.sampleResidual, count: it.stateCount))
            + Array(UnsafeBufferPointer(start: it.globalResidual, count: solver.weightCount))
        let norm = residual.reduce(0) { max($0, abs($1)) }
        guard solver.solveLinear(at: it, residualOf: it, factorSchur: true) else { return (nil, residual, norm) }
        // The step in the form's node layout (the midpoint weight columns are implied by the nodes).
        let layout = solver.form.layout, n = layout.dimension, s = solver.s, d = solver.d, q = solver.q
        var step = [Double](repeating: 0, count: solver.nodes * n)
        for i in 0..<solver.nodes {
            for sample in 0..<solver.m {
                for j in 0..<d {
                    step[i * n + sample * d + j] = solver.sampleStep[(sample * solver.nodes + i) * s + j]
                    step[i * n + layout.secondOffset + sample * d + j] = solver.sampleStep[(sample * solver.nodes + i) * s + d + j]
                }
            }
            let point = solver.nodePoint(i)
            for a in 0..<q {
                step[i * n + layout.weightOffset + a] = solver.globalStep[solver.thetaColumn(point) + a]
                step[i * n + layout.conjugateOffset + a] = solver.globalStep[solver.conjugateColumn(point) + a]
            }
            for a in 0..<solver.k { step[i * n + layout.readoutOffset + a] = solver.globalStep[solver.readoutColumn + a] }
        }
        return (step, residual, norm)
    }

    /// The annealed driver in the Lagrangian form: on the tiny sine problem (3 samples, width 2,
    /// 16 layers, 3 rungs, the first from the constant-weight flow with ẋ = F) every rung converges
    /// and the final continuum action equals that of the dense-block adaptive collocation of the
    /// Lagrangian form (tolerance 1e-6) to 1e-4 relative.
    @Test func annealedDriverMatchesTheDenseBlockDriver() throws {
        let (c, split) = try StructuredCollocationTests.tinySineProblem()
        let structured = try c.run(try StructuredCollocationTests.tinySineStages(try ContinuumRungSolver(form: .lagrangian, denseLimit: 0)),
                                   split: split).report
        let dense = try c.run(try StructuredCollocationTests.tinySineStages(try ContinuumRungSolver(form: .lagrangian, tolerance: 1e-6)),
                              split: split).report
        #expect(structured.rungs.count == 3 && structured.rungs.allSatisfy { $0.status == "success" }, "\(structured.rungs)")
        let a = try #require(structured.action), b = try #require(dense.action)
        #expect(abs(a - b) <= 1e-4 * abs(b), "structured action \(a) vs dense \(b)")
    }
}
