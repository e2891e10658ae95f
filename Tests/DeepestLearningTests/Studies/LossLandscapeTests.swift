import Foundation
import Testing
@testable import DeepestLearning
import NumericCore

@Suite struct LossLandscapeTests {
    /// Every filter of a direction has the norm of the same filter of θ*, and the biases are 0.
    @Test func directionsAreFilterNormalised() throws {
        for network in [try StudyFixtures.resnet(), try StudyFixtures.flow()] {
            let d = network.width, q = network.field.parameterCount, theta = network.parameters
            let direction = LossLandscape.direction(network: network, seed: 5, index: 1)
            func norm(_ v: [Double], _ start: Int) -> Double { (start..<(start + d)).reduce(0) { $0 + v[$1] * v[$1] }.squareRoot() }
            let blocks = network.isFlow ? network.steps + 1 : network.steps
            for block in 0..<blocks {
                for row in 0..<d {
                    let start = block * q + row * d
                    #expect(abs(norm(direction, start) - norm(theta, start)) <= 1e-12 * norm(theta, start))
                }
                #expect((0..<d).allSatisfy { direction[block * q + d * d + $0] == 0 })
            }
            #expect(LossLandscape.direction(network: network, seed: 5, index: 0) != direction)
        }
    }

    /// The centre of the grid (odd resolution) is the trained network's mean loss, which equals the mean
    /// of the per-sample losses of the costate sweep (another forward code path).
    @Test func centreIsTheTrainedLoss() throws {
        let network = try StudyFixtures.resnet()
        let data = try randomDataset(count: 10, inputDimension: 2, classes: 3, seed: 14)
        let landscape = try LossLandscape(network: network, data: data, resolution: 5, range: 0.5)
        let mean = try network.costates(data: data).losses.reduce(0, +) / 10
        #expect(abs(landscape.grid.values[2 * 5 + 2] - mean) <= 1e-13 * mean)
        #expect(abs(landscape.centerLoss - mean) <= 1e-13 * mean)
        #expect(landscape.grid.xs.first == -0.5 && landscape.grid.xs.last == 0.5)
    }
}
