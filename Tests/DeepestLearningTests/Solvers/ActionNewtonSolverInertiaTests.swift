import Foundation
import NumericCore
import Testing
@testable import DeepestLearning

/// Haynsworth's inertia of the discrete action's Hessian (per-sample state blocks by their block LDLᵀ
/// pivots, plus the Schur complement onto the weights) against the dense eigen-decomposition of the
/// central-difference Hessian of A_h (its exact gradient), on small problems at perturbed points where
/// the Hessian is indefinite.
@Suite struct ActionNewtonSolverInertiaTests {
    @Test(arguments: [(1.0, UInt64(3)), (20.0, 4), (300.0, 5)])
    func haynsworthInertiaMatchesTheDenseHessian(precision: Double, seed: UInt64) throws {
        let data = try randomDataset(count: 4, inputDimension: 2, classes: 2, seed: seed)
        let network = try ResidualNetwork(field: try ResidualField(width: 2, activation: .tanh), layers: 3, horizon: 1,
                                          lift: try .padding(from: 2, to: 2), readout: data.readout)
        let action = try TrainingAction(network: network, data: data, modelPrecision: precision, inputWeight: .infinity, outputWeight: 1,
                                        regularization: try Regularization(tikhonov: 0.05, smoothness: 0.1, readoutTikhonov: 0.05))
        var unknowns = action.unknowns(parameters: network.initialParameters(seed: seed, weightScale: 2.5))
        let noise = randomVector(unknowns.count, seed: seed &+ 10, scale: 0.3)
        for i in unknowns.indices { unknowns[i] += noise[i] }
        let solver = ActionNewtonSolver(action: action)
        let inertia = try #require(solver.inertia(unknowns: unknowns))
        let n = unknowns.count
        var hessian = [Double](repeating: 0, count: n * n), plus = [Double](), minus = [Double](), u = unknowns
        for i in 0..<n {
            let step = 1e-5 * max(1, abs(unknowns[i]))
            u[i] = unknowns[i] + step; _ = action.evaluate(unknowns: u, gradient: &plus)
            u[i] = unknowns[i] - step; _ = action.evaluate(unknowns: u, gradient: &minus)
            u[i] = unknowns[i]
            for j in 0..<n { hessian[i * n + j] = (plus[j] - minus[j]) / (2 * step) }
        }
        for i in 0..<n { for j in 0..<i { let s = 0.5 * (hessian[i * n + j] + hessian[j * n + i]); hessian[i * n + j] = s; hessian[j * n + i] = s } }
        let dense = try SymmetricEigen(matrix: hessian, dimension: n)
        let negatives = dense.negativeCount(relativeThreshold: 1e-6)
        #expect(inertia.negative == negatives, "r_f = \(precision): Haynsworth \(inertia), dense negatives \(negatives) of \(n): \(dense.values.prefix(4))")
        #expect(inertia.negative + inertia.zero + inertia.positive == n)
        #expect(negatives > 0, "the perturbed point should be indefinite (8 to 11 negative eigenvalues of 48 when written)")
    }
}
