import BoundaryValue
import Foundation
import NumericCore

/// Training by collocation of the continuum boundary value problem (in the form `c.form`, Hamiltonian
/// or Lagrangian) with precision annealing
/// (the schedule of `BoundaryValueTraining`: Tikhonov continuation, then r_f = r_f0 · a^β, β = 0..B,
/// each rung warm-started from the previous one), each rung solved by `StructuredCollocation`
/// (per-sample elimination and Schur complement onto the weights; Notes/structured-collocation.md) with
/// the residual control of `Collocation` (tolerance `c.tolerance`, else `defaultTolerance`; at most
/// 4·layers + 1 nodes), from the previous rung's mesh or the uniform mesh of the layers; layer n's
/// weights are read from the dense output at its depth (a projected readout is solved as the
/// equivalent trained one, `StructuredCollocation.solveProjected`). Cost per Newton iteration
/// O(M N² d (d² + d q + q²) + (2Pq + k)³), linear in the number of samples M.
public enum StructuredCollocationTraining {
    /// Residual tolerance when the configuration leaves it at 0 (Notes/structured-collocation.md §7).
    public static let defaultTolerance = 1e-3

    /// The residual control's node limit: 4N + 1, or 4K + 1 for a reduced start on K > N intervals.
    static func maximumNodes(_ c: TrainingConfiguration) -> Int {
        4 * max(c.layers, c.reducedIterations > 0 ? c.resolvedReducedIntervals : 0) + 1
    }

    public static func run(_ c: TrainingConfiguration, split: DatasetCatalog.Split,
                           scheme: Collocation.Scheme = .lobatto3,
                           rungProgress: ((Int, AnnealingRung) -> Void)? = nil) throws -> (report: TrainingReport, parameters: [Double]) {
        try Validate.positive(c.layers, "layers")
        let layers = c.layers
        let algorithm = StructuredCollocation(scheme: scheme, tolerance: c.tolerance > 0 ? c.tolerance : defaultTolerance,
                                              maxNodes: maximumNodes(c), maxNewtonIterations: c.newtonIterations,
                                              adaptive: true)
        return try BoundaryValueTraining.run(c, split: split, rungProgress: rungProgress) { problem, _, guess in
            // The rung's own horizon (it differs from c.horizon during the continuation in T); the
            // mesh the residual control starts from: the previous rung's, else that of the layers.
            let t = problem.horizon
            var mesh = (0...layers).map { $0 == layers ? t : t * Double($0) / Double(layers) }
            if case .solution(let previous) = guess { mesh = previous.mesh.dropLast() + [t] }
            if case .mesh(let nodes, _) = guess { mesh = nodes.dropLast() + [t] }
            return try algorithm.solve(problem, form: c.form, mesh: mesh, initialGuess: guess)
        }
    }
}
