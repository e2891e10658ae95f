import Foundation
import NumericCore

/// The escape study of MATH.md §6.3: dX = λX dτ + √(2 Temp) dW from the saddle X = 0, exit from
/// |X| < L, at several temperatures. The mean exit time grows like ln(1/Temp)/(2λ): the fitted slope of
/// E τ against ln(1/Temp) is compared with 1/(2λ), the variance with π²/(8λ²) (Notes/escape-laws.md).
public struct LinearSaddleEscape: Sendable {
    public let rate: Double
    public let radius: Double
    public let temperatures: [Double]
    /// Δτ as a fraction of 1/λ.
    public let timeStepFraction: Double

    /// Throws `InvalidArgument` for a non-positive rate, radius or temperature, fewer than two
    /// temperatures, or a temperature too high for the asymptotic law (L² < 10·Temp/λ, i.e. L within
    /// about three standard deviations of the stationary spread).
    public init(rate: Double = 1, radius: Double = 1, temperatures: [Double], timeStepFraction: Double = 1e-3) throws {
        try Validate.positive(rate, "rate")
        try Validate.positive(radius, "radius")
        try Validate.positive(timeStepFraction, "timeStepFraction")
        try Validate.atLeast(temperatures.count, 2, "temperatures.count")
        for (i, temp) in temperatures.enumerated() {
            try Validate.positive(temp, "temperatures[\(i)]")
            guard radius * radius >= 10 * temp / rate else {
                throw InvalidArgument("temperatures[\(i)]", temp, "is too high for the escape law: needs L² ≥ 10·Temp/λ = \(10 * temp / rate)")
            }
        }
        self.rate = rate
        self.radius = radius
        self.temperatures = temperatures
        self.timeStepFraction = timeStepFraction
    }

    public struct Row: Sendable, Codable {
        public let temperature: Double
        public let meanEscapeTime: Double
        public let stderr: Double
        public let variance: Double
        public let theoryMeanEscapeTime: Double
        public let theoryVariance: Double
        public let escapeProbability: Double
    }

    public struct Result: Sendable {
        public let rows: [Row]
        /// The least-squares slope of E τ against ln(1/Temp), its 95% interval from a bootstrap over
        /// paths, and the theory 1/(2λ).
        public let fittedSlope: Double
        public let slopeCI95: ClosedRange<Double>
        public let theorySlope: Double
        public let paths: Int
        public let seed: UInt64
    }

    /// `paths` paths per temperature (stream (seed + i, k) for temperature i, path k).
    public func run(paths: Int, seed: UInt64) throws -> Result {
        try Validate.atLeast(paths, 2, "paths")
        let lambda = rate, L = radius, dt = timeStepFraction / rate
        // Without exit the path grows like e^{λτ}; 40/λ is e^{40} times the stationary spread.
        let maximumSteps = Int((40 / lambda / dt).rounded(.up))
        var rows: [Row] = [], samples: [[Double]] = []
        for (i, temp) in temperatures.enumerated() {
            let sigma = (2 * temp).squareRoot()
            let ensemble = try ExitTimeEnsemble(drift: { lambda * $0 }, noise: { _ in sigma }, start: 0,
                                                hasExited: { abs($0) >= L }, timeStep: dt, maximumSteps: maximumSteps)
            let run = try ensemble.run(paths: paths, seed: seed &+ UInt64(i))
            let stats = run.statistics
            samples.append(zip(run.times, run.exited).compactMap { $1 ? $0 : nil })
            rows.append(Row(temperature: temp, meanEscapeTime: stats.mean, stderr: stats.standardError, variance: stats.variance,
                            theoryMeanEscapeTime: EscapeLaws.linearSaddleMeanExitTime(rate: lambda, radius: L, noise: sigma),
                            theoryVariance: EscapeLaws.linearSaddleExitTimeVariance(rate: lambda),
                            escapeProbability: Double(run.exitedCount) / Double(paths)))
        }
        let fit = try EscapeTimeSlope(x: temperatures.map { log(1 / $0) }, times: samples, seed: seed)
        return Result(rows: rows, fittedSlope: fit.slope, slopeCI95: fit.interval, theorySlope: 1 / (2 * lambda), paths: paths, seed: seed)
    }
}
