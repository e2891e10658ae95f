import Dispatch
import NumericCore

/// Chebyshev spectral collocation on the N + 1 Chebyshev–Gauss–Lobatto points of [a, b].
///
/// Unknowns Y_j ≈ y(t_j). Equations: (D Y)_j − f(t_j, Y_j) = 0 at every point, where D is the
/// Chebyshev differentiation (applied to the residual through the DCT-I with FFTW,
/// `ChebyshevDifferentiation.derivative`; Newton's Jacobian D ⊗ I − diag(f_y) uses the dense matrix);
/// the equations of components 0..<na at t_0 and n−nb..<n at t_N are replaced by the separated
/// boundary conditions. Damped Newton with a dense LU ((N + 1) n unknowns, O((N n)³): small n only).
/// With `degree == nil`, N starts at 16 and doubles (the previous solution interpolated as the new
/// guess) until the last two Chebyshev coefficients of every component fall below
/// `tolerance`·max|c| or N reaches `maxDegree`. For analytic solutions the error decays like ρ^{−N}
/// (Notes/collocation.md).
///
/// Verification (Notes/bvp-verification.md): `success` needs the tail criterion met by the returned
/// polynomial (automatic N) and its boundary residual within `boundaryTolerance`; with a fixed
/// `degree` the degree is the caller's and the tail is not checked (`maxResidual` reports the
/// residual of the polynomial between the points).
public struct ChebyshevCollocation: Sendable {
    public var degree: Int?
    /// Bound on the last two Chebyshev coefficients of every component relative to its largest one
    /// (automatic N).
    public var tolerance: Double
    /// Bound on max |g(y(a), y(b))| of the returned polynomial; nil: the same number as `tolerance`,
    /// but at least 1e-12 (a boundary residual at round-off level). Above it the status is
    /// `noConvergence`.
    public var boundaryTolerance: Double?
    public var maxDegree: Int
    public var maxIterations: Int

    public init(degree: Int? = nil, tolerance: Double = 1e-13, boundaryTolerance: Double? = nil, maxDegree: Int = 256,
                maxIterations: Int = 40) {
        self.degree = degree
        self.tolerance = tolerance
        self.boundaryTolerance = boundaryTolerance
        self.maxDegree = maxDegree
        self.maxIterations = maxIterations
    }
}

extension ChebyshevCollocation: BoundaryValueAlgorithm {
    public func solve(_ problem: BoundaryValueProblem, initialGuess: InitialGuess) throws -> BoundaryValueSolution {
        try Validate.positive(tolerance, "tolerance")
        if let boundaryTolerance { try Validate.positive(boundaryTolerance, "boundaryTolerance") }
        try Validate.atLeast(maxDegree, 2, "maxDegree")
        if let degree { try Validate.atLeast(degree, 2, "degree") }
        guard let na = problem.boundaryConditions.startCount else {
            throw InvalidArgument("boundaryConditions", "general", "Chebyshev collocation needs separated conditions; use Shooting for coupled ones")
        }
        try initialGuess.validate(dimension: problem.dimension, start: problem.start, end: problem.end)
        let started = DispatchTime.now().uptimeNanoseconds
        let n = problem.dimension
        var stats = BoundaryValueStats()
        var degree = self.degree ?? 16
        var guess = initialGuess
        var outcome: (status: BoundaryValueStatus, message: String, values: [Double], differentiation: ChebyshevDifferentiation)
        while true {
            let differentiation = try ChebyshevDifferentiation(degree: degree, on: problem.start...problem.end)
            let values = guess.sample(on: differentiation.points, dimension: n)
            outcome = try newton(problem, differentiation, values, na: na, stats: &stats)
            if self.degree != nil || outcome.status != .success { break }
            let series = try self.series(problem, differentiation, outcome.values)
            if tailIsSmall(series) || degree >= maxDegree {
                if !tailIsSmall(series) {
                    outcome.status = .meshLimit
                    outcome.message = "Chebyshev coefficients still above tolerance at N = maxDegree = \(maxDegree)"
                }
                break
            }
            var previous = BoundaryValueSolution(
                dimension: n, status: .success, message: "", mesh: differentiation.points, values: outcome.values,
                slopes: outcome.values, stats: stats, maxResidual: 0, boundaryResidual: 0)
            previous.series = series
            guess = .solution(previous)
            degree = min(2 * degree, maxDegree)
            stats.meshRefinements += 1
        }
        let mesh = outcome.differentiation.points
        let slopes = BoundaryValueSolution.slopes(problem: problem, mesh: mesh, values: outcome.values)
        stats.nodes = mesh.count
        stats.seconds = Double(DispatchTime.now().uptimeNanoseconds - started) * 1e-9
        let finalSeries = try series(problem, outcome.differentiation, outcome.values)
        // The boundary residual of the returned polynomial (its values at a and b).
        let boundaryResidual = BoundaryValueSolution.boundaryResidual(
            problem: problem, start: finalSeries.value(at: problem.start), end: finalSeries.value(at: problem.end))
        let boundaryTolerance = self.boundaryTolerance ?? max(tolerance, 1e-12)
        if outcome.status == .success && !(boundaryResidual <= boundaryTolerance) {
            outcome.status = .noConvergence
            outcome.message = "the returned polynomial misses the boundary conditions: |g| = \(boundaryResidual) > boundaryTolerance = \(boundaryTolerance)"
        }
        var solution = BoundaryValueSolution(
            dimension: n, status: outcome.status, message: outcome.message, mesh: mesh, values: outcome.values,
            slopes: slopes, stats: stats,
            maxResidual: seriesResidual(problem, finalSeries, mesh), boundaryResidual: boundaryResidual)
        solution.series = finalSeries
        solution.parameterCount = problem.parameterCount
        return solution
    }

