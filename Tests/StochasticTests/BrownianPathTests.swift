import Foundation
import NumericCore
import Testing
@testable import Stochastic

@Suite struct BrownianPathTests {
    @Test func aPathIsAFunctionOfSeedAndIndex() throws {
        let a = try BrownianPath(seed: 5, index: 3, dimension: 2, steps: 64, duration: 2)
        let b = try BrownianPath(seed: 5, index: 3, dimension: 2, steps: 64, duration: 2)
        let c = try BrownianPath(seed: 5, index: 4, dimension: 2, steps: 64, duration: 2)
        #expect(a.increments == b.increments)
        #expect(a.increments != c.increments)
        #expect(a.refined().increments == b.refined().increments)
    }

    /// Coarse increments are exact sums of fine ones, so W at common grid points agrees.
    @Test func coarseIncrementsAreSumsOfFineOnes() throws {
        let path = try BrownianPath(seed: 9, steps: 256, duration: 1)
        let coarse = try path.increments(steps: 16)
        let w = path.values
        var sum = 0.0
        for k in 0..<16 {
            sum += coarse[k]
            #expect(abs(sum - w[(k + 1) * 16]) < 1e-14)
        }
        #expect(throws: InvalidArgument.self) { try path.increments(steps: 48) }
    }

    /// Bridge refinement keeps the coarse path (pairs sum back) and gives the right conditional law:
    /// the half-step increment minus half the full one has variance Δ/4 (pooled over many steps).
    @Test func bridgeRefinementKeepsThePathAndHasTheBridgeVariance() throws {
        let steps = 20000, duration = 4.0
        let path = try BrownianPath(seed: 21, steps: steps, duration: duration)
        let fine = path.refined()
        #expect(fine.steps == 2 * steps && fine.refinementLevel == 1)
        var sumSquares = 0.0, sumDeviation = 0.0
        for k in 0..<steps {
            #expect(abs(fine.increments[2 * k] + fine.increments[2 * k + 1] - path.increments[k]) < 1e-15)
            let deviation = fine.increments[2 * k] - 0.5 * path.increments[k]
            sumDeviation += deviation
            sumSquares += deviation * deviation
        }
        let delta = duration / Double(steps), n = Double(steps)
        let variance = sumSquares / n, expected = delta / 4
        // Sample variance of n Gaussians: standard error expected·sqrt(2/n); allow 4 standard errors.
        #expect(abs(variance - expected) < 4 * expected * (2 / n).squareRoot(), "bridge variance \(variance) vs Δ/4 = \(expected)")
        #expect(abs(sumDeviation / n) < 4 * (expected / n).squareRoot())
        // Independence of the bridge sample from the coarse increment: correlation near 0.
        var cross = 0.0
        for k in 0..<steps { cross += (fine.increments[2 * k] - 0.5 * path.increments[k]) * path.increments[k] }
        let correlation = cross / n / (expected * delta).squareRoot()
        #expect(abs(correlation) < 4 / n.squareRoot(), "correlation \(correlation)")
        // Twice refined still sums back to the original.
        let twice = fine.refined()
        #expect(abs(try twice.increments(steps: steps)[17] - path.increments[17]) < 1e-14)
    }

    /// W(T) over independent paths is N(0, T): mean and variance within 4 standard errors.
    @Test func endValuesHaveTheBrownianLaw() throws {
        let paths = 4000, duration = 3.0
        let ends = try (0..<paths).map { try BrownianPath(seed: 77, index: UInt64($0), steps: 30, duration: duration).endValue[0] }
        let stats = SampleStatistics(name: "W(T)", values: ends)
        #expect(abs(stats.mean) < 4 * (duration / Double(paths)).squareRoot(), "mean \(stats.mean)")
        #expect(abs(stats.variance - duration) < 4 * duration * (2 / Double(paths)).squareRoot(), "variance \(stats.variance)")
    }

    /// A path built from the increments of a seeded path is that path (and refines to the same path).
    @Test func aPathFromIncrementsEqualsTheSeededPathWithThoseIncrements() throws {
        let seeded = try BrownianPath(seed: 5, index: 2, dimension: 2, steps: 8, duration: 2)
        let replayed = try BrownianPath(increments: seeded.increments, dimension: 2, duration: 2, seed: 5, index: 2)
        #expect(replayed == seeded)
        #expect(replayed.refined() == seeded.refined())
        #expect(try replayed.increments(steps: 2) == seeded.increments(steps: 2))
        let plain = try BrownianPath(increments: [0.1, -0.2, 0.3], duration: 1.5)
        #expect(plain.steps == 3 && plain.dimension == 1 && plain.stepSize == 0.5 && plain.values == [0, 0.1, 0.1 + -0.2, 0.1 + -0.2 + 0.3])
    }

    @Test func invalidIncrementsThrowNamingTheArgument() {
        func argument(_ body: () throws -> Void) -> String? {
            do { try body() } catch let error as InvalidArgument { return error.argument } catch { return "other" }
            return nil
        }
        #expect(argument { _ = try BrownianPath(increments: [0.1, 0.2, 0.3], dimension: 2, duration: 1) } == "increments.count")
        #expect(argument { _ = try BrownianPath(increments: [], duration: 1) } == "increments.count")
        #expect(argument { _ = try BrownianPath(increments: [0.1, .nan], duration: 1) } == "increments[1]")
        #expect(argument { _ = try BrownianPath(increments: [0.1], duration: 0) } == "duration")
        #expect(argument { _ = try BrownianPath(increments: [0.1], dimension: 0, duration: 1) } == "dimension")
    }
}
