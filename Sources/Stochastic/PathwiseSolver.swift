import NumericCore

/// The resolution of one level of a convergence study: a number of time steps over the horizon and,
/// for an SPDE, a number of spectral modes (nil for an SDE).
public struct StudyResolution: Sendable, Hashable, CustomStringConvertible {
    public let steps: Int
    /// The number of modes J of a spectral (SPDE) discretisation; nil for an SDE.
    public let modes: Int?

    public init(steps: Int, modes: Int? = nil) {
        self.steps = steps
        self.modes = modes
    }

    public var description: String { modes.map { "\(steps) steps, \($0) modes" } ?? "\(steps) steps" }
}

/// A discretised problem that can be solved on a given Brownian path at a given resolution: what a
/// convergence study (`ConvergenceStudy`) needs of an SDE or SPDE, and nothing more.
///
/// A study couples its levels by driving all of them with the same `BrownianPath`, generated at the
/// finest number of steps with `wienerDimension` components (Notes/convergence-studies.md):
/// - time refinement: a level with `resolution.steps` steps uses `path.increments(steps:)`, the sums of
///   consecutive fine increments (so `resolution.steps` divides `path.steps`);
/// - mode refinement (SPDEs): a level with J modes uses the first J components of each increment row
///   (nested mode sets: mode j is driven by the same Wiener process at every J), so `wienerDimension`
///   is the number of noise modes of the largest mode count.
///
/// The returned vector is what errors are measured on (the state X(T) of an SDE, the mode coefficients
/// of an SPDE). Vectors of different lengths (J coefficients against J_ref) are compared after padding
/// the shorter one with zeros, which is the L² distance of the two expansions for an orthonormal basis.
///
/// `solve` is called concurrently from several threads on different paths, so it must not mutate
/// shared state. `SDEPathwiseSolver` is the conformance for any `StochasticDifferentialEquation`.
public protocol PathwiseSolver: Sendable {
    /// The number of Wiener processes at the finest resolution (for an SPDE: the noise modes of the
    /// largest mode count); every path of a study has this dimension.
    var wienerDimension: Int { get }
    /// The time horizon T of the problem: the duration of every path of a study.
    var horizon: Double { get }
    /// The solution at the horizon on `path` at `resolution`, or nil if the path failed (a non-finite
    /// state or a resolution the solver cannot use); a study counts such paths as failed and excludes
    /// them from every level.
    func solve(on path: BrownianPath, resolution: StudyResolution) -> [Double]?
}
