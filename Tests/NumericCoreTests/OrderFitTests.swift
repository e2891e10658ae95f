import Foundation
import Testing
@testable import NumericCore

@Suite struct OrderFitTests {
    @Test func exactPowerLawGivesItsOrderForAnyRefinementRatio() throws {
        // Ratio 3 and irregular spacing: the slope must still be exactly 2.5.
        for h in [[0.3, 0.1, 1.0 / 30, 1.0 / 90], [0.5, 0.31, 0.17, 0.05, 0.011]] {
            let fit = try OrderFit.fit(steps: h, errors: h.map { 7 * pow($0, 2.5) })
            #expect(abs(fit.order - 2.5) < 1e-12)
            #expect(abs(fit.constant - 7) < 1e-10)
            #expect(fit.rSquared > 1 - 1e-14)
            #expect(fit.ci95.upperBound - fit.ci95.lowerBound < 1e-10)
        }
    }

    /// Noisy synthetic errors with a known slope: across many replicates the 95% interval must cover
    /// the true order about 95% of the time (binomial: 1000 replicates, coverage within 0.93..0.97).
    @Test func confidenceIntervalHasNominalCoverage() throws {
        let stream = RandomStream(seed: 314)
        let h = [0.2, 0.1, 0.05, 0.025, 0.0125, 0.00625]
        var covered = 0
        var orders = [Double]()
        let replicates = 1000
        for _ in 0..<replicates {
            let errors = h.map { 3 * pow($0, 4) * exp(0.1 * stream.gaussian()) }
            let fit = try OrderFit.fit(steps: h, errors: errors)
            if fit.ci95.contains(4) { covered += 1 }
            orders.append(fit.order)
        }
        let coverage = Double(covered) / Double(replicates)
        #expect(coverage > 0.93 && coverage < 0.97, "coverage \(coverage)")
        // The slope estimator is unbiased: its mean is within 4 standard errors of 4. The exact SD of
        // the slope is 0.1 / sqrt(Σ(log h - mean)^2).
        let logs = h.map { log($0) }
        let mean = logs.reduce(0, +) / Double(h.count)
        let sd = 0.1 / logs.reduce(0) { $0 + ($1 - mean) * ($1 - mean) }.squareRoot()
        let meanOrder = orders.reduce(0, +) / Double(replicates)
        #expect(abs(meanOrder - 4) < 4 * sd / Double(replicates).squareRoot())
    }

    @Test func exponentialRateRecoversTheDecay() throws {
        let n: [Double] = [8, 12, 16, 20, 24]
        let fit = try OrderFit.exponentialRate(n: n, errors: n.map { 2 * exp(-1.3 * $0) })
        #expect(abs(fit.order + 1.3) < 1e-12)
    }

    @Test func badInputNamesTheArgument() {
        #expect(throws: InvalidArgument("errors[1]", 0.0, "must be finite and > 0")) {
            try OrderFit.fit(steps: [0.1, 0.05], errors: [1e-3, 0])
        }
        #expect(throws: InvalidArgument("steps.count", 1, "must be >= 2")) {
            try OrderFit.fit(steps: [0.1], errors: [1e-3])
        }
        #expect(throws: InvalidArgument("errors.count", 3, "must equal 2")) {
            try OrderFit.fit(steps: [0.1, 0.05], errors: [1, 2, 3])
        }
    }
}
