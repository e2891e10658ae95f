import NumericCore

/// Mean, variance, standard error and quantiles of one functional over the paths of an ensemble,
/// computed in path-index order so the numbers do not depend on how the paths were scheduled.
public struct SampleStatistics: Sendable, Codable, Equatable {
    public let name: String
    public let count: Int
    public let mean: Double
    /// Unbiased sample variance (divisor count − 1).
    public let variance: Double
    /// sqrt(variance / count): the standard error of `mean`.
    public let standardError: Double
    public let quantileLevels: [Double]
    /// Quantiles at `quantileLevels` (linear interpolation between order statistics, "type 7").
    public let quantiles: [Double]

    /// Statistics of `values` (two-pass mean and variance in index order). An empty sample gives NaNs.
    public init(name: String, values: [Double], quantileLevels: [Double] = []) {
        self.name = name
        count = values.count
        self.quantileLevels = quantileLevels
        guard !values.isEmpty else {
            mean = .nan; variance = .nan; standardError = .nan
            quantiles = quantileLevels.map { _ in .nan }
            return
        }
        var sum = 0.0
        for v in values { sum += v }
        let m = sum / Double(values.count)
        var squares = 0.0
        for v in values { squares += (v - m) * (v - m) }
        mean = m
        variance = values.count > 1 ? squares / Double(values.count - 1) : 0
        standardError = (variance / Double(values.count)).squareRoot()
        if quantileLevels.isEmpty {
            quantiles = []
        } else {
            let sorted = values.sorted()
            quantiles = quantileLevels.map { p in
                let position = min(max(p, 0), 1) * Double(sorted.count - 1)
                let lower = Int(position), upper = min(lower + 1, sorted.count - 1)
                let w = position - Double(lower)
                return (1 - w) * sorted[lower] + w * sorted[upper]
            }
        }
    }
}
