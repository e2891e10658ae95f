import Foundation
import NumericCore

/// A semilinear stochastic PDE on an interval or a rectangle,
///   du = (A u + F(τ, u)) dτ + G(τ, u) dW^Q(τ),   u(0) = u₀,
/// for a field u(τ, ·) with `components` components: A a `SpectralOperator` (diagonal in the basis the
/// boundary conditions choose, `SpectralBasis`), F a `SPDENonlinearity` evaluated at the nodes, G an
/// `SPDENoise`. The mathematics only; `SPDEStepper` and `solve(_:_:)` with an `SPDEEnsemble`
/// discretise it (Notes/spectral-bases.md, Notes/spde-schemes.md).
///
/// The stochastic heat equation (`StochasticHeatEquation`) and the Langevin flow of the training action
/// are instances.
public struct SemilinearSPDE: Sendable {
    /// The basis and the length of each axis (x first; one or two).
    public let boundaries: [SpectralBasis]
    public let lengths: [Double]
    public let components: Int
    public let linearPart: SpectralOperator
    public let nonlinearity: SPDENonlinearity?
    public let noise: SPDENoise
    /// u₀(component, x, y), or nil for u₀ = 0.
    public let initialValue: (@Sendable (Int, Double, Double) -> Double)?
    /// Unknowns that do not depend on space (the readout of a network), or nil.
    public let globals: SPDEGlobals?

    /// Throws `InvalidArgument` naming the argument for: one or more than two axes or a boundary/length
    /// count mismatch, non-positive lengths, components < 1, operator coefficient arrays whose length is
    /// neither 1 nor `components`, or a nonlinearity that needs a first derivative along an axis whose
    /// basis is not periodic (the sine and cosine bases have no first-derivative pair).
    public init(boundaries: [SpectralBasis], lengths: [Double], components: Int = 1, linearPart: SpectralOperator,
                nonlinearity: SPDENonlinearity? = nil, noise: SPDENoise,
                initialValue: (@Sendable (Int, Double, Double) -> Double)? = nil, globals: SPDEGlobals? = nil) throws {
        guard boundaries.count == 1 || boundaries.count == 2 else {
            throw InvalidArgument("boundaries.count", boundaries.count, "must be 1 (an interval) or 2 (a rectangle)")
        }
        try Validate.count(lengths.count, boundaries.count, "lengths")
        for (i, length) in lengths.enumerated() { try Validate.positive(length, "lengths[\(i)]") }
        try Validate.positive(components, "components")
        for (name, array) in [("diffusion", linearPart.diffusion), ("decay", linearPart.decay),
                              ("hyperdiffusion", linearPart.hyperdiffusion)] where array.count != 1 && array.count != components {
            throw InvalidArgument("\(name).count", array.count, "must be 1 or components = \(components)")
        }
        if let inputs = nonlinearity?.inputs {
            for (axis, input) in [(0, SPDENonlinearity.Inputs.gradientX), (1, .gradientY)] where inputs.contains(input) {
                guard axis < boundaries.count else {
                    throw InvalidArgument("nonlinearity", "∂/∂y", "needs a second axis; the problem is 1-D")
                }
                guard boundaries[axis] == .periodic else {
                    throw InvalidArgument("boundary", boundaries[axis].rawValue,
                                          "admits no spectral first derivative: ∂/∂\(axis == 0 ? "x" : "y") needs a periodic axis")
                }
            }
        }
        self.boundaries = boundaries
        self.lengths = lengths
        self.components = components
        self.linearPart = linearPart
        self.nonlinearity = nonlinearity
        self.noise = noise
        self.initialValue = initialValue
        self.globals = globals
    }

    public var dimension: Int { boundaries.count }

    /// The grid with `modes[i]` modes along axis i.
    public func grid(modes: [Int]) throws -> SpectralGrid {
        try Validate.count(modes.count, dimension, "modes")
        var axes: [SpectralAxis] = []
        for i in 0..<dimension { axes.append(try SpectralAxis(boundaries[i], count: modes[i], length: lengths[i])) }
        return try SpectralGrid(axes: axes, components: components)
    }

    /// q per coefficient of `grid` (layout of the grid), 0 beyond the cutoff and at periodic Nyquist
    /// cosines. Throws `InvalidArgument` for a negative or non-finite q.
    public func noiseEigenvalues(on grid: SpectralGrid) throws -> [Double] {
        var q = [Double](repeating: 0, count: grid.count)
        let nx = grid.axes[0].count
        for c in 0..<components {
            for p in 0..<grid.pointCount {
                let (jx, jy) = grid.modeNumbers(ofPoint: p)
                if let cutoff = noise.cutoff, jx >= cutoff || jy >= cutoff { continue }
                if grid.axes[0].basis.isNyquist(slot: p % nx, count: nx) { continue }
                if grid.dimension == 2, grid.axes[1].basis.isNyquist(slot: p / nx, count: grid.axes[1].count) { continue }
                q[c * grid.pointCount + p] = try noise.covariance.eigenvalue(
                    SpectralMode(component: c, x: jx, y: jy, wavenumberSquared: grid.wavenumberSquared[p]))
            }
        }
        return q
    }

    /// The decay rate μ of every coefficient of `grid` (layout of the grid).
    public func rates(on grid: SpectralGrid) -> [Double] {
        var mu = [Double](repeating: 0, count: grid.count)
        let symbol = grid.laplacianSymbol(linearPart.laplacian)
        for c in 0..<components {
            for p in 0..<grid.pointCount { mu[c * grid.pointCount + p] = linearPart.rate(component: c, wavenumberSquared: symbol[p]) }
        }
        return mu
    }

    /// The number of global unknowns (0 without `globals`).
    public var globalCount: Int { globals?.count ?? 0 }

    /// True when the equation is linear with additive noise (F = 0, G = σ(τ)): each mode is then an
    /// independent Ornstein–Uhlenbeck process and the moments below are exact.
    public var isLinearAdditive: Bool { nonlinearity == nil && noise.multiplicative == nil && noise.schedule == nil }
}