    /// max over the midpoints between nodes of the Euclidean norm of (p' − f(t, p))/(1 + |f|) for the
    /// polynomial p (at the nodes themselves the collocation equations hold).
    func seriesResidual(_ problem: BoundaryValueProblem, _ series: ChebyshevSeries, _ mesh: [Double]) -> Double {
        let n = problem.dimension
        var f = [Double](repeating: 0, count: n)
        var largest = 0.0
        for i in 0..<(mesh.count - 1) {
            let t = 0.5 * (mesh[i] + mesh[i + 1])
            let y = series.value(at: t), d = series.derivative(at: t)
            y.withUnsafeBufferPointer { yb in f.withUnsafeMutableBufferPointer { problem.field(t, yb.baseAddress!, $0.baseAddress!) } }
            var q = 0.0
            for k in 0..<n { let v = (d[k] - f[k]) / (1 + abs(f[k])); q += v * v }
            q = q.squareRoot()
            if !(q <= largest) { largest = q }
        }
        return largest
    }

    /// The Chebyshev series of the node values (one DCT-I per component).
    func series(_ problem: BoundaryValueProblem, _ differentiation: ChebyshevDifferentiation, _ values: [Double]) throws -> ChebyshevSeries {
        let n = problem.dimension, points = differentiation.degree + 1
        var coefficients = [Double](repeating: 0, count: points * n)
        for component in 0..<n {
            let column = (0..<points).map { values[$0 * n + component] }
            let c = try differentiation.coefficients(of: column)
            for k in 0..<points { coefficients[k * n + component] = c[k] }
        }
        return ChebyshevSeries(dimension: n, start: problem.start, end: problem.end, coefficients: coefficients)
    }

    func tailIsSmall(_ series: ChebyshevSeries) -> Bool {
        let n = series.dimension, degree = series.degree
        for component in 0..<n {
            var scale = 0.0
            for k in 0...degree { scale = max(scale, abs(series.coefficients[k * n + component])) }
            let tail = max(abs(series.coefficients[degree * n + component]), abs(series.coefficients[(degree - 1) * n + component]))
            if tail > tolerance * max(scale, 1e-300) && tail > 1e-15 { return false }
        }
        return true
    }

