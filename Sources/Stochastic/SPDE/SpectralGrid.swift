import Foundation
import NumericCore

/// One axis of a spectral grid: a basis on (0, length) with `count` nodes and as many modes.
public struct SpectralAxis: Sendable, Equatable {
    public let basis: SpectralBasis
    public let count: Int
    public let length: Double

    /// Throws `InvalidArgument` for count < 1 or a length that is not finite and > 0.
    public init(_ basis: SpectralBasis, count: Int, length: Double) throws {
        try Validate.positive(count, "modes")
        try Validate.positive(length, "length")
        self.basis = basis
        self.count = count
        self.length = length
    }

    public var spacing: Double { basis.spacing(count: count, length: length) }
    public var nodes: [Double] { (0..<count).map { basis.node($0, count: count, length: length) } }
    public func wavenumber(slot s: Int) -> Double { basis.wavenumber(slot: s, count: count, length: length) }
}

/// The discretisation of a field on an interval or a rectangle in a tensor-product spectral basis: one
/// or two `SpectralAxis` values (x first) and `components` field components (Notes/spectral-bases.md).
///
/// Layout, used for node values and for coefficients alike: component-major, then y (slow), then x
/// (fast): entry c·P + i_y·n_x + i_x, P = n_x·n_y. Coefficients are L²-orthonormal, so Σ û² = ∫|u|²
/// for a field in the span; node values map to coefficients by the FFTW transform of each component
/// (`GridRealTransform`) and one scaling pass. Cost per component O(P log P); no allocation.
public struct SpectralGrid: Sendable {
    public let axes: [SpectralAxis]
    public let components: Int
    /// Points per component P.
    public let pointCount: Int
    /// |κ|² per point (Σ over the axes of the squared wavenumbers): −∆ is diagonal with these entries.
    public let wavenumberSquared: [Double]
    /// The orthonormal coefficient is forwardScale × FFTW's forward output, point by point.
    let forwardScale: [Double]
    let inverseScale: [Double]
    let forward: GridRealTransform
    let inverse: GridRealTransform
    /// Point index of mode (j_x, j_y) at j_y·n_x + j_x, in mode order along each axis.
    public let modeSlots: [Int]

    /// Throws `InvalidArgument` for no or more than two axes, components < 1, or a size beyond the
    /// transform limit.
    public init(axes: [SpectralAxis], components: Int = 1) throws {
        guard axes.count == 1 || axes.count == 2 else {
            throw InvalidArgument("dimension", axes.count, "must be 1 or 2")
        }
        try Validate.positive(components, "components")
        let x = axes[0]
        let y = axes.count == 2 ? axes[1] : nil
        let ny = y?.count ?? 1
        let (points, overflow) = x.count.multipliedReportingOverflow(by: ny)
        guard !overflow, !points.multipliedReportingOverflow(by: components).overflow else {
            throw InvalidArgument("modes", x.count, "modes × modes-y × components = \(x.count) × \(ny) × \(components) overflows Int")
        }
        forward = try GridRealTransform(alongColumns: y?.basis.forwardKind ?? .dctII, alongRows: x.basis.forwardKind,
                                        rows: ny, columns: x.count)
        inverse = try GridRealTransform(alongColumns: y?.basis.inverseKind ?? .dctIII, alongRows: x.basis.inverseKind,
                                        rows: ny, columns: x.count)
        self.axes = axes
        self.components = components
        pointCount = points
        var k2 = [Double](repeating: 0, count: points)
        var fs = [Double](repeating: 0, count: points), inv = [Double](repeating: 0, count: points)
        var slots = [Int](repeating: 0, count: points)
        for iy in 0..<ny {
            let ky = y.map { $0.wavenumber(slot: iy) } ?? 0
            let fy = y.map { $0.basis.forwardScale(slot: iy, count: $0.count, length: $0.length) } ?? 1
            let iyScale = y.map { $0.basis.inverseScale(slot: iy, count: $0.count, length: $0.length) } ?? 1
            let slotY = y.map { $0.basis.slot(ofMode: iy, count: $0.count) } ?? 0
            for ix in 0..<x.count {
                let kx = x.wavenumber(slot: ix)
                let p = iy * x.count + ix
                k2[p] = kx * kx + ky * ky
                fs[p] = fy * x.basis.forwardScale(slot: ix, count: x.count, length: x.length)
                inv[p] = iyScale * x.basis.inverseScale(slot: ix, count: x.count, length: x.length)
                slots[p] = slotY * x.count + x.basis.slot(ofMode: ix, count: x.count)
            }
        }
        wavenumberSquared = k2
        forwardScale = fs
        inverseScale = inv
        modeSlots = slots
    }

    /// A 1-D grid of `modes` points on (0, length).
    public init(_ basis: SpectralBasis, modes: Int, length: Double, components: Int = 1) throws {
        try self.init(axes: [SpectralAxis(basis, count: modes, length: length)], components: components)
    }

    public var dimension: Int { axes.count }
    /// Values per field: components × P.
    public var count: Int { components * pointCount }
    /// The area element h_x·h_y of the node quadrature (h_x in 1-D).
    public var cellVolume: Double { axes.reduce(1) { $0 * $1.spacing } }

