import Foundation
import Testing
@testable import DeepestLearning
import NumericCore

@Suite struct AdversarialAttackTests {
    /// A network whose depth map is the identity (K = 0, b = 0, tanh(0) = 0) and a least-squares readout
    /// o = wᵀx + c: φ = ½r², r = wᵀx + c − y. The ℓ∞ FGSM step δ = ε·sign(r w) changes the loss by
    /// exactly ε|r|‖w‖₁ + ½ε²‖w‖₁² (first order ε‖∇φ‖₁ = ε|r|‖w‖₁).
    @Test(arguments: [1e-3, 1e-2, 0.3])
    func fgsmOnALinearModelMatchesTheClosedForm(epsilon: Double) throws {
        let d = 5, layers = 3
        let field = try ResidualField(width: d, activation: .tanh)
        let network = try ResidualNetwork(field: field, layers: layers, horizon: 1, lift: try .padding(from: d, to: d),
                                          readout: .leastSquares(outputs: 1))
        var parameters = [Double](repeating: 0, count: network.parameterCount)
        let w = randomVector(d, seed: 41)
        for i in 0..<d { parameters[network.readoutOffset + i] = w[i] }
        parameters[network.readoutOffset + d] = 0.3
        let trained = TrainedNetwork.resnet(network, parameters: parameters)
        let data = try randomDataset(count: 6, inputDimension: d, classes: nil, outputs: 1, seed: 43)
        let attack = try AdversarialAttack(norm: .infinity)
        let perturbed = try attack.fgsm(network: trained, data: data, epsilon: epsilon)
        let norm1 = w.reduce(0) { $0 + abs($1) }
        for k in 0..<data.count {
            let x = Array(data.inputs[(k * d)..<((k + 1) * d)]), y = StudyFixtures.targetRow(data, k)
            let before = StudyFixtures.loss(trained, input: x, target: y)
            let after = StudyFixtures.loss(trained, input: Array(perturbed[(k * d)..<((k + 1) * d)]), target: y)
            let r = zip(w, x).reduce(0.3) { $0 + $1.0 * $1.1 } - y[0]
            let expected = epsilon * abs(r) * norm1 + 0.5 * epsilon * epsilon * norm1 * norm1
            #expect(abs((after - before) - expected) <= 1e-12 * max(1, after), "sample \(k): change \(after - before), closed form \(expected)")
        }
    }

    /// Every PGD iterate is projected, so the result lies in its ball for both norms, per-sample radii
    /// included; and a radius of 0 leaves the point where it was.
    @Test func pgdNeverLeavesItsBall() throws {
        let network = try StudyFixtures.resnet(width: 4, layers: 5, inputDimension: 3, classes: 3, seed: 19)
        let data = try randomDataset(count: 12, inputDimension: 3, classes: 3, seed: 23)
        let radii = (0..<12).map { Double($0 % 4) * 0.15 }
        for norm in PerturbationNorm.allCases {
            let attack = try AdversarialAttack(norm: norm, steps: 7)
            let perturbed = try attack.pgd(network: network, data: data, epsilons: radii)
            for k in 0..<12 {
                let delta = (0..<3).map { perturbed[k * 3 + $0] - data.inputs[k * 3 + $0] }
                let size = norm == .infinity ? delta.map(abs).max()! : delta.reduce(0) { $0 + $1 * $1 }.squareRoot()
                #expect(size <= radii[k] * (1 + 1e-12), "\(norm) sample \(k): ‖δ‖ = \(size) > ε = \(radii[k])")
                if radii[k] == 0 { #expect(size == 0) }
            }
        }
    }

    /// PGD increases the loss at least as much as FGSM at the same radius on average, and both increase it.
    @Test func attacksIncreaseTheLoss() throws {
        let network = try StudyFixtures.resnet(width: 4, layers: 5, inputDimension: 3, classes: 3, seed: 19)
        let data = try randomDataset(count: 30, inputDimension: 3, classes: 3, seed: 29)
        let clean = try network.inputGradients(data: data).losses.reduce(0, +)
        for norm in PerturbationNorm.allCases {
            let attack = try AdversarialAttack(norm: norm, steps: 10)
            let fgsm = try network.inputGradients(data: try Dataset(inputs: attack.fgsm(network: network, data: data, epsilon: 0.2), inputDimension: 3,
                                                                    targets: data.targets)).losses.reduce(0, +)
            let pgd = try network.inputGradients(data: try Dataset(inputs: attack.pgd(network: network, data: data, epsilon: 0.2), inputDimension: 3,
                                                                   targets: data.targets)).losses.reduce(0, +)
            #expect(fgsm > clean && pgd >= fgsm, "\(norm): clean \(clean), FGSM \(fgsm), PGD \(pgd)")
        }
    }

    @Test func refusesInvalidOptions() throws {
        #expect(throws: InvalidArgument.self) { try AdversarialAttack(norm: .two, steps: 0) }
        let network = try StudyFixtures.resnet()
        let data = try randomDataset(count: 2, inputDimension: 2, classes: 3, seed: 1)
        #expect(throws: InvalidArgument.self) { try AdversarialAttack(norm: .two).fgsm(network: network, data: data, epsilon: -1) }
    }
}
