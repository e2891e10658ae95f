import NumericCore

/// The linear part A of a semilinear SPDE, diagonal in every spectral basis: for component c,
/// A = α_c ∆ − λ_c − β_c ∆², so mode κ decays at the rate μ_c(κ) = α_c|κ|² + λ_c + β_c|κ|⁴ (û' = −μû).
/// β > 0 gives a fourth-order term (Cahn–Hilliard; Swift–Hohenberg −(1 + ∆)² is α = −2, λ = 1, β = 1).
/// Each array has one entry (shared by all components) or one per component.
public struct SpectralOperator: Sendable, Equatable {
    /// How ∆ acts on a mode of wavenumber κ along an axis of node spacing h.
    public enum LaplacianSymbol: String, Sendable, Codable {
        /// −κ²: the Laplacian of the continuous equation (spectral Galerkin).
        case spectral
        /// −(4/h²) sin²(κh/2): the three-point second difference on the basis's nodes, diagonalised
        /// by the same transform (the path-graph Laplacian of a discrete action, MATH.md §2.3).
        case secondDifference
    }

    public let diffusion: [Double]
    public let decay: [Double]
    public let hyperdiffusion: [Double]
    public let laplacian: LaplacianSymbol

    /// Throws `InvalidArgument` for non-finite coefficients, β < 0, or α < 0 without β > 0 (an operator
    /// whose rates are unbounded below is ill-posed).
    public init(diffusion: [Double], decay: [Double] = [0], hyperdiffusion: [Double] = [0], laplacian: LaplacianSymbol = .spectral) throws {
        for (name, values) in [("diffusion", diffusion), ("decay", decay), ("hyperdiffusion", hyperdiffusion)] {
            guard !values.isEmpty else { throw InvalidArgument("\(name).count", 0, "must be >= 1") }
            try Validate.finite(values, name)
        }
        for c in 0..<max(diffusion.count, hyperdiffusion.count) {
            let beta = hyperdiffusion[min(c, hyperdiffusion.count - 1)], alpha = diffusion[min(c, diffusion.count - 1)]
            guard beta >= 0 else { throw InvalidArgument("hyperdiffusion[\(c)]", beta, "must be >= 0") }
            guard alpha >= 0 || beta > 0 else {
                throw InvalidArgument("diffusion[\(c)]", alpha, "must be >= 0 unless a hyperdiffusion β > 0 bounds the rates below")
            }
        }
        self.diffusion = diffusion
        self.decay = decay
        self.hyperdiffusion = hyperdiffusion
        self.laplacian = laplacian
    }

    /// α∆ − λ with the same α, λ for every component.
    public init(diffusion: Double, decay: Double = 0, laplacian: LaplacianSymbol = .spectral) throws {
        try self.init(diffusion: [diffusion], decay: [decay], laplacian: laplacian)
    }

    /// The decay rate μ_c = α_c|κ|² + λ_c + β_c|κ|⁴ of a mode with |κ|² = `wavenumberSquared` (the
    /// symbol of −∆ for this operator's `laplacian`: `SpectralGrid.laplacianSymbol`).
    public func rate(component c: Int, wavenumberSquared k2: Double) -> Double {
        func entry(_ a: [Double]) -> Double { a[min(c, a.count - 1)] }
        return entry(diffusion) * k2 + entry(decay) + entry(hyperdiffusion) * k2 * k2
    }
}