    /// Damped Newton on the collocation equations at a fixed N.
    private func newton(_ problem: BoundaryValueProblem, _ differentiation: ChebyshevDifferentiation, _ start: [Double],
                        na: Int, stats: inout BoundaryValueStats)
        throws -> (status: BoundaryValueStatus, message: String, values: [Double], differentiation: ChebyshevDifferentiation) {
        let n = problem.dimension, points = differentiation.degree + 1, size = points * n
        let d = differentiation.matrix
        var values = start
        var derivatives = FieldDerivatives(problem: problem)
        var residual = [Double](repeating: 0, count: size)
        var column = [Double](repeating: 0, count: points), derivative = column
        var workspace = [Double](repeating: 0, count: points + 1)
        var f = [Double](repeating: 0, count: size)
        let conditions = problem.boundaryConditions

        func evaluate(_ y: [Double], into r: inout [Double]) -> Bool {
            y.withUnsafeBufferPointer { yb in
                f.withUnsafeMutableBufferPointer { fb in
                    for j in 0..<points { problem.field(differentiation.points[j], yb.baseAddress! + j * n, fb.baseAddress! + j * n) }
                }
            }
            stats.fieldEvaluations += points
            for component in 0..<n {
                for j in 0..<points { column[j] = y[j * n + component] }
                column.withUnsafeBufferPointer { c in
                    derivative.withUnsafeMutableBufferPointer { dv in
                        workspace.withUnsafeMutableBufferPointer { w in differentiation.derivative(c, into: dv, workspace: w) }
                    }
                }
                for j in 0..<points { r[j * n + component] = derivative[j] - f[j * n + component] }
            }
            y.withUnsafeBufferPointer { yb in
                r.withUnsafeMutableBufferPointer { rb in
                    conditions.startResidual?(yb.baseAddress!, rb.baseAddress!)
                    // end conditions replace the last nb components at t_N
                    conditions.endResidual?(yb.baseAddress! + (points - 1) * n, rb.baseAddress! + (points - 1) * n + na)
                }
            }
            return r.allSatisfy { $0.isFinite }
        }

        func norm(_ v: [Double], _ y: [Double]) -> Double {
            var result = 0.0
            for i in 0..<size { result = max(result, abs(v[i]) / (1 + abs(y[i]))) }
            return v.allSatisfy { $0.isFinite } ? result : .infinity
        }

        guard evaluate(values, into: &residual) else { return (.nonFinite, "the field produced NaN or infinity", values, differentiation) }
        var jacobian = [Double](repeating: 0, count: nn(size))
        var block = [Double](repeating: 0, count: n * n)
        for _ in 0..<maxIterations {
            stats.newtonIterations += 1
            stats.jacobianEvaluations += 1
            // J = D ⊗ I − diag_j(f_y(t_j, Y_j)), rows replaced by the boundary conditions.
            for i in 0..<jacobian.count { jacobian[i] = 0 }
            for j in 0..<points {
                for l in 0..<points {
                    let entry = d[j * points + l]
                    for component in 0..<n { jacobian[(j * n + component) * size + l * n + component] = entry }
                }
                values.withUnsafeBufferPointer { yb in
                    f.withUnsafeBufferPointer { fb in
                        block.withUnsafeMutableBufferPointer { bb in
                            stats.fieldEvaluations += derivatives.jacobian(differentiation.points[j], yb.baseAddress! + j * n,
                                                                           fb.baseAddress! + j * n, into: bb.baseAddress!)
                        }
                    }
                }
                for r in 0..<n { for c in 0..<n { jacobian[(j * n + r) * size + j * n + c] -= block[r * n + c] } }
            }
            let (ga, gb) = conditions.jacobians(start: Array(values[0..<n]), end: Array(values[(points - 1) * n..<size]), dimension: n)
            for r in 0..<na {
                for c in 0..<size { jacobian[r * size + c] = 0 }
                for c in 0..<n { jacobian[r * size + c] = ga[r * n + c] }
            }
            for r in na..<n {
                let row = (points - 1) * n + r
                for c in 0..<size { jacobian[row * size + c] = 0 }
                for c in 0..<n { jacobian[row * size + (points - 1) * n + c] = gb[r * n + c] }
            }
            let lu = try DenseLU(matrix: jacobian, dimension: size)
            guard var step = lu.solve(residual.map { -$0 }) else {
                return (.singularJacobian, "the Chebyshev collocation matrix is singular", values, differentiation)
            }
            let stepNorm = norm(step, values)
            if stepNorm < 1e-13 {
                for i in 0..<size { values[i] += step[i] }
                _ = evaluate(values, into: &residual)
                return (.success, "converged", values, differentiation)
            }
            var alpha = 1.0
            var accepted = false
            var trial = values, trialResidual = residual
            while alpha >= 1.0 / 1024 {
                for i in 0..<size { trial[i] = values[i] + alpha * step[i] }
                if evaluate(trial, into: &trialResidual), let simplified = lu.solve(trialResidual.map { -$0 }),
                   norm(simplified, trial) <= (1 - alpha / 4) * stepNorm {
                    accepted = true
                    step = simplified
                    break
                }
                alpha *= 0.5
            }
            if !accepted {
                return (.noConvergence, "damped Newton could not reduce the Chebyshev collocation residual: no solution near the guess", values, differentiation)
            }
            values = trial
            residual = trialResidual
            if alpha == 1 && norm(step, values) < 1e-13 {
                for i in 0..<size { values[i] += step[i] }
                _ = evaluate(values, into: &residual)
                return (.success, "converged", values, differentiation)
            }
        }
        return (.maxIterations, "Chebyshev collocation Newton did not converge in \(maxIterations) iterations", values, differentiation)
    }

    private func nn(_ size: Int) -> Int { size * size }
}
