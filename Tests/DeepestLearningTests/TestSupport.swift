import Foundation
import Testing
@testable import DeepestLearning
import NumericCore

/// Central finite differences of a scalar function, step `epsilon · max(1, |u_i|)`.
func centralDifferences(_ u: [Double], epsilon: Double = 1e-5, _ f: ([Double]) -> Double) -> [Double] {
    var work = u
    var g = [Double](repeating: 0, count: u.count)
    for i in u.indices {
        let step = epsilon * max(1, abs(u[i]))
        work[i] = u[i] + step
        let plus = f(work)
        work[i] = u[i] - step
        let minus = f(work)
        work[i] = u[i]
        g[i] = (plus - minus) / (2 * step)
    }
    return g
}

/// max_i |a_i − b_i| / max_i |b_i|.
func relativeError(_ a: [Double], _ b: [Double]) -> Double {
    var diff = 0.0, scale = 0.0
    for i in a.indices {
        diff = max(diff, abs(a[i] - b[i]))
        scale = max(scale, abs(b[i]))
    }
    return diff / max(scale, .leastNormalMagnitude)
}

/// A small random data set: `count` inputs of dimension `inputDimension`, and either `classes`
/// labels or regression targets of dimension `outputs`.
func randomDataset(count: Int, inputDimension: Int, classes: Int?, outputs: Int = 2, seed: UInt64) throws -> Dataset {
    let stream = RandomStream(seed: seed, index: 7)
    var x = [Double](repeating: 0, count: count * inputDimension)
    stream.fillGaussian(&x)
    if let classes {
        let labels = (0..<count).map { _ in stream.integer(below: classes) }
        return try Dataset(inputs: x, inputDimension: inputDimension, targets: .classes(labels: labels, count: classes))
    }
    var y = [Double](repeating: 0, count: count * outputs)
    stream.fillGaussian(&y)
    return try Dataset(inputs: x, inputDimension: inputDimension, targets: .values(y, dimension: outputs))
}

func randomVector(_ n: Int, seed: UInt64, scale: Double = 1) -> [Double] {
    let stream = RandomStream(seed: seed, index: 3)
    var v = [Double](repeating: 0, count: n)
    stream.fillGaussian(&v, standardDeviation: scale)
    return v
}

/// The finite-difference helper every gradient test relies on: on f(u) = Σ sin(u_i) + u_0 u_1 its
/// result must match the exact gradient to the O(ε²) truncation error of central differences.
@Suite struct TestSupportTests {
    @Test func centralDifferencesMatchAnExactGradient() {
        let u = randomVector(6, seed: 5)
        let f: ([Double]) -> Double = { v in v.reduce(0) { $0 + sin($1) } + v[0] * v[1] }
        var exact = u.map { cos($0) }
        exact[0] += u[1]
        exact[1] += u[0]
        #expect(relativeError(centralDifferences(u, f), exact) < 1e-9)
        #expect(relativeError(exact, exact) == 0)
    }
}
