import BoundaryValue
import Foundation
import NumericCore

/// Training by collocation of the continuum Hamiltonian boundary value problem with precision annealing
/// (the schedule of `BoundaryValueTraining`: Tikhonov continuation, then r_f = r_f0 · a^β, β = 0..B,
/// each rung warm-started from the previous one), each rung solved by `StructuredCollocation`
/// (per-sample elimination and Schur complement onto the weights; Notes/structured-collocation.md) on
/// the fixed uniform mesh of the configuration's layers (N = layers intervals, so θ at node n is
/// layer n's weights). Needs the Hamiltonian form and a trained readout. Cost per Newton iteration
/// O(M N² d (d² + d q + q²) + (2Pq + k)³), linear in the number of samples M.
public enum StructuredCollocationTraining {
    public static func run(_ c: TrainingConfiguration, split: DatasetCatalog.Split,
                           scheme: Collocation.Scheme = .lobatto3,
                           rungProgress: ((Int, AnnealingRung) -> Void)? = nil) throws -> (report: TrainingReport, parameters: [Double]) {
        guard c.form == .hamiltonian, c.readout == .trained else {
            throw InvalidArgument("form/readout", "\(c.form.rawValue)/\(c.readout.rawValue)", "the structured collocation needs --form hamiltonian and --readout trained")
        }
        try Validate.positive(c.layers, "layers")
        let layers = c.layers
        let algorithm = StructuredCollocation(scheme: scheme, maxNewtonIterations: c.newtonIterations)
        return try BoundaryValueTraining.run(c, split: split, rungProgress: rungProgress) { problem, _, guess in
            // The rung's own horizon (it differs from c.horizon during the continuation in T).
            let t = problem.horizon
            let mesh = (0...layers).map { $0 == layers ? t : t * Double($0) / Double(layers) }
            return try algorithm.solve(problem, mesh: mesh, initialGuess: guess)
        }
    }
}
