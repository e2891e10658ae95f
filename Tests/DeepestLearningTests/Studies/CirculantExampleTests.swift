import Foundation
import Testing
@testable import DeepestLearning
import NumericCore

@Suite struct CirculantExampleTests {
    /// The closed-form spectrum of K(θ) against LAPACK's, on a few θ.
    @Test func closedFormEigenvaluesMatchLAPACK() throws {
        for (a, b) in [(1.0, 1.0), (0.3, -0.7), (-2.0, 0.5), (0, 0)] {
            let eigen = try GeneralEigen(matrix: CirculantExample.kernel(theta1: a, theta2: b), dimension: 3)
            let closed = CirculantExample.eigenvalues(theta1: a, theta2: b)
            for (re, im) in zip(eigen.real, eigen.imaginary) {
                #expect(closed.map { hypot($0.0 - re, $0.1 - im) }.min()! <= 1e-14 * 8, "θ = (\(a), \(b)): \(re) + \(im)i")
            }
        }
    }

    /// The reference is Y_200 at θ = (1, 1), so the objective vanishes there for N = 200; it does not
    /// for N = 5 (another map).
    @Test func objectiveVanishesAtTheReference() throws {
        let example = try CirculantExample(samples: 6)
        #expect(example.objective(theta1: 1, theta2: 1, layers: 200) == 0)
        #expect(example.objective(theta1: 1, theta2: 1, layers: 5) > 0)
    }

    /// The margin against |1 + hμ| − 1 of the LAPACK eigenvalues (the largest over the nonzero pair), and
    /// at θ = (1, 1) where μ = −3 (twice): |1 − 3h| − 1 is 4 for h = 2 (N = 5) and −0.3 for h = 0.1 (N = 100).
    @Test func stabilityMarginFollowsTheDisk() throws {
        #expect(abs(CirculantExample.stabilityMargin(theta1: 1, theta2: 1, stepSize: 2) - 4) <= 1e-14)
        #expect(abs(CirculantExample.stabilityMargin(theta1: 1, theta2: 1, stepSize: 0.1) + 0.3) <= 1e-14)
        let stream = RandomStream(seed: 3)
        for _ in 0..<20 {
            let a = stream.gaussian(), b = stream.gaussian(), h = 0.05 + stream.uniform()
            let eigen = try GeneralEigen(matrix: CirculantExample.kernel(theta1: a, theta2: b), dimension: 3)
            let largest = zip(eigen.real, eigen.imaginary).filter { hypot($0.0, $0.1) > 1e-12 }
                .map { hypot(1 + h * $0.0, h * $0.1) }.max() ?? 1
            #expect(abs(CirculantExample.stabilityMargin(theta1: a, theta2: b, stepSize: h) - (largest - 1)) <= 1e-12)
        }
    }

    @Test func gridHoldsTheObjectiveAndTheMarginAtEveryPoint() throws {
        let example = try CirculantExample(samples: 4)
        let grid = try example.grid(layers: 5, theta1: -1...3, theta2: 0...2, resolution: 5)
        #expect(grid.xs == [-1, 0, 1, 2, 3] && grid.ys == [0, 0.5, 1, 1.5, 2])
        for j in 0..<5 { for i in 0..<5 {
            #expect(grid.values[j * 5 + i] == example.objective(theta1: grid.xs[i], theta2: grid.ys[j], layers: 5))
            #expect(grid.margins[j * 5 + i] == CirculantExample.stabilityMargin(theta1: grid.xs[i], theta2: grid.ys[j], stepSize: 2))
        } }
    }
}
