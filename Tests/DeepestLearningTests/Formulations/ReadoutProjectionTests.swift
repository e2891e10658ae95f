import BoundaryValue
import Foundation
import NumericCore
import Testing
@testable import DeepestLearning

/// Variable projection of the readout (Notes/readout-projection.md): the inner minimiser is
/// stationary, the projected end condition is the gradient of the projected misfit Ψ(X) = min_β Φ(X, β)
/// (envelope theorem), and the projected BVP has the trained BVP's solution.
@Suite struct ReadoutProjectionTests {
    static func problem(classes: Bool, readoutParameters: ReadoutParameters, samples m: Int = 5,
                        inputWeight: Double = .infinity) throws -> ContinuousTrainingProblem<ResidualField> {
        let d = 2
        let readout: Readout = classes ? .softmaxCrossEntropy(classes: 3) : .leastSquares(outputs: 2)
        let targets: [Double] = classes ? (0..<m).map { Double(($0 * 2) % 3) } : randomVector(2 * m, seed: 101, scale: 0.5)
        return try ContinuousTrainingProblem(
            field: try ResidualField(width: d, activation: .tanh), horizon: 1, inputs: randomVector(m * d, seed: 102, scale: 0.7),
            readout: readout, targets: targets, readoutParameters: readoutParameters, modelPrecision: 1, smoothness: 1,
            tikhonov: 1, inputWeight: inputWeight, outputWeight: 1.3)
    }

    /// At β*(X) the trained problem's readout rows Σ_k R_out∇_βφ_k + μβ vanish (to 1e-12 relative to the
    /// gradient's terms), for the closed-form ridge regression and the inner Newton solve.
    @Test(arguments: [false, true])
    func projectedReadoutIsStationary(_ classes: Bool) throws {
        let projected = try Self.problem(classes: classes, readoutParameters: .projected(tikhonov: 0.05))
        let trained = try Self.problem(classes: classes, readoutParameters: .trained(tikhonov: 0.05))
        let states = randomVector(10, seed: 103)
        let (_, beta) = try #require(projected.projectedMisfit(states: states))
        let built = try trained.hamiltonianForm()
        var y = [Double](repeating: 0, count: built.dimension)
        for i in 0..<states.count { y[i] = states[i] }
        for i in beta.indices { y[built.layout.readoutOffset + i] = beta[i] }
        let end = BuiltProblem(problem: built).endResidual(y)
        let readoutRows = Array(end[(end.count - beta.count)...])
        #expect(readoutRows.allSatisfy { abs($0) < 1e-12 }, "∂_βΦ at β* = \(readoutRows)")
    }

    /// The projected end rows R_out∇ₓφ_k(x_k; β*(X)) (momenta zero) equal central differences of Ψ(X) to
    /// 1e-6 relative, though β* moves with X: the envelope theorem of variable projection.
    @Test(arguments: [false, true])
    func projectedEndConditionIsTheGradientOfTheProjectedMisfit(_ classes: Bool) throws {
        let spec = try Self.problem(classes: classes, readoutParameters: .projected(tikhonov: 0.05))
        let built = try spec.hamiltonianForm()
        let states = randomVector(10, seed: 104)
        var y = [Double](repeating: 0, count: built.dimension)
        for i in 0..<states.count { y[i] = states[i] }
        let end = BuiltProblem(problem: built).endResidual(y)
        let gradient = Array(end[0..<states.count])
        let differences = centralDifferences(states) { spec.projectedMisfit(states: $0)?.value ?? .nan }
        let error = relativeError(gradient, differences)
        #expect(error < 1e-6, "∇Ψ relative error \(error): \(gradient) vs \(differences)")
    }

