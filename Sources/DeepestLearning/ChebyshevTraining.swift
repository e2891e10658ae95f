import BoundaryValue
import NumericCore

/// Training by Chebyshev spectral collocation of the continuum boundary value problem with precision
/// annealing (`BoundaryValueTraining`): degree N starting at 16 and doubling until the Chebyshev tail
/// of every component is below 1e-8 relative, capped so that (N + 1) n ≤ `maximumUnknowns`.
///
/// Cost: Newton factors the dense ((N + 1) n)² collocation matrix, O((N n)³) per iteration and
/// ((N + 1) n)² doubles of memory, n = 2(Md + q) + k: problems whose degree-16 system already has more
/// than `maximumUnknowns` unknowns are refused. Spectral accuracy needs analytic solutions (smooth
/// activations: tanh, sigmoid, softplus).
public enum ChebyshevTraining {
    public static let maximumUnknowns = 3000
    public static let startDegree = 16

    public static func run(_ c: TrainingConfiguration, split: DatasetCatalog.Split,
                           rungProgress: ((Int, AnnealingRung) -> Void)? = nil) throws -> (report: TrainingReport, parameters: [Double]) {
        try c.validate()
        let dimension = try BoundaryValueTraining.stateDimension(c, split: split)
        guard (startDegree + 1) * dimension <= maximumUnknowns else {
            throw MethodUnavailable(description: "method chebyshev: \(split.train.count) samples give \(dimension) unknowns per node, \((startDegree + 1) * dimension) at degree \(startDegree), above \(maximumUnknowns) for the dense Chebyshev collocation matrix; use fewer --samples or a smaller --width, collocation, symplectic-euler, sgd or adam")
        }
        return try BoundaryValueTraining.run(c, split: split, algorithm: algorithm(c, dimension: dimension), rungProgress: rungProgress)
    }

    /// The solver of every rung for n = `dimension` unknowns per node.
    public static func algorithm(_ c: TrainingConfiguration, dimension: Int) -> ChebyshevCollocation {
        ChebyshevCollocation(tolerance: 1e-8, maxDegree: max(startDegree, min(128, maximumUnknowns / dimension - 1)),
                             maxIterations: c.newtonIterations)
    }
}