    /// The coordinates of point p: (x, y), y = 0 in 1-D.
    public func position(ofPoint p: Int) -> (x: Double, y: Double) {
        let nx = axes[0].count
        let x = axes[0].basis.node(p % nx, count: nx, length: axes[0].length)
        let y = axes.count == 2 ? axes[1].basis.node(p / nx, count: axes[1].count, length: axes[1].length) : 0
        return (x, y)
    }

    /// Node values → orthonormal coefficients for every component, in place.
    public func valuesToCoefficients(_ field: UnsafeMutablePointer<Double>) {
        for c in 0..<components {
            let base = field + c * pointCount
            forward.apply(base, base)
            for p in 0..<pointCount { base[p] *= forwardScale[p] }
        }
    }

    /// Orthonormal coefficients → node values for every component, from `coefficients` into `values`
    /// (the same array, or a disjoint one, which leaves `coefficients` unchanged).
    public func coefficientsToValues(_ coefficients: UnsafePointer<Double>, into values: UnsafeMutablePointer<Double>) {
        for c in 0..<components {
            let source = coefficients + c * pointCount, target = values + c * pointCount
            for p in 0..<pointCount { target[p] = source[p] * inverseScale[p] }
            inverse.apply(target, target)
        }
    }

    /// ∂/∂(axis) of a field given by its coefficients, as coefficients: the periodic cos–sin pairs
    /// rotate (a cos κx + b sin κx)' = κ(b cos κx − a sin κx); the mean and the Nyquist cosine give zero.
    /// Only for a periodic axis (checked by `SemilinearSPDE`).
    public func differentiate(_ coefficients: UnsafePointer<Double>, axis: Int, into result: UnsafeMutablePointer<Double>) {
        let a = axes[axis], nx = axes[0].count, n = a.count
        for c in 0..<components {
            let source = coefficients + c * pointCount, target = result + c * pointCount
            for p in 0..<pointCount {
                let s = axis == 0 ? p % nx : p / nx
                guard let partner = a.basis.derivativePartner(slot: s, count: n) else { target[p] = 0; continue }
                let q = axis == 0 ? p - s + partner : partner * nx + p % nx
                let k = a.wavenumber(slot: s)
                // cos slot (s < n/2) takes +κ·(sine coefficient); sine slot takes −κ·(cosine coefficient).
                target[p] = (2 * s < n ? k : -k) * source[q]
            }
        }
    }

    /// −|κ|² times the coefficients (the Laplacian in every basis), into `result`.
    public func laplacian(_ coefficients: UnsafePointer<Double>, into result: UnsafeMutablePointer<Double>) {
        for c in 0..<components {
            let source = coefficients + c * pointCount, target = result + c * pointCount
            for p in 0..<pointCount { target[p] = -wavenumberSquared[p] * source[p] }
        }
    }

    /// The symbol of −∆ per point: |κ|² (spectral) or Σ_axes (4/h²) sin²(κh/2) (second difference on
    /// each axis's nodes: DCT-II on cell centres gives the free-end path graph, DST-I the Dirichlet one,
    /// R2HC the cycle, the quarter-wave bases one end of each).
    public func laplacianSymbol(_ symbol: SpectralOperator.LaplacianSymbol) -> [Double] {
        guard symbol == .secondDifference else { return wavenumberSquared }
        let nx = axes[0].count
        func term(_ axis: SpectralAxis, _ s: Int) -> Double {
            let h = axis.spacing, half = sin(axis.wavenumber(slot: s) * h / 2)
            return 4 * half * half / (h * h)
        }
        return (0..<pointCount).map { p in term(axes[0], p % nx) + (axes.count == 2 ? term(axes[1], p / nx) : 0) }
    }

    /// The 2/3-rule mask: true for the points whose frequency along every axis is below 2/3 of the
    /// largest (mode index j < ⌈2n/3⌉ for the sine/cosine bases, f ≤ n/3 for periodic axes).
    public func dealiasingMask() -> [Bool] {
        let nx = axes[0].count
        func kept(_ axis: SpectralAxis, _ s: Int) -> Bool {
            if axis.basis == .periodic { return 3 * SpectralBasis.periodicFrequency(slot: s, count: axis.count) <= axis.count }
            return 3 * s < 2 * axis.count
        }
        return (0..<pointCount).map { p in
            kept(axes[0], p % nx) && (axes.count == 1 || kept(axes[1], p / nx))
        }
    }

    /// The orthonormal basis function of point (slot) p at (x, y).
    public func basisFunction(point p: Int, x: Double, y: Double = 0) -> Double {
        let nx = axes[0].count
        let ex = axes[0].basis.function(slot: p % nx, count: nx, length: axes[0].length, at: x)
        guard axes.count == 2 else { return ex }
        return ex * axes[1].basis.function(slot: p / nx, count: axes[1].count, length: axes[1].length, at: y)
    }

    /// The mode number of point p along each axis (j_x, j_y): its position in mode order.
    public func modeNumbers(ofPoint p: Int) -> (x: Int, y: Int) {
        let nx = axes[0].count
        let x = axes[0].basis.mode(ofSlot: p % nx, count: nx)
        return (x, axes.count == 2 ? axes[1].basis.mode(ofSlot: p / nx, count: axes[1].count) : 0)
    }
}
