import CFFTW
import Foundation

/// Spectral differentiation of periodic data: n equispaced samples v_j = f(jL/n), j = 0..<n, of an
/// L-periodic function, differentiated through the real FFT (r2c, multiply by (ik·2π/L)^m, c2r).
///
/// Exact (to round-off) for trigonometric polynomials of degree < n/2; exponentially accurate for
/// periodic analytic functions. For odd derivative orders and even n the Nyquist coefficient is set to
/// zero (its derivative is not real-representable on the grid); for even orders it is kept. Cost two
/// real FFTs of n points, O(n log n). Thread-safe; plans come from `FFTWPlanCache`.
public struct FourierDifferentiation: Sendable {
    public let count: Int
    public let period: Double
    @usableFromInline let forwardPlan: FFTWPlan
    @usableFromInline let backwardPlan: FFTWPlan

    /// Throws `InvalidArgument` for count < 1 or a non-positive period.
    public init(count: Int, period: Double = 2 * Double.pi) throws {
        try Validate.positive(count, "count")
        try Validate.positive(period, "period")
        self.count = count
        self.period = period
        forwardPlan = FFTWPlanCache.plan(.realToComplex, count: count, inPlace: false)
        backwardPlan = FFTWPlanCache.plan(.complexToReal, count: count, inPlace: false)
    }

    /// The `order`-th derivative (order >= 1) of the periodic interpolant of `values` at the grid points.
    /// Throws `InvalidArgument` for a wrong count or order < 1.
    public func derivative(of values: [Double], order: Int = 1) throws -> [Double] {
        try Validate.count(values.count, count, "values")
        try Validate.atLeast(order, 1, "order")
        let modes = count / 2 + 1
        var spectrum = [Double](repeating: 0, count: 2 * modes)
        var result = [Double](repeating: 0, count: count)
        var input = values
        input.withUnsafeMutableBufferPointer { v in
            spectrum.withUnsafeMutableBufferPointer { s in
                s.withMemoryRebound(to: fftw_complex.self) { complex in
                    fftw_execute_dft_r2c(forwardPlan.plan, v.baseAddress, complex.baseAddress)
                }
                let wavenumber = 2 * Double.pi / period
                let normalisation = 1 / Double(count)
                for k in 0..<modes {
                    let re = s[2 * k], im = s[2 * k + 1]
                    if count % 2 == 0 && k == count / 2 && order % 2 == 1 {
                        s[2 * k] = 0
                        s[2 * k + 1] = 0
                        continue
                    }
                    // (i ω)^m = ω^m i^m, with i^m cycling through 1, i, −1, −i.
                    let magnitude = pow(wavenumber * Double(k), Double(order)) * normalisation
                    switch order % 4 {
                    case 0: s[2 * k] = magnitude * re; s[2 * k + 1] = magnitude * im
                    case 1: s[2 * k] = -magnitude * im; s[2 * k + 1] = magnitude * re
                    case 2: s[2 * k] = -magnitude * re; s[2 * k + 1] = -magnitude * im
                    default: s[2 * k] = magnitude * im; s[2 * k + 1] = -magnitude * re
                    }
                }
                result.withUnsafeMutableBufferPointer { r in
                    s.withMemoryRebound(to: fftw_complex.self) { complex in
                        fftw_execute_dft_c2r(backwardPlan.plan, complex.baseAddress, r.baseAddress)
                    }
                }
            }
        }
        return result
    }
}
