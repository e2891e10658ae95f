import Foundation
import NumericCore

/// The stochastic heat (reaction–diffusion) equation on (0, L):
///   du = (α u_tt − λ u + f(u)) dτ + σ dW(τ, t),
/// with Neumann (u_t = 0) or Dirichlet (u = 0) ends and W a Q-Wiener process whose covariance shares the
/// Laplacian's eigenfunctions: space–time white noise (Q = I) or trace class with eigenvalues q_j.
/// The mathematics only; discretisations are `HeatScheme` values (MATH.md §2.3–2.4, V7;
/// Notes/spectral-galerkin-heat-equation.md).
///
/// Modes, L²-orthonormal, indexed from 0:
/// - Neumann: e_0 = 1/√L, e_j = √(2/L) cos(jπt/L), eigenvalue μ_j = α(jπ/L)² + λ.
/// - Dirichlet: index j is e = √(2/L) sin((j + 1)πt/L), μ_j = α((j + 1)π/L)² + λ.
/// With f = 0 each mode is an OU process dû_j = −μ_j û_j dτ + σ√q_j dβ_j.
public struct StochasticHeatEquation: Sendable {
    public enum Boundary: String, Sendable, CaseIterable { case neumann, dirichlet }

    /// The spatial covariance of the noise.
    public enum SpatialNoise: Sendable, Equatable {
        /// Q = I (cylindrical Wiener process): every mode is driven with unit intensity.
        case white
        /// Q e_j = q_j e_j; modes beyond the given eigenvalues receive no noise.
        case traceClass(eigenvalues: [Double])
    }

    public let length: Double
    public let diffusivity: Double
    public let decay: Double
    public let noiseAmplitude: Double
    public let boundary: Boundary
    public let noise: SpatialNoise
    /// The pointwise reaction f(u), or nil for the linear equation.
    public let reaction: (@Sendable (Double) -> Double)?
    /// u(0, t), or nil for u(0) = 0.
    public let initialValue: (@Sendable (Double) -> Double)?

    /// Throws `InvalidArgument` for a non-positive length or diffusivity, negative decay (with Neumann
    /// ends, λ = 0 leaves mode 0 a Brownian motion: allowed, it has no stationary law) or negative q_j.
    public init(length: Double = 1, diffusivity: Double, decay: Double, noiseAmplitude: Double,
                boundary: Boundary = .neumann, noise: SpatialNoise = .white,
                reaction: (@Sendable (Double) -> Double)? = nil, initialValue: (@Sendable (Double) -> Double)? = nil) throws {
        try Validate.positive(length, "length")
        try Validate.positive(diffusivity, "diffusivity")
        guard decay.isFinite, decay >= 0 else { throw InvalidArgument("decay", decay, "must be finite and >= 0") }
        try Validate.finite([noiseAmplitude], "noiseAmplitude")
        if case .traceClass(let q) = noise {
            for (j, value) in q.enumerated() where !(value.isFinite && value >= 0) {
                throw InvalidArgument("noise eigenvalue q[\(j)]", value, "must be finite and >= 0")
            }
        }
        self.length = length
        self.diffusivity = diffusivity
        self.decay = decay
        self.noiseAmplitude = noiseAmplitude
        self.boundary = boundary
        self.noise = noise
        self.reaction = reaction
        self.initialValue = initialValue
    }

    /// The same equation as a `SemilinearSPDE` (one axis, the Neumann cosine or Dirichlet sine basis):
    /// the spectral `HeatScheme`s run on it.
    public var semilinear: SemilinearSPDE {
        get throws {
            let covariance: QWienerCovariance
            switch noise {
            case .white: covariance = .white
            case .traceClass(let q): covariance = .custom { mode in mode.x < q.count ? q[mode.x] : 0 }
            }
            var nonlinearity: SPDENonlinearity?
            if let reaction { nonlinearity = .pointwise(reaction) }
            var start: (@Sendable (Int, Double, Double) -> Double)?
            if let initialValue { start = { _, x, _ in initialValue(x) } }
            let basis: SpectralBasis = boundary == .neumann ? .neumann : .dirichlet
            return try SemilinearSPDE(boundaries: [basis], lengths: [length],
                                      linearPart: SpectralOperator(diffusion: diffusivity, decay: decay), nonlinearity: nonlinearity,
                                      noise: SPDENoise(amplitude: noiseAmplitude, covariance: covariance), initialValue: start)
        }
    }

    /// The wavenumber index of mode j (j for Neumann, j + 1 for Dirichlet).
    public func wavenumber(mode j: Int) -> Int { boundary == .neumann ? j : j + 1 }

    /// μ_j = α(kπ/L)² + λ, k = `wavenumber(mode: j)`.
    public func eigenvalue(mode j: Int) -> Double {
        let k = Double(wavenumber(mode: j)) * Double.pi / length
        return diffusivity * k * k + decay
    }

    /// √q_j (1 for white noise).
    public func noiseWeight(mode j: Int) -> Double {
        switch noise {
        case .white: return 1
        case .traceClass(let q): return j < q.count ? q[j].squareRoot() : 0
        }
    }

    /// The stationary variance σ² q_j/(2μ_j) of mode j for f = 0 (infinite when μ_j = 0).
    public func stationaryModeVariance(mode j: Int) -> Double {
        let w = noiseWeight(mode: j)
        return noiseAmplitude * noiseAmplitude * w * w / (2 * eigenvalue(mode: j))
    }

    /// E Σ_{j<J} û_j(τ)² for f = 0 and u(0) = 0: Σ_j σ² q_j (1 − e^{−2μ_jτ})/(2μ_j), the exact expected
    /// energy of the first J modes of the solution (nil if there is a reaction or an initial value).
    public func expectedModeEnergy(at tau: Double, modes: Int) -> Double? {
        guard reaction == nil, initialValue == nil else { return nil }
        var sum = 0.0
        for j in 0..<modes {
            let mu = eigenvalue(mode: j), w = noiseWeight(mode: j)
            let growth = mu > 0 ? -expm1(-2 * mu * tau) / (2 * mu) : tau
            sum += noiseAmplitude * noiseAmplitude * w * w * growth
        }
        return sum
    }
}
