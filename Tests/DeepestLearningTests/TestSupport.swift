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

/// MATH.md V2: F = Ax (d = 2) with finite input and output weights R0, R1 and fixed identity readout.
/// The Hamiltonian form's exact solution is y(t) = e^{𝓗t} y(0), 𝓗 = [[A, I/r], [0, −Aᵀ]], with y(0)
/// from [[−R0 I, I], [R1 I, I]·e^{𝓗T}] y(0) = [−R0 y0; R1 y1]; `start` = y(0), `end` = y(T).
struct LinearCaseReference {
    let problem: ContinuousTrainingProblem<LinearField>
    let horizon = 1.2
    let start: [Double]
    let end: [Double]

    init() throws {
        let a = [0.3, -0.8, 0.5, -0.2], r = 1.5, r0 = 4.0, r1 = 2.5
        let y0 = [0.7, -0.4], y1 = [-0.3, 0.9]
        problem = try ContinuousTrainingProblem(field: LinearField(matrix: a, dimension: 2), horizon: horizon, inputs: y0,
                                                readout: .leastSquares(outputs: 2), targets: y1,
                                                readoutParameters: .fixed([1, 0, 0, 1, 0, 0]), modelPrecision: r,
                                                smoothness: 0, tikhonov: 0, inputWeight: r0, outputWeight: r1)
        var generator = [Double](repeating: 0, count: 16)
        for i in 0..<2 {
            for j in 0..<2 {
                generator[i * 4 + j] = a[i * 2 + j]
                generator[(2 + i) * 4 + 2 + j] = -a[j * 2 + i]
            }
            generator[i * 4 + 2 + i] = 1 / r
        }
        let phi = try MatrixExponential.compute(generator, dimension: 4, scale: horizon)
        var system = [Double](repeating: 0, count: 16)
        for i in 0..<2 {
            system[i * 4 + i] = -r0
            system[i * 4 + 2 + i] = 1
            for j in 0..<4 { system[(2 + i) * 4 + j] = r1 * phi[i * 4 + j] + phi[(2 + i) * 4 + j] }
        }
        let y = try #require(try DenseLU(matrix: system, dimension: 4).solve([-r0 * y0[0], -r0 * y0[1], r1 * y1[0], r1 * y1[1]]))
        start = y
        end = (0..<4).map { i in (0..<4).reduce(0.0) { $0 + phi[i * 4 + $1] * y[$1] } }
    }

    /// Expects `value(0)` and `value(T)` within `tolerance` of the exact end values.
    func expectMatches(_ value: (Double) -> [Double], tolerance: Double) {
        let s0 = value(0), s1 = value(horizon)
        for i in 0..<4 {
            #expect(abs(s0[i] - start[i]) < tolerance, "y(0)[\(i)] = \(s0[i]) vs \(start[i])")
            #expect(abs(s1[i] - end[i]) < tolerance, "y(T)[\(i)] = \(s1[i]) vs \(end[i])")
        }
    }
}

extension TrainingConfiguration {
    /// Runs `stages` (instead of the recipe) on the configuration's network, regularisation and seed.
    func run(_ stages: [any TrainingStage], split full: DatasetCatalog.Split) throws -> TrainingOutcome {
        let split = try TrainingExperiment.trainingSplit(self, of: full)
        let regularization = try Regularization(tikhonov: tikhonov, smoothness: smoothness, readoutTikhonov: readoutTikhonov)
        return try TrainingPipeline(stages).run(network: try network(for: split.train), split: split, regularization: regularization,
                                                seed: seed)
    }
}

/// The package's Experiments/data folder.
let dataDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().appendingPathComponent("Experiments/data")

/// The package's data set `dataset` from Experiments/data.
func catalogSplit(_ dataset: DatasetCatalog) throws -> DatasetCatalog.Split {
    try dataset.load(from: dataDirectory)
}

/// The discrete start of the continuum recipes: the penalty rung (`PrecisionAnnealing`, one rung at
/// `precision`), then the exactly constrained rung when `constrainedIterations` > 0.
func discreteStationaryPoint(network: ResidualNetwork, data: Dataset, initialParameters: [Double], precision: Double,
                             regularization: Regularization, iterations: Int, constrainedIterations: Int) throws -> AnnealingResult {
    try PrecisionAnnealing.run(network: network, data: data, initialParameters: initialParameters, initialPrecision: precision,
                               factor: 2, steps: 0, regularization: regularization,
                               options: ActionNewtonOptions(gradientTolerance: 1e-8, maximumIterations: iterations),
                               constrainedIterations: constrainedIterations)
}

/// Aᵀ of a d × d row-major matrix.
func transpose(_ a: [Double], _ d: Int) -> [Double] {
    var t = a
    for i in 0..<d { for j in 0..<d { t[j * d + i] = a[i * d + j] } }
    return t
}

/// AB of d × d row-major matrices.
func multiply(_ a: [Double], _ b: [Double], _ d: Int) -> [Double] {
    var c = [Double](repeating: 0, count: d * d)
    for i in 0..<d { for k in 0..<d where a[i * d + k] != 0 { for j in 0..<d { c[i * d + j] += a[i * d + k] * b[k * d + j] } } }
    return c
}
