import Foundation
import NumericCore
import Testing
@testable import Stochastic

/// Escape from saddles and wells against the closed-form laws of MATH.md §6.3–6.4.
@Suite struct EscapeLawsTests {
    /// The double-integral quadrature against a closed form: with V = −x (drift +1) the mean passage
    /// time from x₀ to b is b − x₀ at every ε; the trapezoid error is about h²(b − x₀)/(12ε²) ≈ 2e-6 at
    /// ε = 0.05 (h = 1.6e-4).
    @Test func meanFirstPassageQuadratureIsExactForConstantDrift() {
        for epsilon in [0.05, 0.3, 1.0] {
            let t = EscapeLaws.meanFirstPassageTime(potential: { -$0 }, temperature: epsilon, from: -0.5, to: 1.5, lower: -30)
            #expect(abs(t - 2) < 1e-5, "ε = \(epsilon): \(t)")
        }
    }

    /// The composite trapezoid rule is second order: on the double well at ε = 0.1 from the minimum −1 to
    /// 0.5 (inner integral from −3, x₀ on a node), the differences of successive halvings of h shrink by 4
    /// (Richardson). (From −1 to 1 the end derivatives are equal by symmetry, the h² term of the
    /// Euler–Maclaurin expansion cancels, and the ratio is 16.)
    @Test func meanFirstPassageQuadratureIsSecondOrder() {
        let t = [700, 1400, 2800].map {
            EscapeLaws.meanFirstPassageTime(potential: EscapeLaws.doubleWell, temperature: 0.1, from: -1, to: 0.5, lower: -3, intervals: $0)
        }
        let ratio = (t[0] - t[1]) / (t[1] - t[2])
        #expect(abs(ratio - 4) < 0.2, "differences \(t[0] - t[1]), \(t[1] - t[2]), ratio \(ratio)")
    }

    /// Eyring–Kramers is the small-ε limit of the exact mean transition time: the ratio tends to 1
    /// (the prefactor's correction is O(ε)), and is off by some ten percent at ε = 0.1.
    @Test func eyringKramersIsTheSmallTemperatureLimit() {
        let ratios = [0.1, 0.05, 0.02, 0.01].map { eps in
            EscapeLaws.meanFirstPassageTime(potential: EscapeLaws.doubleWell, temperature: eps, from: -1, to: 1, lower: -3)
                / EscapeLaws.doubleWellEyringKramers(temperature: eps)
        }
        #expect(zip(ratios, ratios.dropFirst()).allSatisfy { abs($1 - 1) < abs($0 - 1) }, "\(ratios)")
        #expect(abs(ratios.last! - 1) < 0.05, "\(ratios)")
    }

    /// Linear saddle, λ = 1, L = 1, σ from 0.1 to 10⁻⁴ (Temp = σ²/2 over six decades): the mean exit
    /// time against (1/2λ)[ln(2λL²/σ²) + γ_E + ln 2] (4 standard errors plus 1% for Euler's O(Δτ)
    /// bias), the variance against π²/(8λ²) (15%: the sample variance of 2000 exit times), and the
    /// slope against ln(1/Temp) against 1/(2λ).
    @Test func linearSaddleExitTimesFollowTheLogarithmicLaw() throws {
        let study = try LinearSaddleEscape(rate: 1, radius: 1, temperatures: [5e-3, 5e-5, 5e-7, 5e-9], timeStepFraction: 2e-3)
        let result = try study.run(paths: 2000, seed: 11)
        for row in result.rows {
            #expect(abs(row.meanEscapeTime - row.theoryMeanEscapeTime) < 4 * row.stderr + 0.01 * row.theoryMeanEscapeTime,
                    "Temp \(row.temperature): \(row.meanEscapeTime) ± \(row.stderr), theory \(row.theoryMeanEscapeTime)")
            #expect(abs(row.variance / row.theoryVariance - 1) < 0.15, "Temp \(row.temperature): variance \(row.variance)")
            #expect(row.escapeProbability == 1)
        }
        #expect(abs(result.fittedSlope - result.theorySlope) < 0.02, "slope \(result.fittedSlope) \(result.slopeCI95)")
        #expect(result.slopeCI95.lowerBound < result.fittedSlope && result.fittedSlope < result.slopeCI95.upperBound)
    }

    /// Double well at ε = 0.1 and 0.07: the mean transition time from −1 to +1 against the exact double
    /// integral (3 standard errors plus 6% for the step Δτ = 0.005 and the grid-time monitoring).
    @Test func doubleWellTransitionTimeMatchesTheDoubleIntegral() throws {
        let rows = try DoubleWellEscape(temperatures: [0.1, 0.07], timeStep: 0.005).run(paths: 800, seed: 12)
        for row in rows {
            #expect(abs(row.meanEscapeTime - row.theoryMeanEscapeTime) < 3 * row.stderr + 0.06 * row.theoryMeanEscapeTime,
                    "ε = \(row.temperature): \(row.meanEscapeTime) ± \(row.stderr), exact \(row.theoryMeanEscapeTime)")
        }
    }

    /// Hajek's cooling on a tilted double well: P(end in the global well) at τ = 200 from the local
    /// minimum follows the two-state master equation with Eyring–Kramers rates at Temp(τ) (3 standard
    /// errors plus 0.04, Kramers' prefactor error at these temperatures), and grows with c.
    @Test func annealedDoubleWellFollowsTheTwoStateKramersPrediction() throws {
        let study = try AnnealedDoubleWell(tilt: 0.1, constants: [0.1, 0.2, 0.4], horizon: 200, timeStep: 0.01)
        #expect(abs(study.depth - (study.potential(study.saddle) - study.potential(study.localMinimum))) < 1e-15)
        #expect(study.globalDepth > study.depth)
        let rows = try study.run(paths: 600, seed: 13)
        for row in rows {
            #expect(abs(row.globalProbability - row.theoryGlobalProbability) < 3 * row.stderr + 0.04,
                    "c = \(row.constant): \(row.globalProbability) ± \(row.stderr), two-state \(row.theoryGlobalProbability)")
        }
        #expect(zip(rows, rows.dropFirst()).allSatisfy { $0.globalProbability < $1.globalProbability })
    }
}
