import Foundation
import NumericCore

/// Errors of one measure (strong or weak) at every level of a convergence study, with their standard
/// errors, the least-squares order and its bootstrap interval over paths.
public struct StudyErrorCurve: Sendable {
    /// One error per level, coarse to fine (the order of `ConvergenceStudy.levels`).
    public let errors: [Double]
    /// The standard error of each error over paths: for the strong error e = (mean s)^{1/2} by the
    /// delta method, sd(s)/(2e√M) with s the per-path squared errors; for the weak error sd(d)/√M with
    /// d the per-path differences (or values, against an exact expectation).
    public let standardErrors: [Double]
    /// The least-squares fit error ≈ C h^order (`OrderFit`, with its regression t-interval), or nil if
    /// an error is zero or not finite (no logarithm) or fewer than two paths succeeded.
    public let fit: OrderFit?
    /// Percentile bootstrap 95% interval of the order: the paths are resampled with replacement
    /// (`ConvergenceStudy.resamples` times, seeded by the study's seed) and the whole error curve is
    /// recomputed per resample. Nil when `fit` is nil.
    public let bootstrap95: ClosedRange<Double>?

    /// The order, or NaN without a fit.
    public var order: Double { fit?.order ?? .nan }
}

/// What `solve(_:_:)` returns for a `ConvergenceStudy`: per level the step size the order is fitted
/// against, the strong and weak error curves, and how many paths failed.
public struct ConvergenceStudyResult: Sendable {
    public let levels: [StudyResolution]
    /// h per level: T/steps (time refinement) or 1/J (mode refinement).
    public let stepSizes: [Double]
    public let refinement: ConvergenceStudy.Refinement
    /// Nil when the reference is an exact expectation (no path to compare with).
    public let strong: StudyErrorCurve?
    /// Nil when the study has no weak functional.
    public let weak: StudyErrorCurve?
    public let paths: Int
    /// Paths on which the reference or any level failed (nil from the solver, or a non-finite value):
    /// excluded from every level, so the levels stay coupled.
    public let failedPaths: Int
    public let seed: UInt64

    /// Paths the errors are computed from.
    public var usedPaths: Int { paths - failedPaths }

    /// A human table: one row per level (resolution, h, strong error ± standard error, weak error ±
    /// standard error), then the fitted orders with their bootstrap intervals and the failed paths.
    public var table: String {
        func cell(_ curve: StudyErrorCurve?, _ l: Int) -> String {
            guard let curve else { return String(repeating: " ", count: 23) }
            return String(format: "%.4e ± %.1e", curve.errors[l], curve.standardErrors[l])
        }
        var lines = [String(format: "%-22@ %10@  %-23@  %-23@", "level" as NSString, "h" as NSString,
                            "strong error" as NSString, "weak error" as NSString)]
        for (l, level) in levels.enumerated() {
            lines.append(String(format: "%-22@ %10.4g  %@  %@", level.description as NSString, stepSizes[l],
                                cell(strong, l) as NSString, cell(weak, l) as NSString))
        }
        for (name, curve) in [("strong", strong), ("weak", weak)] {
            guard let curve else { continue }
            if let fit = curve.fit, let interval = curve.bootstrap95 {
                lines.append(String(format: "%@ order %.3f, bootstrap 95%% [%.3f, %.3f], regression 95%% [%.3f, %.3f]",
                                    name as NSString, fit.order, interval.lowerBound, interval.upperBound,
                                    fit.ci95.lowerBound, fit.ci95.upperBound))
            } else {
                lines.append("\(name) order: no fit (an error is zero or not finite)")
            }
        }
        lines.append("paths \(paths), failed \(failedPaths)")
        return lines.joined(separator: "\n")
    }

    /// Assembles the result from the per-path samples of `solve(_:_:)`: `squared[p·L + l]` (strong),
    /// `differences[p·L + l]` (weak) and `failed[p]`.
    @usableFromInline
    init(study: ConvergenceStudy, horizon: Double, squared: [Double], differences: [Double], failed: [UInt8]) {
        let levelCount = study.levels.count
        let refinement = study.refinement ?? .time
        levels = study.levels
        self.refinement = refinement
                let paths = study.paths, failedPaths = failed.reduce(0) { $0 + Int($1) }
        self.paths = paths
        seed = study.seed
        self.failedPaths = failedPaths
        /// The samples of the paths that succeeded, in path order.
        func kept(_ samples: [Double]) -> [Double] {
            guard failedPaths > 0 else { return samples }
            var out: [Double] = []
            out.reserveCapacity((paths - failedPaths) * levelCount)
            for p in 0..<paths where failed[p] == 0 { out.append(contentsOf: samples[(p * levelCount)..<((p + 1) * levelCount)]) }
            return out
        }
        let used = paths - failedPaths
        let h = study.levels.map { refinement == .modes ? 1 / Double($0.modes ?? 1) : horizon / Double($0.steps) }
        func curve(_ samples: [Double], isStrong: Bool, aggregate: @escaping (Double) -> Double) -> StudyErrorCurve {
            guard used >= 2 else {
                let nan = [Double](repeating: .nan, count: levelCount)
                return StudyErrorCurve(errors: nan, standardErrors: nan, fit: nil, bootstrap95: nil)
            }
            let errors = PathBootstrap.errors(samples, paths: used, levels: levelCount, aggregate: aggregate)
            let standardErrors = (0..<levelCount).map { l in
                let level = (0..<used).map { samples[$0 * levelCount + l] }
                let spread = SampleStatistics(name: "", values: level).standardError
                return isStrong ? spread / (2 * errors[l]) : spread
            }
            let fit = try? OrderFit.fit(steps: h, errors: errors)
            let interval = fit.map { _ in
                PathBootstrap.interval(samples, paths: used, steps: h, seed: study.seed, resamples: study.resamples, aggregate: aggregate)
            }
            return StudyErrorCurve(errors: errors, standardErrors: standardErrors, fit: fit, bootstrap95: interval)
        }
        stepSizes = h
        strong = study.measuresStrongError ? curve(kept(squared), isStrong: true) { $0.squareRoot() } : nil
        if study.weakFunctional != nil {
            var exact = 0.0
            if case .exactExpectation(let value) = study.reference { exact = value }
            weak = curve(kept(differences), isStrong: false) { abs($0 - exact) }
        } else {
            weak = nil
        }
    }
}
