import Foundation
import Testing
@testable import DeepestLearning
import NumericCore

@Suite struct AdversarialRobustnessTests {
    /// Accuracy curves start at the clean accuracy (ε = 0); PGD at a point's minimal perturbation
    /// changes its prediction; a point misclassified clean has minimal perturbation 0.
    @Test func curvesAndMinimalPerturbationsAreConsistent() throws {
        let network = try StudyFixtures.resnet(width: 4, layers: 5, inputDimension: 3, classes: 3, seed: 19)
        let data = try randomDataset(count: 16, inputDimension: 3, classes: 3, seed: 61)
        let study = try AdversarialRobustness(network: network, data: data, radii: [(.infinity, [0, 0.1, 0.4]), (.two, [0, 0.3])],
                                              steps: 10, maximumRadius: 2, bisectionSteps: 8)
        for curve in study.curves {
            #expect(curve.fgsmAccuracy[0] == study.cleanAccuracy && curve.pgdAccuracy[0] == study.cleanAccuracy)
        }
        let attack = try AdversarialAttack(norm: .infinity, steps: 10)
        let broken = try attack.pgd(network: network, data: data, epsilons: study.minimalPerturbations.map { $0.isFinite ? $0 : 0 })
        let outputs = network.outputs(inputs: broken), clean = network.outputs(inputs: data.inputs)
        guard case .classes(let labels, _) = data.targets else { return }
        func predicted(_ o: [Double], _ k: Int) -> Int { (0..<3).max { o[k * 3 + $0] < o[k * 3 + $1] }! }
        for k in 0..<data.count where study.minimalPerturbations[k].isFinite && study.minimalPerturbations[k] > 0 {
            #expect(predicted(clean, k) == labels[k])
            #expect(predicted(outputs, k) != labels[k], "sample \(k) at its minimal radius \(study.minimalPerturbations[k])")
        }
        for k in 0..<data.count where predicted(clean, k) != labels[k] { #expect(study.minimalPerturbations[k] == 0) }
        #expect(study.lipschitz.allSatisfy { $0 > 0 } && study.maxLipschitz >= study.medianLipschitz)
    }

    @Test func refusesRegressionData() throws {
        let network = try StudyFixtures.flow()
        let data = try randomDataset(count: 4, inputDimension: 2, classes: nil, outputs: 2, seed: 3)
        #expect(throws: InvalidArgument.self) {
            try AdversarialRobustness(network: network, data: data, radii: [(.infinity, [0.1])], maximumRadius: 1)
        }
    }
}
