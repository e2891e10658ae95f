import Foundation
import NumericCore

/// Closed-form escape laws of MATH.md §6.3–6.4 for Langevin dynamics dX = −V′(X) dτ + √(2 Temp) dW
/// (Notes/escape-laws.md).
public enum EscapeLaws {
    /// Euler's constant γ_E.
    public static let eulerGamma = 0.577_215_664_901_532_9

    /// Linear saddle dX = λX dτ + σ dW from 0, exit from |X| < L (L ≫ σ/√(2λ)): X ≈ e^{λτ}Z with
    /// Z ~ N(0, σ²/(2λ)), so τ_L = ln(L/|Z|)/λ and E τ_L = (1/(2λ))[ln(2λL²/σ²) + γ_E + ln 2].
    public static func linearSaddleMeanExitTime(rate lambda: Double, radius: Double, noise sigma: Double) -> Double {
        (log(2 * lambda * radius * radius / (sigma * sigma)) + eulerGamma + log(2)) / (2 * lambda)
    }

    /// Var τ_L = Var ln|N(0, 1)| / λ² = π²/(8λ²), independent of σ and L.
    public static func linearSaddleExitTimeVariance(rate lambda: Double) -> Double {
        Double.pi * Double.pi / (8 * lambda * lambda)
    }

    /// The exact mean first-passage time from x₀ to b > x₀ of dX = −V′(X)dτ + √(2ε)dW,
    /// T = (1/ε) ∫_{x₀}^{b} e^{V(y)/ε} ∫_{−∞}^{y} e^{−V(z)/ε} dz dy, by the composite trapezoid rule on
    /// `intervals` intervals of [lower, b] (the inner integral from `lower`, where e^{−V/ε} is negligible;
    /// the partial interval at x₀ interpolated). Error O(h²) (Richardson ratio 4 in EscapeLawsTests). The inner integral is kept as
    /// e^{−m(y)/ε}·Î(y) with m the running minimum of V, so that no factor overflows even at ε = 0.01:
    /// the outer integrand is then e^{(V(y) − m(y))/ε}·Î(y), bounded by e^{barrier/ε}.
    public static func meanFirstPassageTime(potential V: (Double) -> Double, temperature epsilon: Double, from x0: Double,
                                            to b: Double, lower: Double, intervals: Int = 200_000) -> Double {
        let h = (b - lower) / Double(intervals)
        var minimum = V(lower)
        var scaledInner = 0.0, outer = 0.0
        var previousTerm = 1.0  // e^{−(V(z) − m)/ε} at the previous node
        var previousValue = 0.0, previousY = lower
        for i in 1...intervals {
            let y = lower + Double(i) * h, v = V(y)
            if v < minimum {
                scaledInner *= exp((v - minimum) / epsilon)
                previousTerm *= exp((v - minimum) / epsilon)
                minimum = v
            }
            let term = exp(-(v - minimum) / epsilon)
            scaledInner += 0.5 * h * (previousTerm + term)
            previousTerm = term
            let value = exp((v - minimum) / epsilon) * scaledInner
            if y > x0 {
                if previousY >= x0 {
                    outer += 0.5 * h * (previousValue + value)
                } else {
                    // The partial interval [x₀, y]: the integrand at x₀ by linear interpolation.
                    let atStart = previousValue + (value - previousValue) * (x0 - previousY) / h
                    outer += 0.5 * (y - x0) * (atStart + value)
                }
            }
            previousValue = value
            previousY = y
        }
        return outer / epsilon
    }

    /// The symmetric double well V = x⁴/4 − x²/2 (minima ±1, saddle 0, barrier 1/4).
    public static func doubleWell(_ x: Double) -> Double { x * x * x * x / 4 - x * x / 2 }

    /// Eyring–Kramers: E τ ≈ (2π/|λ₋(z)|) √(|V″(z)|/V″(m)) e^{(V(z) − V(m))/ε}, for the double well
    /// π√2 e^{1/(4ε)} (the time to cross the saddle; reaching the far minimum adds O(1)).
    public static func doubleWellEyringKramers(temperature epsilon: Double) -> Double {
        Double.pi * 2.0.squareRoot() * exp(1 / (4 * epsilon))
    }
}
