import Foundation
import NumericCore

/// The covariance operator Q of a Q-Wiener process W^Q = Σ √q_k β_k e_k, diagonal in the problem's
/// spectral basis e_k (Notes/q-wiener-increments.md). A mode's increment over Δτ is √(q_k Δτ) ξ_k.
/// Space–time white noise (Q = I) is trace class only in the limit it is never taken: every scheme
/// uses the J modes of its grid.
public enum QWienerCovariance: Sendable {
    /// q_k = 1 (cylindrical Wiener process).
    case white
    /// q_k = (1 + |κ_k|²)^(−r): trace class in d dimensions for r > d/2; the stochastic convolution of
    /// α∆ then has spatial regularity r + 1 − d/2 − ε in L²-Sobolev sense (Notes/q-wiener-increments.md).
    case traceClass(regularity: Double)
    /// The user's q for each mode, from the mode's numbers and |κ|².
    case custom(@Sendable (SpectralMode) -> Double)

    /// q for `mode`, or an `InvalidArgument` naming the mode if it is negative or not finite.
    func eigenvalue(_ mode: SpectralMode) throws -> Double {
        let q: Double
        switch self {
        case .white: q = 1
        case .traceClass(let r): q = pow(1 + mode.wavenumberSquared, -r)
        case .custom(let f): q = f(mode)
        }
        guard q.isFinite, q >= 0 else {
            throw InvalidArgument("noise eigenvalue q at mode (\(mode.x), \(mode.y)) of component \(mode.component)", q,
                                  "must be finite and >= 0")
        }
        return q
    }
}

/// A spectral mode as the noise covariance sees it: its component, its mode numbers along x and y (mode
/// order of `SpectralBasis`) and |κ|².
public struct SpectralMode: Sendable {
    public let component: Int
    public let x: Int
    public let y: Int
    public let wavenumberSquared: Double
}
