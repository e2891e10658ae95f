import Foundation
import NumericCore

/// The L²-orthonormal trigonometric basis of one axis of length L, chosen by the boundary conditions,
/// with its collocation nodes and the FFTW transforms between n node values and n coefficients
/// (Notes/spectral-bases.md). Every basis function is an eigenfunction of d²/dx² with eigenvalue −κ².
///
/// | basis | ends | functions (slot j) | κ | nodes | transform |
/// |---|---|---|---|---|---|
/// | periodic | u(0) = u(L) | 1, cos, sin, (Nyquist cos) | 2πf/L | kL/n | R2HC / HC2R |
/// | neumann | u' = 0, u' = 0 | cos(jπx/L) | jπ/L | (k+½)L/n | DCT-II / DCT-III |
/// | dirichlet | u = 0, u = 0 | sin((j+1)πx/L) | (j+1)π/L | (k+1)L/(n+1) | DST-I |
/// | dirichlet-neumann | u = 0, u' = 0 | sin((j+½)πx/L) | (j+½)π/L | (k+½)L/n | DST-IV |
/// | neumann-dirichlet | u' = 0, u = 0 | cos((j+½)πx/L) | (j+½)π/L | (k+½)L/n | DCT-IV |
///
/// Coefficients are stored in FFTW's slot order. The periodic slots are half-complex: slot 0 the mean,
/// slot f (0 < f < n/2) the cosine of frequency f, slot n − f its sine, slot n/2 (even n) the Nyquist
/// cosine. The "mode order" j = 0, 1, 2, ... lists the functions by increasing κ (periodic: 1, cos 1,
/// sin 1, cos 2, ...), so that the first J modes of a grid of n ≥ J points are the same functions for
/// every n: nested mode sets share their noise (Notes/convergence-studies.md).
public enum SpectralBasis: String, Sendable, CaseIterable, Codable {
    case periodic
    case neumann
    case dirichlet
    case dirichletNeumann = "dirichlet-neumann"
    case neumannDirichlet = "neumann-dirichlet"

    /// Node spacing: L/(n + 1) for Dirichlet (interior nodes), L/n otherwise.
    public func spacing(count n: Int, length: Double) -> Double {
        self == .dirichlet ? length / Double(n + 1) : length / Double(n)
    }

    /// Node k of n.
    public func node(_ k: Int, count n: Int, length: Double) -> Double {
        let h = spacing(count: n, length: length)
        switch self {
        case .periodic: return Double(k) * h
        case .dirichlet: return Double(k + 1) * h
        case .neumann, .dirichletNeumann, .neumannDirichlet: return (Double(k) + 0.5) * h
        }
    }

    /// FFTW kind from node values to (unscaled) coefficients, and back.
    var forwardKind: RealTransform.Kind {
        switch self {
        case .periodic: return .halfComplexForward
        case .neumann: return .dctII
        case .dirichlet: return .dstI
        case .dirichletNeumann: return .dstIV
        case .neumannDirichlet: return .dctIV
        }
    }

    var inverseKind: RealTransform.Kind { forwardKind.inverse }

    /// The frequency f of periodic slot s (f = s up to n/2, n − s beyond).
    static func periodicFrequency(slot s: Int, count n: Int) -> Int { 2 * s <= n ? s : n - s }

    /// True for the periodic sine slots n − f, 0 < f < n/2.
    static func isPeriodicSine(slot s: Int, count n: Int) -> Bool { 2 * s > n }

    /// True for the Nyquist cosine of an even periodic grid (slot n/2), which has no sine partner.
    public func isNyquist(slot s: Int, count n: Int) -> Bool { self == .periodic && n % 2 == 0 && 2 * s == n }

    /// The wavenumber κ ≥ 0 of slot s: the function is an eigenfunction of d²/dx² with eigenvalue −κ².
    public func wavenumber(slot s: Int, count n: Int, length: Double) -> Double {
        switch self {
        case .periodic: return 2 * Double.pi * Double(Self.periodicFrequency(slot: s, count: n)) / length
        case .neumann: return Double(s) * Double.pi / length
        case .dirichlet: return Double(s + 1) * Double.pi / length
        case .dirichletNeumann, .neumannDirichlet: return (Double(s) + 0.5) * Double.pi / length
        }
    }

    /// The slot of mode j (mode order: increasing κ; see the type's documentation).
    public func slot(ofMode j: Int, count n: Int) -> Int {
        guard self == .periodic, j > 0 else { return j }
        return j % 2 == 1 ? (j + 1) / 2 : n - j / 2
    }

    /// The mode of slot s: the inverse of `slot(ofMode:count:)`.
    public func mode(ofSlot s: Int, count n: Int) -> Int {
        guard self == .periodic, s > 0 else { return s }
        let f = Self.periodicFrequency(slot: s, count: n)
        return Self.isPeriodicSine(slot: s, count: n) ? 2 * f : 2 * f - 1
    }

    /// The orthonormal coefficient is `forwardScale` × FFTW's forward output in this slot.
    func forwardScale(slot s: Int, count n: Int, length: Double) -> Double {
        let h = spacing(count: n, length: length), L = length
        switch self {
        case .periodic:
            if s == 0 || isNyquist(slot: s, count: n) { return h / L.squareRoot() }
            return (Self.isPeriodicSine(slot: s, count: n) ? -h : h) * (2 / L).squareRoot()
        case .neumann:
            return s == 0 ? h / (2 * L.squareRoot()) : h * (2 / L).squareRoot() / 2
        case .dirichlet, .dirichletNeumann, .neumannDirichlet:
            return h * (2 / L).squareRoot() / 2
        }
    }

    /// FFTW's inverse input in this slot is `inverseScale` × the orthonormal coefficient.
    func inverseScale(slot s: Int, count n: Int, length: Double) -> Double {
        let L = length
        switch self {
        case .periodic:
            if s == 0 || isNyquist(slot: s, count: n) { return 1 / L.squareRoot() }
            return (Self.isPeriodicSine(slot: s, count: n) ? -1 : 1) / (2 * L).squareRoot()
        case .neumann:
            return s == 0 ? 1 / L.squareRoot() : 1 / (2 * L).squareRoot()
        case .dirichlet, .dirichletNeumann, .neumannDirichlet:
            return 1 / (2 * L).squareRoot()
        }
    }

    /// The basis function of slot s at x (L²(0, L)-orthonormal).
    public func function(slot s: Int, count n: Int, length: Double, at x: Double) -> Double {
        let L = length, amplitude = (2 / L).squareRoot()
        let kx = wavenumber(slot: s, count: n, length: L) * x
        switch self {
        case .periodic:
            if s == 0 { return 1 / L.squareRoot() }
            if isNyquist(slot: s, count: n) { return cos(kx) / L.squareRoot() }
            return amplitude * (Self.isPeriodicSine(slot: s, count: n) ? sin(kx) : cos(kx))
        case .neumann: return s == 0 ? 1 / L.squareRoot() : amplitude * cos(kx)
        case .dirichlet, .dirichletNeumann: return amplitude * sin(kx)
        case .neumannDirichlet: return amplitude * cos(kx)
        }
    }

    /// The periodic slot whose function is the derivative partner of slot s (cos f ↔ sin f), or nil for
    /// the mean and the Nyquist cosine, whose spectral derivative is zero.
    func derivativePartner(slot s: Int, count n: Int) -> Int? {
        guard self == .periodic, s != 0, !isNyquist(slot: s, count: n) else { return nil }
        return n - s
    }
}
