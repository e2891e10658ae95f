import NumericCore

extension BoundaryValueProblem {
    /// The problem y' = S y/(t − a) + f(t, y) with a singular term at the left end a = `start` (SciPy's
    /// `S`; the Emden equation y'' + (2/t) y' + y⁵ = 0 is y₁' = y₂, y₂' = −2y₂/t − y₁⁵, S = [[0, 0], [0, −2]]).
    /// A solution regular at a has S y(a) = 0 and y'(a) = S y'(a) + f(a, y(a)), so at t = a the field is
    /// D f(a, y) with D = (I − S)⁻¹ and elsewhere f + S y/(t − a); the Jacobian likewise (D ∂f/∂y at a,
    /// ∂f/∂y + S/(t − a) elsewhere). The boundary conditions must imply S y(a) = 0 (here y₂(0) = 0);
    /// collocation checks it on the returned solution against its boundary tolerance and reports
    /// `noConvergence` when they do not. `s` is m × m row-major with m = dimension − parameterCount (it
    /// acts on the state, not on unknown parameters). Every solver that evaluates the field at t = a
    /// (collocation, Chebyshev, shooting from a) uses the regular value there. Notes/bvp-verification.md.
    /// - Throws: `InvalidArgument` for a matrix of the wrong size, non-finite entries, or I − S singular.
    public func withSingularTerm(_ s: [Double]) throws -> BoundaryValueProblem {
        let m = dimension - parameterCount, n = dimension, a = start
        try Validate.count(s.count, m * m, "singularTerm")
        try Validate.finite(s, "singularTerm")
        var identityMinusS = [Double](repeating: 0, count: m * m)
        for i in 0..<m { for j in 0..<m { identityMinusS[i * m + j] = (i == j ? 1 : 0) - s[i * m + j] } }
        let lu = try DenseLU(matrix: identityMinusS, dimension: m)
        guard lu.status.isSuccess else { throw InvalidArgument("singularTerm", "S", "must leave I − S invertible (\(lu.status))") }
        // D = (I − S)⁻¹, column by column.
        var d = [Double](repeating: 0, count: m * m)
        for j in 0..<m {
            var e = [Double](repeating: 0, count: m)
            e[j] = 1
            guard let column = lu.solve(e) else { throw InvalidArgument("singularTerm", "S", "must leave I − S invertible") }
            for i in 0..<m { d[i * m + j] = column[i] }
        }
        let base = field, baseJacobian = fieldJacobian, dMatrix = d
        let wrappedField: VectorField = { t, y, dy in
            base(t, y, dy)
            if t == a {
                // dy ← D dy on the state components.
                var column = [Double](repeating: 0, count: m)
                for i in 0..<m { column[i] = dy[i] }
                for i in 0..<m {
                    var sum = 0.0
                    for j in 0..<m { sum += dMatrix[i * m + j] * column[j] }
                    dy[i] = sum
                }
            } else {
                let inverse = 1 / (t - a)
                for i in 0..<m {
                    var sum = 0.0
                    for j in 0..<m { sum += s[i * m + j] * y[j] }
                    dy[i] += sum * inverse
                }
            }
        }
        var wrappedJacobian: VectorFieldJacobian? = nil
        if let baseJacobian {
            wrappedJacobian = { t, y, jacobian in
                baseJacobian(t, y, jacobian)
                if t == a {
                    var rows = [Double](repeating: 0, count: m * n)
                    for i in 0..<(m * n) { rows[i] = jacobian[i] }
                    for i in 0..<m {
                        for c in 0..<n {
                            var sum = 0.0
                            for j in 0..<m { sum += dMatrix[i * m + j] * rows[j * n + c] }
                            jacobian[i * n + c] = sum
                        }
                    }
                } else {
                    let inverse = 1 / (t - a)
                    for i in 0..<m { for j in 0..<m { jacobian[i * n + j] += s[i * m + j] * inverse } }
                }
            }
        }
        var problem = try BoundaryValueProblem(dimension: n, start: start, end: end, field: wrappedField,
                                               fieldJacobian: wrappedJacobian, boundaryConditions: boundaryConditions)
        problem.parameterCount = parameterCount
        problem.singularTerm = s
        return problem
    }

    /// max |S y(a)| of a solution's start value (0 without a singular term): the regularity condition.
    func singularResidual(start y: [Double]) -> Double {
        guard let s = singularTerm else { return 0 }
        let m = dimension - parameterCount
        var worst = 0.0
        for i in 0..<m {
            var sum = 0.0
            for j in 0..<m { sum += s[i * m + j] * y[j] }
            worst = max(worst, abs(sum))
        }
        return worst
    }
}
