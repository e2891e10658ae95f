import BoundaryValue
import NumericCore

/// Training by collocation of the continuum boundary value problem with precision annealing.
///
/// Up to `maximumDimension` unknowns per node, each rung is solved by the BoundaryValue module's
/// adaptive Lobatto IIIA collocation (order 4, tolerance `--tol`, default 1e-6, at most 2000 nodes) through
/// `BoundaryValueTraining`, in either form; it factors dense (2n)-blocks per interval,
/// n = 2(Md + q) + k, so a rung is O(nodes · n³). Larger problems, in either form, go to
/// `StructuredCollocationTraining`: the same Lobatto IIIA equations and the same residual control
/// (from the mesh of the layers), with the per-sample elimination and Schur complement onto the weights, whose cost is linear in M
/// (Notes/structured-collocation.md; a projected readout is solved as the equivalent trained one).
public enum CollocationTraining {
    /// Unknowns per node above which the structured collocation is used.
    public static let maximumDimension = 600
    /// Residual tolerance of the dense-block collocation when the configuration leaves it at 0.
    public static let defaultTolerance = 1e-6

    /// Trains by the annealed collocation; `denseLimit` (default `maximumDimension`) is the number of
    /// unknowns per node above which the structured collocation solves the rungs.
    public static func run(_ c: TrainingConfiguration, split: DatasetCatalog.Split, denseLimit: Int = maximumDimension,
                           rungProgress: ((Int, AnnealingRung) -> Void)? = nil) throws -> (report: TrainingReport, parameters: [Double]) {
        try c.validate()
        let dimension = try BoundaryValueTraining.stateDimension(c, split: split)
        guard dimension <= denseLimit else {
            return try StructuredCollocationTraining.run(c, split: split, rungProgress: rungProgress)
        }
        let algorithm = Collocation(scheme: .lobatto3, tolerance: c.tolerance > 0 ? c.tolerance : defaultTolerance, maxNodes: 2000,
                                    maxNewtonIterations: c.newtonIterations)
        return try BoundaryValueTraining.run(c, split: split, algorithm: algorithm, rungProgress: rungProgress)
    }
}