    /// A small regression (least squares, Hamiltonian form, finite R_in) and classification (softmax,
    /// Lagrangian form) problem, solved by Lobatto IIIA collocation (tolerance 1e-9) once with the readout
    /// as BVP unknowns and once projected: states, momenta, weights and readout agree to 1e-6, the
    /// projected BVP being smaller by the k = l(d + 1) readout unknowns.
    @Test(arguments: [false, true])
    func projectedAndTrainedReadoutsGiveTheSameSolution(_ classes: Bool) throws {
        let collocation = Collocation(scheme: .lobatto3, tolerance: 1e-9)
        let trainedSpec = try Self.problem(classes: classes, readoutParameters: .trained(tikhonov: 0.1), inputWeight: 3)
        let projectedSpec = try Self.problem(classes: classes, readoutParameters: .projected(tikhonov: 0.1), inputWeight: 3)
        let trained = classes ? try trainedSpec.lagrangianForm() : try trainedSpec.hamiltonianForm()
        let projected = classes ? try projectedSpec.lagrangianForm() : try projectedSpec.hamiltonianForm()
        let k = trainedSpec.readout.parameterCount(width: 2)
        #expect(trained.dimension == projected.dimension + k)
        let a = try solve(try trained.boundaryValueProblem(), collocation,
                          initialGuess: .function({ _ in [Double](repeating: 0, count: trained.dimension) }, nodes: 11))
        let b = try solve(try projected.boundaryValueProblem(), collocation,
                          initialGuess: .function({ _ in [Double](repeating: 0, count: projected.dimension) }, nodes: 11))
        try #require(a.succeeded && b.succeeded, "\(a.message) / \(b.message)")
        for t in stride(from: 0.0, through: 1.0, by: 0.125) {
            let ya = a.value(at: t), yb = b.value(at: t)
            let difference = zip(ya.prefix(projected.dimension), yb).reduce(0) { max($0, abs($1.0 - $1.1)) }
            #expect(difference < 1e-6, "states/weights differ by \(difference) at t=\(t)")
        }
        let readoutA = trainedSpec.readoutValues(atEnd: a.value(at: 1), layout: trained.layout)
        let readoutB = projectedSpec.readoutValues(atEnd: b.value(at: 1), layout: projected.layout)
        let difference = zip(readoutA, readoutB).reduce(0) { max($0, abs($1.0 - $1.1)) }
        #expect(difference < 1e-6, "readouts \(readoutA) vs \(readoutB)")
    }

    /// The training driver with `readout = .projected`: a tiny annealed sine run by Chebyshev collocation
    /// (tail tolerance 1e-13) has the rung actions and test RMSE of the trained-readout run to 1e-8 relative.
    @Test func trainingWithAProjectedReadoutMatchesTheTrainedOne() throws {
        let split = try catalogSplit(.sine)
        var reports = [TrainingReport]()
        for treatment in ReadoutTreatment.allCases {
            var c = try TrainingConfiguration.defaults(dataset: .sine, recipe: "chebyshev")
            c.samples = 3; c.width = 2; c.layers = 16; c.horizon = 0.5; c.smoothness = 10
            c.tikhonov = 1; c.readoutTikhonov = 1
            c.recipe.override("anneal-steps", "2", origin: "test")
            c.recipe.override("readout", treatment.rawValue, origin: "test")
            reports.append(try TrainingExperiment.run(c, split: split).report)
        }
        let trained = reports[0], projected = reports[1]
        #expect(trained.status == "success" && projected.status == "success")
        #expect(trained.rungs.count == projected.rungs.count)
        for (a, b) in zip(trained.rungs, projected.rungs) {
            #expect(abs(a.action - b.action) < 1e-8 * abs(a.action), "rung \(a.beta): trained \(a.action), projected \(b.action)")
        }
        let rmseA = try #require(trained.testRMSE), rmseB = try #require(projected.testRMSE)
        #expect(abs(rmseA - rmseB) < 1e-8 * rmseA, "test RMSE trained \(rmseA), projected \(rmseB)")
    }

    @Test func projectionNeedsAPositiveTikhonovWeight() {
        #expect(throws: InvalidArgument.self) { try Self.problem(classes: false, readoutParameters: .projected(tikhonov: 0)) }
    }
}
