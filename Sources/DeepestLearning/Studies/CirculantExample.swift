import Foundation
import NumericCore

/// The slides' 3×3 example of an unstable forward pass (MATH.md §6.5, seed 004):
///
///   Y_{j+1} = Y_j + (T/N) tanh(K(θ) Y_j),  T = 10,  K(θ) = circ(−θ1−θ2, θ1, θ2),
///
/// Y_0 ~ N(0, 1) (3 × m, seeded), the reference C = Y_200(θ = (1, 1)), and the objective
/// ½‖Y_N(θ) − C‖²_F over a grid of (θ1, θ2). The eigenvalues of K are 0 and
/// −(3/2)(θ1 + θ2) ± i(√3/2)(θ1 − θ2); at Y = 0 the layer Jacobian is K itself, so with h = T/N the pair
/// is inside the forward-Euler disk |1 + hμ| ≤ 1 exactly where `stabilityMargin` ≤ 0. With N = 5
/// (h = 2) most of the plane violates it and the objective is rough; with N = 100 it is smooth
/// (Notes/forward-stability-and-robustness.md §4). Cost O(N m) per objective value.
public struct CirculantExample: Sendable {
    public let horizon: Double
    /// m columns of Y_0, stored sample-major (m × 3).
    public let samples: Int
    public let start: [Double]
    /// C = Y_{referenceLayers}(θ = (1, 1)), m × 3.
    public let reference: [Double]

    /// - Throws: `InvalidArgument` for samples < 1, referenceLayers < 1 or a horizon that is not positive.
    public init(samples: Int = 10, seed: UInt64 = 4, horizon: Double = 10, referenceLayers: Int = 200) throws {
        try Validate.positive(samples, "samples")
        try Validate.positive(referenceLayers, "referenceLayers")
        try Validate.positive(horizon, "horizon")
        let stream = RandomStream(seed: seed, index: 0)
        var y = [Double](repeating: 0, count: 3 * samples)
        stream.fillGaussian(&y)
        self.horizon = horizon
        self.samples = samples
        start = y
        reference = Self.evolve(y, samples: samples, theta1: 1, theta2: 1, layers: referenceLayers, horizon: horizon)
    }

    /// K(θ) row-major.
    public static func kernel(theta1 a: Double, theta2 b: Double) -> [Double] {
        [-a - b, a, b, b, -a - b, a, a, b, -a - b]
    }

    /// The closed-form eigenvalues (real, imaginary): 0 and −(3/2)(θ1 + θ2) ± i(√3/2)(θ1 − θ2).
    public static func eigenvalues(theta1 a: Double, theta2 b: Double) -> [(Double, Double)] {
        let re = -1.5 * (a + b), im = 3.0.squareRoot() / 2 * (a - b)
        return [(0, 0), (re, im), (re, -im)]
    }

    /// |1 + hμ| − 1 for the complex pair μ (the zero eigenvalue sits on the disk's boundary for every h):
    /// ≤ 0 where the pair is inside the forward-Euler disk.
    public static func stabilityMargin(theta1: Double, theta2: Double, stepSize h: Double) -> Double {
        let (re, im) = eigenvalues(theta1: theta1, theta2: theta2)[1]
        return ((1 + h * re) * (1 + h * re) + h * im * h * im).squareRoot() - 1
    }

    /// Y_N(θ), m × 3 (sample-major).
    public func finalStates(theta1: Double, theta2: Double, layers: Int) -> [Double] {
        Self.evolve(start, samples: samples, theta1: theta1, theta2: theta2, layers: layers, horizon: horizon)
    }

    static func evolve(_ start: [Double], samples: Int, theta1: Double, theta2: Double, layers: Int, horizon: Double) -> [Double] {
        let k = kernel(theta1: theta1, theta2: theta2), h = horizon / Double(layers)
        var y = start
        for s in 0..<samples {
            var x0 = y[3 * s], x1 = y[3 * s + 1], x2 = y[3 * s + 2]
            for _ in 0..<layers {
                let z0 = k[0] * x0 + k[1] * x1 + k[2] * x2
                let z1 = k[3] * x0 + k[4] * x1 + k[5] * x2
                let z2 = k[6] * x0 + k[7] * x1 + k[8] * x2
                x0 += h * Foundation.tanh(z0)
                x1 += h * Foundation.tanh(z1)
                x2 += h * Foundation.tanh(z2)
            }
            y[3 * s] = x0; y[3 * s + 1] = x1; y[3 * s + 2] = x2
        }
        return y
    }

    /// ½‖Y_N(θ) − C‖²_F.
    public func objective(theta1: Double, theta2: Double, layers: Int) -> Double {
        let y = finalStates(theta1: theta1, theta2: theta2, layers: layers)
        var sum = 0.0
        for i in y.indices { sum += (y[i] - reference[i]) * (y[i] - reference[i]) }
        return 0.5 * sum
    }

    /// The objective and the stability margin on a resolution × resolution grid of `theta1` × `theta2`
    /// (θ1 varies fastest), parallel over grid rows.
    public func grid(layers: Int, theta1: ClosedRange<Double>, theta2: ClosedRange<Double>, resolution: Int) throws -> LandscapeGrid {
        try Validate.positive(layers, "layers")
        try Validate.atLeast(resolution, 2, "resolution")
        let xs = (0..<resolution).map { theta1.lowerBound + (theta1.upperBound - theta1.lowerBound) * Double($0) / Double(resolution - 1) }
        let ys = (0..<resolution).map { theta2.lowerBound + (theta2.upperBound - theta2.lowerBound) * Double($0) / Double(resolution - 1) }
        var values = [Double](repeating: 0, count: resolution * resolution), margins = values
        let h = horizon / Double(layers)
        values.withUnsafeMutableBufferPointer { v in
            margins.withUnsafeMutableBufferPointer { mg in
                let valueOut = SharedMutablePointer(v.baseAddress!), marginOut = SharedMutablePointer(mg.baseAddress!)
                Parallel.forEach(resolution) { j in
                    for i in 0..<resolution {
                        valueOut.base[j * resolution + i] = objective(theta1: xs[i], theta2: ys[j], layers: layers)
                        marginOut.base[j * resolution + i] = Self.stabilityMargin(theta1: xs[i], theta2: ys[j], stepSize: h)
                    }
                }
            }
        }
        return LandscapeGrid(xs: xs, ys: ys, values: values, margins: margins)
    }
}

/// Values on a rectangular grid, x fastest: `values[j * xs.count + i]` at (xs[i], ys[j]); `margins` the
/// forward-Euler stability margin at each point (empty when it does not apply).
public struct LandscapeGrid: Sendable {
    public let xs: [Double], ys: [Double]
    public let values: [Double], margins: [Double]

    /// The mean absolute difference between neighbouring grid values (along x and y), relative to the
    /// range of the values: a roughness measure that does not depend on the objective's scale.
    public var roughness: Double {
        let nx = xs.count, ny = ys.count
        var sum = 0.0, count = 0
        for j in 0..<ny { for i in 0..<nx {
            if i + 1 < nx { sum += abs(values[j * nx + i + 1] - values[j * nx + i]); count += 1 }
            if j + 1 < ny { sum += abs(values[(j + 1) * nx + i] - values[j * nx + i]); count += 1 }
        } }
        let range = (values.max() ?? 0) - (values.min() ?? 0)
        return range > 0 ? sum / Double(count) / range : 0
    }
}
