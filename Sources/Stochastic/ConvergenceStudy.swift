import NumericCore

/// A convergence study (the algorithm value): the levels to compare, the reference, the number of paths
/// and their seed, and what to measure. `solve(_:_:)` runs it for any `PathwiseSolver`
/// (`SDEPathwiseSolver` for an SDE); Notes/convergence-studies.md explains the coupling.
///
/// - Path p is `BrownianPath(seed: seed, index: p, dimension: solver.wienerDimension, steps: fineSteps,
///   duration: solver.horizon)`, and every level and the reference are solved on it.
/// - Strong error per level: (mean over paths of ‖X_h − X_ref‖²)^{1/2}, with the weighted norm
///   ‖v‖² = Σ_i w_i v_i² when `normWeights` is given (w = 1 otherwise; vectors padded with zeros).
///   Computed when the reference is a path (`exactSolution`, `fineSolution`).
/// - Weak error per level: |mean of φ(X_h) − φ(X_ref)| (coupled, variance about the strong error
///   squared over M) or |mean of φ(X_h) − E φ(X)| for `exactExpectation`. Computed when
///   `weakFunctional` φ is given.
/// - The order is fitted against h = T/steps, or against h = 1/J when every level has the same steps
///   and the mode counts differ (a spatial study).
public struct ConvergenceStudy: Sendable {
    public let levels: [StudyResolution]
    public let reference: StudyReference
    public let paths: Int
    public let seed: UInt64
    /// φ for the weak error (a functional of the final state; path functionals are not accepted).
    public let weakFunctional: EnsembleFunctional?
    /// Weights w_i of the strong-error norm ‖v‖² = Σ w_i v_i² (entries beyond their count weigh 1).
    public let normWeights: [Double]?
    /// Path resamples of the bootstrap interval of each fitted order.
    public let resamples: Int
    /// Number of work chunks (default: the worker count); changes scheduling only, never results.
    public let chunks: Int
    /// The number of steps of every path (see `fineSteps`), if given.
    public let pathSteps: Int?

    /// Throws `InvalidArgument` naming the argument for: fewer than two levels, steps < 1, modes given
    /// for some levels only (or J < 1), levels that refine nothing, a fine reference that is not finer
    /// than every level (its steps must be a multiple of every level's steps, and its modes at least
    /// theirs), `pathSteps` that is not a multiple of every level's and the reference's steps, paths < 2,
    /// resamples < 10, negative or non-finite weights, an `exactExpectation` without
    /// a weak functional, or a path functional as the weak functional.
    public init(levels: [StudyResolution], reference: StudyReference, paths: Int, seed: UInt64,
                weakFunctional: EnsembleFunctional? = nil, normWeights: [Double]? = nil, resamples: Int = 400,
                chunks: Int? = nil, pathSteps: Int? = nil) throws {
        try Validate.atLeast(levels.count, 2, "levels.count")
        try Validate.atLeast(paths, 2, "paths")
        try Validate.atLeast(resamples, 10, "resamples")
        for level in levels {
            try Validate.positive(level.steps, "levels.steps")
            if let modes = level.modes { try Validate.positive(modes, "levels.modes") }
        }
        let withModes = levels.filter { $0.modes != nil }.count
        guard withModes == 0 || withModes == levels.count else {
            throw InvalidArgument("levels.modes", withModes, "must be given for every level or for none")
        }
        guard Set(levels).count == levels.count else {
            throw InvalidArgument("levels", levels.map(\.description).joined(separator: "; "), "must be distinct resolutions")
        }
        if let normWeights {
            guard normWeights.allSatisfy({ $0.isFinite && $0 >= 0 }) else {
                throw InvalidArgument("normWeights", normWeights.description, "must be finite and >= 0")
            }
        }
        switch reference {
        case .exactSolution:
            break
        case .exactExpectation(let value):
            guard value.isFinite else { throw InvalidArgument("reference", value, "the exact expectation must be finite") }
            guard weakFunctional != nil else {
                throw InvalidArgument("weakFunctional", "nil", "an exact expectation needs the functional φ it is the mean of")
            }
        case .fineSolution(let fine):
            try Validate.positive(fine.steps, "reference.steps")
            for level in levels where fine.steps % level.steps != 0 {
                throw InvalidArgument("reference.steps", fine.steps, "must be a multiple of every level's steps (\(level.steps))")
            }
            if withModes > 0 {
                guard let fineModes = fine.modes, levels.allSatisfy({ $0.modes! <= fineModes }) else {
                    throw InvalidArgument("reference.modes", fine.modes.map(String.init) ?? "nil", "must be at least every level's modes")
                }
            }
        }
        if let weakFunctional, weakFunctional.pathEvaluate != nil {
            throw InvalidArgument("weakFunctional", weakFunctional.name, "must be a functional of the final state, not of the path")
        }
        let finest = levels.map(\.steps).max()!
        for level in levels where finest % level.steps != 0 {
            throw InvalidArgument("levels.steps", level.steps, "must divide the finest level's \(finest) steps")
        }
        if let pathSteps {
            var coarser = levels.map(\.steps)
            if case .fineSolution(let fine) = reference { coarser.append(fine.steps) }
            for steps in coarser where pathSteps <= 0 || pathSteps % steps != 0 {
                throw InvalidArgument("pathSteps", pathSteps, "must be a multiple of every level's and the reference's steps (\(steps))")
            }
        }
        self.pathSteps = pathSteps
        self.levels = levels
        self.reference = reference
        self.paths = paths
        self.seed = seed
        self.weakFunctional = weakFunctional
        self.normWeights = normWeights
        self.resamples = resamples
        self.chunks = max(1, chunks ?? Parallel.workerCount)
        guard refinement != nil else {
            throw InvalidArgument("levels", levels.map(\.description).joined(separator: "; "),
                                  "must refine the steps or, at equal steps, the modes")
        }
    }

    /// A study in time: one level per entry of `steps` (no modes).
    public init(steps: [Int], reference: StudyReference, paths: Int, seed: UInt64,
                weakFunctional: EnsembleFunctional? = nil, normWeights: [Double]? = nil, resamples: Int = 400,
                chunks: Int? = nil, pathSteps: Int? = nil) throws {
        try self.init(levels: steps.map { StudyResolution(steps: $0) }, reference: reference, paths: paths, seed: seed,
                      weakFunctional: weakFunctional, normWeights: normWeights, resamples: resamples, chunks: chunks,
                      pathSteps: pathSteps)
    }

    /// What the order is fitted against.
    public enum Refinement: String, Sendable {
        /// h = T/steps.
        case time
        /// h = 1/J, at equal steps.
        case modes
    }

    /// `.modes` when every level has the same steps and the mode counts differ, `.time` when the steps
    /// differ, nil when nothing is refined.
    public var refinement: Refinement? {
        if Set(levels.map(\.steps)).count > 1 { return .time }
        if Set(levels.compactMap(\.modes)).count > 1 { return .modes }
        return nil
    }

    /// The number of steps of every path: `pathSteps` if given (finer paths let an exact solution take
    /// its stochastic integrals on them), else the fine reference's steps, else the finest level's.
    public var fineSteps: Int {
        if let pathSteps { return pathSteps }
        if case .fineSolution(let fine) = reference { return fine.steps }
        return levels.map(\.steps).max()!
    }

    /// Whether strong errors are measured (the reference is a path).
    public var measuresStrongError: Bool {
        if case .exactExpectation = reference { return false }
        return true
    }
}
