import BoundaryValue
import NumericCore

/// Training by multiple shooting of the continuum boundary value problem with precision annealing
/// (`BoundaryValueTraining`): max(16, N) equal shooting segments (N the ResNet's layers; fewer, longer
/// segments make the shooting map too nonlinear for Newton from the first rung's constant guess), each
/// integrated by classical RK4 (order 4) with max(400, 20 N) steps over [0, T] together with its
/// n × n fundamental matrix Φ' = f_y Φ (the variational equations); Newton on the node values (tolerance 1e-9
/// relative, at most `newtonIterations`) with the almost-block-diagonal LU.
///
/// Cost per Newton iteration: O(steps · n³) for the variational equations plus O(N n³) for the LU,
/// n = 2(Md + q) + k: problems with more than `maximumDimension` unknowns per node are refused.
public enum MultipleShootingTraining {
    public static let maximumDimension = 200

    public static func run(_ c: TrainingConfiguration, split: DatasetCatalog.Split,
                           rungProgress: ((Int, AnnealingRung) -> Void)? = nil) throws -> (report: TrainingReport, parameters: [Double]) {
        try c.validate()
        let dimension = try BoundaryValueTraining.stateDimension(c, split: split)
        guard dimension <= maximumDimension else {
            throw MethodUnavailable(description: "method multiple-shooting: \(split.train.count) samples give \(dimension) unknowns per node, above \(maximumDimension) for the dense n×n variational equations of every segment; use fewer --samples, collocation, symplectic-euler, sgd or adam")
        }
        return try BoundaryValueTraining.run(c, split: split, algorithm: algorithm(c), rungProgress: rungProgress)
    }

    /// The solver of every rung.
    public static func algorithm(_ c: TrainingConfiguration) -> MultipleShooting {
        MultipleShooting(integrator: .rungeKutta4(steps: max(400, 20 * c.layers)), segments: max(16, c.layers),
                         tolerance: 1e-9, maxIterations: c.newtonIterations)
    }
}
