import Foundation
import NumericCore
import Testing
@testable import DeepestLearning

/// The exactly constrained rung (`ActionNewtonSolver.solveProjected`) and its relation to the penalty
/// problems of precision annealing (Notes/deepest-learning-action.md §9b).
@Suite struct ActionNewtonSolverProjectionTests {
    static func problem() throws -> (ResidualNetwork, Dataset, Regularization) {
        let c = ResidualNetworkLossTests.Case(activation: .tanh, antisymmetric: true, classification: true)
        let net = try ResidualNetworkLossTests.network(c, width: 3, layers: 4)
        let data = try randomDataset(count: 12, inputDimension: 2, classes: 3, seed: 83)
        return (net, data, try Regularization(tikhonov: 0.1, smoothness: 0.05, readoutTikhonov: 0.1))
    }

    /// The projected iteration reaches a zero of ∇V, V(θ) = Σφ_k(x_{k,N}(θ)) + Reg(θ) the action on the
    /// forward pass (checked with an independent backprop gradient of the ResNet loss, rescaled), with
    /// model error exactly zero. The penalty solutions θ(r_f) of the same branch approach it as
    /// O(1/r_f) (the multiplier estimate p = R_f e is O(1), so e = O(1/R_f)): fitted slope of
    /// |θ(r_f) − θ*| against 1/r_f is 1 ± 0.1 over r_f = 10^2..10^5.
    @Test func constrainedRungIsTheLimitOfThePenaltyRungs() throws {
        let (net, data, reg) = try Self.problem()
        let precisions = [1e2, 1e3, 1e4, 1e5]
        let action = try TrainingAction(network: net, data: data, modelPrecision: precisions.last ?? 1, regularization: reg)
        let solver = ActionNewtonSolver(action: action)
        let constrained = try solver.solveProjected(parameters: net.initialParameters(seed: 2, weightScale: 0.5),
                                                options: ActionNewtonOptions(gradientTolerance: 1e-11, maximumIterations: 300))
        #expect(constrained.status == .converged, "status \(constrained.status), |∇V| = \(constrained.gradientNorm)")
        #expect(constrained.parts.modelError < 1e-20)
        let theta = action.parameters(of: constrained.unknowns)
        let scale = Double(data.count)
        let check = try ResidualNetworkLoss(network: net, data: data, regularization: Regularization(
            tikhonov: reg.tikhonov / scale, smoothness: reg.smoothness / scale, readoutTikhonov: reg.readoutTikhonov / scale))
        var gradient = [Double]()
        let value = scale * check.evaluate(parameters: theta, gradient: &gradient)
        let norm = gradient.reduce(0) { max($0, abs($1)) } * scale
        #expect(norm <= 1e-10 * max(1, value), "|∇V| = \(norm)")
        var distances = [Double]()
        for r in precisions {
            let penalty = try TrainingAction(network: net, data: data, modelPrecision: r, regularization: reg)
            let result = ActionNewtonSolver(action: penalty).solve(
                from: penalty.unknowns(parameters: theta), options: ActionNewtonOptions(gradientTolerance: 1e-10, maximumIterations: 200))
            #expect(result.status == .converged, "r_f = \(r): \(result.status)")
            let p = penalty.parameters(of: result.unknowns)
            distances.append(zip(p, theta).reduce(0) { max($0, abs($1.0 - $1.1)) })
        }
        let fit = try OrderFit.fit(steps: precisions.map { 1 / $0 }, errors: distances)
        #expect(abs(fit.order - 1) < 0.1, "1/r_f = \(precisions.map { 1 / $0 }), |θ(r_f) − θ*| = \(distances), \(fit)")
    }

    /// Continuation in T: rungs on T_j = T_0 (T/T_0)^{j/J} at r_f0, then the rung at T, reaches the same
    /// stationary point of A_h at T as the direct solve (a well-conditioned problem with a unique
    /// nearby stationary point), to the Newton tolerance.
    @Test func continuationInHorizonMatchesTheDirectSolve() throws {
        let c = ResidualNetworkLossTests.Case(activation: .tanh, antisymmetric: false, classification: false)
        let net = try ResidualNetworkLossTests.network(c, width: 3, layers: 4)
        let data = try randomDataset(count: 12, inputDimension: 2, classes: nil, seed: 83)
        let reg = try Regularization(tikhonov: 1, smoothness: 0.1, readoutTikhonov: 1)
        let options = ActionNewtonOptions(gradientTolerance: 1e-12, maximumIterations: 200)
        let initial = net.initialParameters(seed: 2, weightScale: 0.5)
        let direct = try PrecisionAnnealing.run(network: net, data: data, initialParameters: initial, initialPrecision: 1,
                                                factor: 2, steps: 0, regularization: reg, options: options)
        let continued = try PrecisionAnnealing.run(network: net, data: data, initialParameters: initial, initialPrecision: 1,
                                                   factor: 2, steps: 0, regularization: reg, options: options,
                                                   initialHorizon: net.horizon / 8, horizonSteps: 3)
        #expect(continued.rungs.map(\.beta) == [-3, -2, -1, 0])
        let horizons = continued.rungs.compactMap(\.horizon)
        #expect(horizons.count == 3 && abs(horizons[0] - net.horizon / 8) < 1e-15 && abs(horizons[2] - net.horizon / 2) < 1e-12,
                "\(horizons)")
        for rung in continued.rungs + direct.rungs { #expect(rung.status == "converged", "β \(rung.beta): \(rung.status)") }
        let difference = zip(direct.unknowns, continued.unknowns).reduce(0) { max($0, abs($1.0 - $1.1)) }
        #expect(difference < 1e-9, "max |u_direct − u_continued| = \(difference), actions \(direct.rungs.map(\.action)) \(continued.rungs.map(\.action))")
    }
}
