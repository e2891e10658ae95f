import NumericCore

extension BoundaryValueProblem {
    /// The separated problem equivalent to one with coupled conditions g(y(a), y(b)) = 0
    /// (Notes/bvp-verification.md, "Coupled conditions"): the state is augmented by n constants
    /// z' = 0 with z(a) = y(a) (n conditions at a), and g(z(b), y(b)) = 0 is imposed at b. The
    /// Newton matrix of collocation stays almost block diagonal (blocks of 2n instead of a coupled
    /// corner block), at 8 times the O(N n³) cost of a separated problem of dimension n.
    func separatedByAugmentation() throws -> BoundaryValueProblem {
        guard let general = boundaryConditions.generalResidual else { return self }
        let n = dimension, m = 2 * n
        let field = self.field
        var augmentedJacobian: VectorFieldJacobian? = nil
        if let jacobian = fieldJacobian {
            augmentedJacobian = { t, y, j in
                jacobian(t, y, j)
                // Spread the n × n block to rows of 2n, from the back so that no entry is overwritten
                // before it is read; z's columns and rows are zero.
                for r in stride(from: n - 1, through: 0, by: -1) {
                    for c in stride(from: n - 1, through: 0, by: -1) { j[r * m + c] = j[r * n + c] }
                    for c in n..<m { j[r * m + c] = 0 }
                }
                for i in (n * m)..<(m * m) { j[i] = 0 }
            }
        }
        var problem = try BoundaryValueProblem(
            dimension: m, start: start, end: end,
            field: { t, y, dy in
                field(t, y, dy)
                for i in n..<m { dy[i] = 0 }
            },
            fieldJacobian: augmentedJacobian,
            boundaryConditions: .separated(
                startCount: n,
                start: { y, r in for i in 0..<n { r[i] = y[n + i] - y[i] } },
                startJacobian: { _, j in
                    for i in 0..<(n * m) { j[i] = 0 }
                    for i in 0..<n { j[i * m + i] = -1; j[i * m + n + i] = 1 }
                },
                end: { y, r in general(y + n, y, r) }))
        problem.parameterCount = parameterCount
        return problem
    }
}

extension InitialGuess {
    /// The guess of the augmented problem (`separatedByAugmentation`): y and, as z, y(a) everywhere.
    func augmented(dimension n: Int, start a: Double, end b: Double, defaultNodes: Int) -> InitialGuess {
        let mesh = self.mesh(start: a, end: b, defaultNodes: defaultNodes)
        let values = sample(on: mesh, dimension: n)
        var augmented = [Double]()
        augmented.reserveCapacity(2 * values.count)
        for i in 0..<mesh.count {
            augmented += values[(i * n)..<((i + 1) * n)]
            augmented += values[0..<n]
        }
        return .mesh(mesh, values: augmented)
    }
}

extension BoundaryValueSolution {
    /// The first `n` components of a solution of the augmented problem, with |g| of the original
    /// coupled conditions.
    func projected(to problem: BoundaryValueProblem) -> BoundaryValueSolution {
        let n = problem.dimension, m = dimension
        var values = [Double](), slopes = [Double]()
        values.reserveCapacity(mesh.count * n)
        slopes.reserveCapacity(mesh.count * n)
        for i in 0..<mesh.count {
            values += self.values[(i * m)..<(i * m + n)]
            slopes += self.slopes[(i * m)..<(i * m + n)]
        }
        let boundaryResidual = mesh.isEmpty ? .nan : BoundaryValueSolution.boundaryResidual(
            problem: problem, start: Array(values[0..<n]), end: Array(values[((mesh.count - 1) * n)...]))
        var solution = BoundaryValueSolution(
            dimension: n, status: status, message: message, mesh: mesh, values: values, slopes: slopes, stats: stats,
            maxResidual: maxResidual, boundaryResidual: boundaryResidual)
        solution.parameterCount = problem.parameterCount
        return solution
    }
}
