import BoundaryValue
import NumericCore

/// Training by collocation of the continuum boundary value problem with precision annealing
/// (`BoundaryValueTraining`), each rung solved by the BoundaryValue module's adaptive Lobatto IIIA
/// collocation (order 4, tolerance 1e-6, at most 2000 nodes).
///
/// Cost: the generic collocation factors dense (2n)-blocks per interval, n = 2(Md + q) + k, so a rung
/// is O(nodes · n³): only small M. Problems with more than `maximumDimension` unknowns per node are
/// refused; the per-sample Schur complement (Notes/deepest-learning-action.md §9) is what would make
/// it linear in M.
public enum CollocationTraining {
    public static let maximumDimension = 600

    public static func run(_ c: TrainingConfiguration, split: DatasetCatalog.Split,
                           rungProgress: ((Int, AnnealingRung) -> Void)? = nil) throws -> (report: TrainingReport, parameters: [Double]) {
        try c.validate()
        let dimension = try BoundaryValueTraining.stateDimension(c, split: split)
        guard dimension <= maximumDimension else {
            throw MethodUnavailable(description: "method collocation: \(split.train.count) samples give \(dimension) unknowns per node, above \(maximumDimension) for the dense-block collocation (the per-sample Schur-complement collocation is not written yet); use symplectic-euler, sgd or adam")
        }
        let algorithm = Collocation(scheme: .lobatto3, tolerance: 1e-6, maxNodes: 2000, maxNewtonIterations: c.newtonIterations)
        return try BoundaryValueTraining.run(c, split: split, algorithm: algorithm, rungProgress: rungProgress)
    }
}
