import Foundation
import NumericCore

/// The outcome of a convergence study: step sizes, errors, least-squares order with its t-interval and
/// a bootstrap 95% interval over paths, and what was measured.
public struct StochasticStudyResult: Sendable {
    public let name: String
    public let expectedOrder: Double
    /// Step sizes (Δt, Δτ, or 1/J for spatial studies), coarse to fine.
    public let steps: [Double]
    public let errors: [Double]
    public let fit: OrderFit
    /// Percentile bootstrap 95% interval of the fitted order, resampling paths.
    public let bootstrap95: ClosedRange<Double>
    public let paths: Int
    /// What error is measured, against what, and any comparison values.
    public let note: String

    /// "h, errors, fitted order" for failing-test messages.
    public var summary: String {
        "\(name): h \(steps), errors \(errors), fitted \(fit), bootstrap 95% [\(bootstrap95.lowerBound), \(bootstrap95.upperBound)], expected \(expectedOrder)"
    }
}

/// Percentile bootstrap over paths of an order fitted to per-path error samples.
enum PathBootstrap {
    /// `samples[p * levels + l]` is path p's contribution at level l; `aggregate` turns the mean over
    /// (resampled) paths into an error (sqrt for root-mean-square strong errors, abs for weak errors).
    static func errors(_ samples: [Double], paths: Int, levels: Int, indices: [Int]? = nil,
                       aggregate: (Double) -> Double) -> [Double] {
        var sums = [Double](repeating: 0, count: levels)
        for r in 0..<paths {
            let p = indices?[r] ?? r
            for l in 0..<levels { sums[l] += samples[p * levels + l] }
        }
        return sums.map { aggregate($0 / Double(paths)) }
    }

    static func slope(_ h: [Double], _ e: [Double]) -> Double {
        let x = h.map { log($0) }, y = e.map { log(max($0, Double.leastNormalMagnitude)) }
        let mx = x.reduce(0, +) / Double(x.count), my = y.reduce(0, +) / Double(y.count)
        var sxy = 0.0, sxx = 0.0
        for i in x.indices { sxy += (x[i] - mx) * (y[i] - my); sxx += (x[i] - mx) * (x[i] - mx) }
        return sxy / sxx
    }

    /// 2.5% and 97.5% percentiles of the order over `resamples` path resamples (fixed seed).
    static func interval(_ samples: [Double], paths: Int, steps h: [Double], seed: UInt64, resamples: Int = 400,
                         aggregate: (Double) -> Double) -> ClosedRange<Double> {
        var stream = XoshiroRandomStream(seed: seed, index: 0xB007)
        var orders: [Double] = []
        orders.reserveCapacity(resamples)
        var indices = [Int](repeating: 0, count: paths)
        for _ in 0..<resamples {
            for r in 0..<paths { indices[r] = Int(stream.next() % UInt64(paths)) }
            let e = errors(samples, paths: paths, levels: h.count, indices: indices, aggregate: aggregate)
            orders.append(slope(h, e))
        }
        orders.sort()
        let lo = orders[Int(0.025 * Double(resamples - 1))], hi = orders[Int((0.975 * Double(resamples - 1)).rounded(.up))]
        return lo...hi
    }
}
