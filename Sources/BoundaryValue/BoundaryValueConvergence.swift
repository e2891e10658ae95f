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

extension BoundaryValueConvergence {
    /// Fixed-step shooting integrators of the study (`rk4` or `gauss4`).
    public enum ShootingScheme: String, Sendable, CaseIterable {
        case rk4, gauss4
    }

    /// Single shooting with `steps` = 25 … 400 equal steps on the LQ problem (n = 2, T = 5); error =
    /// max over the step nodes and components against the exact solution.
    public static func shooting(_ scheme: ShootingScheme) throws -> ConvergenceData {
        let reference = try ReferenceProblems.linearQuadratic(dimension: 2, horizon: 5)
        guard let exact = reference.exactOnUniformGrid else { throw InvalidArgument("problem", "lq", "needs an exact solution") }
        var steps = [Double](), errors = [Double]()
        for count in [25, 50, 100, 200, 400] {
            let integrator: ShootingIntegrator = scheme == .rk4 ? .rungeKutta4(steps: count) : .gaussLegendre4(steps: count)
            // The study measures the error itself against the closed form, on purpose also where the
            // steps are too coarse for a tight tolerance: the solver's own check is set loose.
            let solution = try solve(reference.problem,
                                     Shooting(integrator: integrator, tolerance: 1, boundaryTolerance: 1e-11, method: .newton),
                                     initialGuess: reference.initialGuess)
            guard solution.succeeded else { throw InvalidArgument("shooting study", solution.status.rawValue, solution.message) }
            let y = exact(count)
            var error = 0.0
            for i in 0..<min(y.count, solution.values.count) { error = max(error, abs(solution.values[i] - y[i])) }
            steps.append(5 / Double(count))
            errors.append(error)
        }
        return ConvergenceData(
            study: "shooting-\(scheme.rawValue)", expectedOrder: 4, steps: steps, errors: errors,
            fit: try OrderFit.fit(steps: steps, errors: errors),
            note: "LQ Hamiltonian BVP n=2, T=5, single shooting with fixed steps h, max node error against the exact solution")
    }
}

extension BoundaryValueConvergence {
    /// Chebyshev collocation at N = 4, 6, …, 14 on Bratu (λ = 1, lower branch; the solution is analytic,
    /// so the error decays geometrically): `steps` holds N and the fit is the exponential rate
    /// d log(error)/dN (negative); `errorAt64` is the error at N = 64.
    public static func chebyshev() throws -> (data: ConvergenceData, errorAt64: Double) {
        let reference = try ReferenceProblems.bratu(lambda: 1)
        func error(_ degree: Int) throws -> Double {
            let solution = try solve(reference.problem, ChebyshevCollocation(degree: degree), initialGuess: reference.initialGuess)
            guard solution.succeeded else { throw InvalidArgument("chebyshev study", solution.status.rawValue, solution.message) }
            return reference.maxError(of: { solution.value(at: $0) }) ?? .nan
        }
        let degrees = [4, 6, 8, 10, 12, 14]
        let errors = try degrees.map(error)
        let steps = degrees.map(Double.init)
        let data = ConvergenceData(
            study: "chebyshev", expectedOrder: 0, steps: steps, errors: errors,
            fit: try OrderFit.exponentialRate(n: steps, errors: errors),
            note: "Bratu lambda=1 (lower branch), Chebyshev collocation with N+1 points (h column = N); spectral: "
                + "fittedOrder is the exponential rate d ln(error)/dN, error = max over 401 points of the polynomial against the closed form")
        return (data, try error(64))
    }
}
