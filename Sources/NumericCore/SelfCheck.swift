import Foundation

/// Three closed-form problems that exercise the whole core at once: spectral differentiation (FFTW),
/// a banded linear solve (GSL + OpenBLAS) with its fitted order, and a parallel Monte Carlo estimate
/// from per-index random streams. `deepest demo` prints it until the trainer's experiment replaces it;
/// it is also a quick check that an installation links and computes correctly.
public enum SelfCheck {
    /// Max error of the Chebyshev derivative of e^t sin 5t on [−1, 1] at each degree, and the fitted
    /// exponential rate of decay (the error behaves like C e^{rate·N} until round-off).
    public struct SpectralResult: Sendable {
        public let degrees: [Int]
        public let maxErrors: [Double]
        public let rate: OrderFit
    }

    public static func chebyshevDerivative(degrees: [Int] = [8, 12, 16, 20, 24, 32]) throws -> SpectralResult {
        var errors = [Double]()
        for n in degrees {
            let chebyshev = try ChebyshevDifferentiation(degree: n)
            let values = chebyshev.points.map { exp($0) * sin(5 * $0) }
            let derivative = try chebyshev.derivative(of: values)
            var worst = 0.0
            for (j, t) in chebyshev.points.enumerated() {
                worst = max(worst, abs(derivative[j] - exp(t) * (sin(5 * t) + 5 * cos(5 * t))))
            }
            errors.append(worst)
        }
        // Fit the decay on the points above round-off (errors > 1e-12), at least the first three.
        let above = max(3, errors.filter { $0 > 1e-12 }.count)
        let rate = try OrderFit.exponentialRate(
            n: degrees.prefix(above).map(Double.init), errors: Array(errors.prefix(above)))
        return SpectralResult(degrees: degrees, maxErrors: errors, rate: rate)
    }

    /// −u'' + u = (1 + π²) sin πt on (0, 1), u(0) = u(1) = 0 (exact u = sin πt), by the 3-point finite
    /// difference on m interior points, solved with `BandedLU`; the max error is O(h²).
    public struct FiniteDifferenceResult: Sendable {
        public let steps: [Double]
        public let maxErrors: [Double]
        public let order: OrderFit
    }

    public static func finiteDifferencePoisson(intervals: [Int] = [16, 32, 64, 128, 256]) throws -> FiniteDifferenceResult {
        var steps = [Double](), errors = [Double]()
        for n in intervals {
            let h = 1.0 / Double(n), m = n - 1
            let diagonal = 2 / (h * h) + 1, offDiagonal = -1 / (h * h)
            let lu = try BandedLU(dimension: m, lower: 1, upper: 1) { i, j in i == j ? diagonal : offDiagonal }
            let rhs = (1...m).map { i in (1 + Double.pi * Double.pi) * sin(Double.pi * Double(i) * h) }
            guard let u = lu.solve(rhs) else { throw InvalidArgument("intervals", n, "gave a singular system") }
            var worst = 0.0
            for i in 1...m { worst = max(worst, abs(u[i - 1] - sin(Double.pi * Double(i) * h))) }
            steps.append(h)
            errors.append(worst)
        }
        return FiniteDifferenceResult(steps: steps, maxErrors: errors, order: try OrderFit.fit(steps: steps, errors: errors))
    }

    /// E[e^Z] = e^{1/2} for Z ~ N(0, 1), estimated from `streams` × `perStream` variates drawn in
    /// parallel, stream k from RandomStream(seed, k); the estimate depends on the seed only.
    public struct MonteCarloResult: Sendable {
        public let estimate: Double
        public let standardError: Double
        public let exact: Double
        public let samples: Int
    }

    public static func lognormalMean(seed: UInt64, streams: Int = 64, perStream: Int = 16_384) -> MonteCarloResult {
        var sums = [Double](repeating: 0, count: 2 * streams)
        sums.withUnsafeMutableBufferPointer { buffer in
            let slots = SharedMutablePointer(buffer.baseAddress!)
            Parallel.forEach(streams) { k in
                let stream = RandomStream(seed: seed, index: UInt64(k))
                var sum = 0.0, sumOfSquares = 0.0
                for _ in 0..<perStream {
                    let value = exp(stream.gaussian())
                    sum += value
                    sumOfSquares += value * value
                }
                slots[2 * k] = sum
                slots[2 * k + 1] = sumOfSquares
            }
        }
        var sum = 0.0, sumOfSquares = 0.0
        for k in 0..<streams { sum += sums[2 * k]; sumOfSquares += sums[2 * k + 1] }  // fixed order
        let n = Double(streams * perStream)
        let mean = sum / n
        let variance = (sumOfSquares - n * mean * mean) / (n - 1)
        return MonteCarloResult(estimate: mean, standardError: (variance / n).squareRoot(), exact: exp(0.5),
                                samples: streams * perStream)
    }
}
