import NumericCore

/// One sample path of an m-dimensional Wiener process on [0, duration], stored as its increments on the
/// finest uniform grid of `steps` steps, and reproducible from (seed, index, refinement level) alone.
///
/// - Coarser grids: `increments(steps:)` sums consecutive fine increments, so every coarse scheme is
///   driven by the same path (Higham 2001), as strong-error studies require.
/// - Finer grids: `refined()` halves every step by Brownian-bridge sampling: given W(τ) and W(τ + Δ),
///   W(τ + Δ/2) = (W(τ) + W(τ + Δ))/2 + (√Δ/2) ξ, with ξ ~ N(0, 1) drawn from a stream keyed by
///   (seed, index, level). The refined increments sum pairwise to the coarse ones (to round-off), and
///   the law of the refined path is exactly Brownian. Notes/brownian-bridge.md.
///
/// Increments at generation: row k, entry j is √Δ·Z with Z the (k·m + j)-th variate of
/// `XoshiroRandomStream(seed:index:)`; an ensemble drawing its path k the same way reproduces it.
public struct BrownianPath: Sendable, Equatable {
    public let seed: UInt64
    public let index: UInt64
    public let dimension: Int
    public let steps: Int
    public let duration: Double
    /// Number of bridge refinements applied since generation (each doubles `steps`).
    public let refinementLevel: Int
    /// steps × dimension increments, row-major.
    public let increments: [Double]

    /// Throws `InvalidArgument` for dimension or steps < 1 or a non-positive duration.
    public init(seed: UInt64, index: UInt64 = 0, dimension: Int = 1, steps: Int, duration: Double) throws {
        try Validate.positive(dimension, "dimension")
        try Validate.positive(steps, "steps")
        try Validate.positive(duration, "duration")
        var values = [Double](repeating: 0, count: steps * dimension)
        var stream = XoshiroRandomStream(seed: seed, index: index)
        stream.fillGaussian(&values, standardDeviation: (duration / Double(steps)).squareRoot())
        self.init(seed: seed, index: index, dimension: dimension, steps: steps, duration: duration,
                  refinementLevel: 0, increments: values)
    }

    /// A path from increments computed elsewhere (another program's numbers, replayed): `increments` holds
    /// steps × dimension values, row k = W(t_{k+1}) − W(t_k) on the uniform grid of `steps` steps over
    /// [0, duration], the layout of the stored `increments`. `seed` and `index` only label the path; they
    /// also key the bridge streams of `refined()`. A path built from the increments a seeded path holds
    /// equals that path (every stored property).
    ///
    /// Throws `InvalidArgument` naming `dimension`, `duration` or `increments` for a dimension < 1, a
    /// non-positive or non-finite duration, an empty or non-finite increment array, or a count that is
    /// not a multiple of the dimension.
    public init(increments: [Double], dimension: Int = 1, duration: Double, seed: UInt64 = 0, index: UInt64 = 0) throws {
        try Validate.positive(dimension, "dimension")
        guard duration.isFinite, duration > 0 else { throw InvalidArgument("duration", duration, "must be finite and > 0") }
        guard !increments.isEmpty, increments.count % dimension == 0 else {
            throw InvalidArgument("increments.count", increments.count,
                                  "must be a positive multiple of the dimension \(dimension) (steps × dimension values)")
        }
        if let bad = increments.firstIndex(where: { !$0.isFinite }) {
            throw InvalidArgument("increments[\(bad)]", increments[bad], "must be finite")
        }
        self.init(seed: seed, index: index, dimension: dimension, steps: increments.count / dimension, duration: duration,
                  refinementLevel: 0, increments: increments)
    }

    init(seed: UInt64, index: UInt64, dimension: Int, steps: Int, duration: Double, refinementLevel: Int, increments: [Double]) {
        self.seed = seed
        self.index = index
        self.dimension = dimension
        self.steps = steps
        self.duration = duration
        self.refinementLevel = refinementLevel
        self.increments = increments
    }

    public var stepSize: Double { duration / Double(steps) }

    /// The increments on the grid of `coarseSteps` steps (each the sum of steps/coarseSteps consecutive
    /// fine increments). Throws `InvalidArgument` unless coarseSteps divides `steps`.
    public func increments(steps coarseSteps: Int) throws -> [Double] {
        try Validate.positive(coarseSteps, "steps")
        guard steps % coarseSteps == 0 else {
            throw InvalidArgument("steps", coarseSteps, "must divide the path's \(steps) fine steps")
        }
        let ratio = steps / coarseSteps, m = dimension
        var coarse = [Double](repeating: 0, count: coarseSteps * m)
        for k in 0..<coarseSteps {
            for r in 0..<ratio {
                let row = (k * ratio + r) * m
                for j in 0..<m { coarse[k * m + j] += increments[row + j] }
            }
        }
        return coarse
    }

    /// W(t_k) − W(0) at the fine grid points t_k = k·Δ, (steps + 1) × dimension values.
    public var values: [Double] {
        let m = dimension
        var w = [Double](repeating: 0, count: (steps + 1) * m)
        for k in 0..<steps {
            for j in 0..<m { w[(k + 1) * m + j] = w[k * m + j] + increments[k * m + j] }
        }
        return w
    }

    /// W(duration) − W(0).
    public var endValue: [Double] {
        var w = [Double](repeating: 0, count: dimension)
        for k in 0..<steps { for j in 0..<dimension { w[j] += increments[k * dimension + j] } }
        return w
    }

    /// The same path on a grid of 2·steps steps by Brownian-bridge midpoints (see the type's comment).
    public func refined() -> BrownianPath {
        let m = dimension
        var fine = [Double](repeating: 0, count: 2 * steps * m)
        var stream = XoshiroRandomStream(seed: BrownianPath.bridgeSeed(seed, level: refinementLevel + 1), index: index)
        let halfRoot = 0.5 * stepSize.squareRoot()
        for k in 0..<steps {
            for j in 0..<m {
                let total = increments[k * m + j]
                let first = 0.5 * total + halfRoot * stream.gaussian()
                fine[2 * k * m + j] = first
                fine[(2 * k + 1) * m + j] = total - first
            }
        }
        return BrownianPath(seed: seed, index: index, dimension: m, steps: 2 * steps, duration: duration,
                            refinementLevel: refinementLevel + 1, increments: fine)
    }

    /// The seed of the bridge stream of refinement `level` (level >= 1), distinct from the generating seed.
    static func bridgeSeed(_ seed: UInt64, level: Int) -> UInt64 {
        var z = seed ^ (UInt64(level) &* 0xD1B5_4A32_D192_ED03)
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
