@preconcurrency import CGSL

/// A least-squares fit of log(error) = log(C) + order · log(h): the observed convergence order with a
/// 95% confidence interval. Derivation and the statistics: Notes/order-fit.md.
///
/// Works for any refinement ratio and unequal spacing (the slope of a regression line, not the mean
/// of log2 ratios, which assumes halving). The interval is the t-interval of the regression slope,
/// order ± t_{0.975, n-2} · SE, where SE = sqrt(RSS/(n-2) / Σ(x - x̄)^2); it is zero-width-free only
/// for n >= 3 points (for n = 2 the interval is reported as (-inf, +inf)).
public struct OrderFit: Sendable, Equatable, CustomStringConvertible {
    /// Fitted slope of log(error) against log(h) (or against `n` for `exponentialRate`).
    public let order: Double
    /// Fitted constant C in error ≈ C · h^order.
    public let constant: Double
    public let standardError: Double
    /// 95% confidence interval of `order`.
    public let ci95: ClosedRange<Double>
    /// Coefficient of determination of the log-log regression.
    public let rSquared: Double
    public let points: Int

    public var description: String {
        func f(_ x: Double) -> String { String(format: "%.3f", x) }
        return "order \(f(order)) (95% CI [\(f(ci95.lowerBound)), \(f(ci95.upperBound))], R^2 \(f(rSquared)), \(points) points)"
    }

    /// Fits error ≈ C h^order. Throws `InvalidArgument` for fewer than two points, mismatched lengths,
    /// or a non-positive or non-finite h or error (the logarithm would not exist).
    public static func fit(steps h: [Double], errors: [Double]) throws -> OrderFit {
        try Validate.count(errors.count, h.count, "errors")
        try Validate.atLeast(h.count, 2, "steps.count")
        for (i, value) in h.enumerated() where !(value.isFinite && value > 0) {
            throw InvalidArgument("steps[\(i)]", value, "must be finite and > 0")
        }
        for (i, value) in errors.enumerated() where !(value.isFinite && value > 0) {
            throw InvalidArgument("errors[\(i)]", value, "must be finite and > 0")
        }
        let line = regression(x: h.map { log($0) }, y: errors.map { log($0) })
        return OrderFit(line, constant: exp(line.intercept))
    }

    /// Fits error ≈ C exp(rate · n) for spectral methods (`order` holds the rate, negative for decay):
    /// the regression of log(error) on n itself.
    public static func exponentialRate(n: [Double], errors: [Double]) throws -> OrderFit {
        try Validate.count(errors.count, n.count, "errors")
        try Validate.atLeast(n.count, 2, "n.count")
        try Validate.finite(n, "n")
        for (i, value) in errors.enumerated() where !(value.isFinite && value > 0) {
            throw InvalidArgument("errors[\(i)]", value, "must be finite and > 0")
        }
        let line = regression(x: n, y: errors.map { log($0) })
        return OrderFit(line, constant: exp(line.intercept))
    }

    private init(_ line: Line, constant: Double) {
        order = line.slope
        self.constant = constant
        standardError = line.slopeStandardError
        let n = line.points
        if n > 2 {
            GSLErrorBridge.ensureInstalled()
            let t = gsl_cdf_tdist_Pinv(0.975, Double(n - 2))
            ci95 = (line.slope - t * line.slopeStandardError)...(line.slope + t * line.slopeStandardError)
        } else {
            ci95 = -Double.infinity...Double.infinity
        }
        rSquared = line.rSquared
        points = n
    }

    private struct Line {
        var slope, intercept, slopeStandardError, rSquared: Double
        var points: Int
    }

    private static func regression(x: [Double], y: [Double]) -> Line {
        let n = Double(x.count)
        let mx = x.reduce(0, +) / n, my = y.reduce(0, +) / n
        var sxx = 0.0, sxy = 0.0, syy = 0.0
        for i in x.indices {
            sxx += (x[i] - mx) * (x[i] - mx)
            sxy += (x[i] - mx) * (y[i] - my)
            syy += (y[i] - my) * (y[i] - my)
        }
        let slope = sxx > 0 ? sxy / sxx : .nan
        let intercept = my - slope * mx
        var rss = 0.0
        for i in x.indices {
            let r = y[i] - intercept - slope * x[i]
            rss += r * r
        }
        let se = x.count > 2 ? (rss / (n - 2) / sxx).squareRoot() : .infinity
        let r2 = syy > 0 ? 1 - rss / syy : 1
        return Line(slope: slope, intercept: intercept, slopeStandardError: se, rSquared: r2, points: x.count)
    }
}

import Foundation
