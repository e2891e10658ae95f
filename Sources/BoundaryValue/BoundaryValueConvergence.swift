import NumericCore

/// The result of a convergence study: steps, errors, the least-squares fit and what was measured.
public struct ConvergenceData: Sendable {
    public let study: String
    /// Theoretical order (for spectral studies: the number of points N is the "step" and the fit is
    /// an exponential rate, `expectedOrder` is then 0 and meaningless).
    public let expectedOrder: Double
    public let steps: [Double]
    public let errors: [Double]
    public let fit: OrderFit
    public let note: String
}

/// Convergence studies of the boundary-value solvers against closed forms (run by
/// `deepest converge --study NAME` and, at the same size, by the tests).
public enum BoundaryValueConvergence {
    /// Collocation on fixed uniform meshes of N = 8 … 128 intervals for Bratu (λ = 1, lower branch);
    /// error = max over the nodes and components of |y_N − y_exact|.
    public static func collocation(_ scheme: Collocation.Scheme) throws -> ConvergenceData {
        let reference = try ReferenceProblems.bratu(lambda: 1)
        guard let exact = reference.exactOnUniformGrid else { throw InvalidArgument("problem", "bratu", "needs an exact solution") }
        var steps = [Double](), errors = [Double]()
        for intervals in [8, 16, 32, 64, 128] {
            let mesh = uniformMesh(0, 1, count: intervals + 1)
            let guess = InitialGuess.mesh(mesh, values: [Double](repeating: 0, count: mesh.count * 2))
            let algorithm = Collocation(scheme: scheme, tolerance: 1e-12, adaptive: false)
            let solution = try solve(reference.problem, algorithm, initialGuess: guess)
            guard solution.succeeded else {
                throw InvalidArgument("collocation study", solution.status.rawValue, solution.message)
            }
            let y = exact(intervals)
            var error = 0.0
            for i in 0..<y.count { error = max(error, abs(solution.values[i] - y[i])) }
            steps.append(1 / Double(intervals))
            errors.append(error)
        }
        return ConvergenceData(
            study: "collocation-\(scheme.rawValue)", expectedOrder: Double(scheme.order), steps: steps, errors: errors,
            fit: try OrderFit.fit(steps: steps, errors: errors),
            note: "Bratu lambda=1 (lower branch), fixed uniform meshes, max node error against the closed form")
    }
}
