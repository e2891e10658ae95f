import Foundation
import NumericCore

/// The least-squares slope of the mean escape time against x = ln(1/Temp) over several temperatures,
/// with a 95% bootstrap interval from resampling each temperature's escape times (Notes/escape-laws.md).
/// The linear-saddle law predicts 1/(2λ₋). Reproducible from `seed`.
public struct EscapeTimeSlope: Sendable {
    public let slope: Double
    public let interval: ClosedRange<Double>

    /// `times[i]` are the escape times at x[i]. Throws `InvalidArgument` for fewer than two
    /// temperatures, mismatched counts, an empty sample, or fewer than 10 resamples.
    public init(x: [Double], times: [[Double]], seed: UInt64, resamples: Int = 400) throws {
        try Validate.atLeast(x.count, 2, "temperatures.count")
        try Validate.count(times.count, x.count, "times")
        try Validate.atLeast(resamples, 10, "resamples")
        for (i, sample) in times.enumerated() where sample.isEmpty { throw InvalidArgument("times[\(i)].count", 0, "must be >= 1") }
        slope = Self.slope(x, times.map { $0.reduce(0, +) / Double($0.count) })
        var stream = XoshiroRandomStream(seed: seed ^ 0xB007, index: 0)
        var slopes: [Double] = []
        slopes.reserveCapacity(resamples)
        for _ in 0..<resamples {
            let means = times.map { sample -> Double in
                var sum = 0.0
                for _ in 0..<sample.count { sum += sample[min(sample.count - 1, Int(stream.uniform() * Double(sample.count)))] }
                return sum / Double(sample.count)
            }
            slopes.append(Self.slope(x, means))
        }
        slopes.sort()
        interval = slopes[Int(0.025 * Double(resamples))]...slopes[Int(0.975 * Double(resamples)) - 1]
    }

    static func slope(_ x: [Double], _ y: [Double]) -> Double {
        let mx = x.reduce(0, +) / Double(x.count), my = y.reduce(0, +) / Double(y.count)
        var sxy = 0.0, sxx = 0.0
        for i in x.indices { sxy += (x[i] - mx) * (y[i] - my); sxx += (x[i] - mx) * (x[i] - mx) }
        return sxy / sxx
    }
}
