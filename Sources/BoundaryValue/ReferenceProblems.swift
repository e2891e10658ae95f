import Foundation
import NumericCore

/// A built-in problem with its exact solution where one is known (for tests, the command line and
/// benchmarks).
public struct ReferenceProblem: Sendable {
    public let name: String
    public let problem: BoundaryValueProblem
    /// A sensible starting point (documented per problem).
    public let initialGuess: InitialGuess
    /// Exact y on the uniform grid of `intervals` intervals (row-major, (intervals + 1) × n), or nil.
    public let exactOnUniformGrid: (@Sendable (_ intervals: Int) -> [Double])?

    /// max over the uniform grid of |y_exact(t) − y(t)| (all components), nil without an exact solution.
    public func maxError(of solution: (Double) -> [Double], intervals: Int = 400) -> Double? {
        maxDeviation(of: solution, intervals: intervals) { error, _ in error }
    }

    /// max over the uniform grid of |y(t) − y_exact(t)| / (1 + |y_exact(t)|) (all components): the
    /// relative measure the shooting solvers' `tolerance` bounds; nil without an exact solution.
    public func maxRelativeError(of solution: (Double) -> [Double], intervals: Int = 4000) -> Double? {
        maxDeviation(of: solution, intervals: intervals) { error, exact in error / (1 + abs(exact)) }
    }

    /// max over the uniform grid of `measure(|y − y_exact|, y_exact)` (a NaN counts as infinite).
    private func maxDeviation(of solution: (Double) -> [Double], intervals: Int,
                              measure: (_ error: Double, _ exact: Double) -> Double) -> Double? {
        guard let exact = exactOnUniformGrid?(intervals) else { return nil }
        let n = problem.dimension
        let grid = uniformMesh(problem.start, problem.end, count: intervals + 1)
        var worst = 0.0
        for (i, t) in grid.enumerated() {
            let y = solution(t)
            for k in 0..<n {
                let e = measure(abs(y[k] - exact[i * n + k]), exact[i * n + k])
                if !(e <= worst) { worst = e.isNaN ? .infinity : e }
            }
        }
        return worst
    }
}

/// The problem library: Bratu, the linear-quadratic Hamiltonian BVP, a boundary layer and an
/// interior layer, each with a closed-form solution (MATH.md §4; issue "Boundary-value solvers").
public enum ReferenceProblems {
    public static let names = ["bratu", "lq", "boundary-layer", "interior-layer"]

    // MARK: Bratu

    /// θ of Bratu's closed form: the roots of θ = √(2λ) cosh(θ/4); `upper` selects the larger root
    /// (upper branch). nil when λ exceeds the fold (λ* ≈ 3.5138), where no solution exists.
    public static func bratuTheta(lambda: Double, upper: Bool) -> Double? {
        guard lambda > 0 else { return nil }
        let c = (2 * lambda).squareRoot()
        func g(_ theta: Double) -> Double { theta - c * cosh(theta / 4) }
        let peak = 4 * asinh(4 / c) // g is concave with its maximum here
        guard g(peak) > 0 else { return nil }
        var low = upper ? peak : 0.0
        var high = upper ? peak + 1 : peak
        if upper { while g(high) > 0 { high = peak + 2 * (high - peak) } }
        // bisection: g(low) and g(high) have opposite signs
        for _ in 0..<200 {
            let middle = 0.5 * (low + high)
            if (g(middle) > 0) == (g(low) > 0) { low = middle } else { high = middle }
        }
        return 0.5 * (low + high)
    }

    /// Bratu y'' + λ e^y = 0, y(0) = y(1) = 0 as the system (y, y'). Exact:
    /// y = −2 ln[cosh((t − 1/2)θ/2) / cosh(θ/4)]. Guess: zero (lower branch) or 16 t(1 − t)·(θ-scaled)
    /// bump (upper branch).
    public static func bratu(lambda: Double, upperBranch: Bool = false) throws -> ReferenceProblem {
        try Validate.positive(lambda, "lambda")
        let problem = try BoundaryValueProblem(
            dimension: 2, start: 0, end: 1,
            field: { _, y, dy in dy[0] = y[1]; dy[1] = -lambda * exp(y[0]) },
            fieldJacobian: { _, y, j in j[0] = 0; j[1] = 1; j[2] = -lambda * exp(y[0]); j[3] = 0 },
            boundaryConditions: .separated(
                startCount: 1, start: { y, r in r[0] = y[0] }, startJacobian: { _, j in j[0] = 1; j[1] = 0 },
                end: { y, r in r[0] = y[0] }, endJacobian: { _, j in j[0] = 1; j[1] = 0 }))
        let theta = bratuTheta(lambda: lambda, upper: upperBranch)
        var exact: (@Sendable (Int) -> [Double])?
        if let theta {
            exact = { intervals in
                var values = [Double]()
                for t in uniformMesh(0, 1, count: intervals + 1) {
                    let u: Double = (t - 0.5) * theta / 2
                    values.append(-2 * log(cosh(u) / cosh(theta / 4)))
                    values.append(-theta * tanh(u))
                }
                return values
            }
        }
        let height = upperBranch ? 4.0 : 0.0
        let guess = InitialGuess.function({ t in [4 * height * t * (1 - t), 4 * height * (1 - 2 * t)] }, nodes: 11)
        return ReferenceProblem(name: "bratu", problem: problem, initialGuess: guess, exactOnUniformGrid: exact)
    }

    // MARK: Linear-quadratic Hamiltonian problem

    /// A_ij = sin((i+1)(j+2))/√n − 1.5 δ_ij (0-based).
    public static func linearQuadraticMatrix(dimension n: Int) -> [Double] {
        var a = [Double](repeating: 0, count: n * n)
        for i in 0..<n {
            for j in 0..<n { a[i * n + j] = sin(Double((i + 1) * (j + 2))) / Double(n).squareRoot() - (i == j ? 1.5 : 0) }
        }
        return a
    }

    /// The Hamiltonian matrix M of y = (x, p): x' = A x − p, p' = −x − Aᵀ p.
    public static func linearQuadraticHamiltonian(dimension n: Int) -> [Double] {
        let a = linearQuadraticMatrix(dimension: n)
        let m = 2 * n
        var h = [Double](repeating: 0, count: m * m)
        for i in 0..<n {
            for j in 0..<n {
                h[i * m + j] = a[i * n + j]
                h[(n + i) * m + n + j] = -a[j * n + i]
            }
            h[i * m + n + i] = -1
            h[(n + i) * m + i] = -1
        }
        return h
    }

    /// x' = A x − p, p' = −x − Aᵀ p, x(0) = (1, …, 1), p(T) = x(T) (MATH.md §4 V2 with R_in = ∞).
    /// Exact solution on a grid: the node values satisfy y_{k+1} = e^{MΔ} y_k exactly; with the boundary
    /// conditions that is an almost-block-diagonal linear system, solved stably (no e^{MT} of the
    /// whole horizon, whose growing modes would swamp the answer for large T). Guess: zero on 11
    /// nodes (as in the benchmark).
    public static func linearQuadratic(dimension n: Int, horizon: Double = 5) throws -> ReferenceProblem {
        try Validate.positive(n, "dimension")
        try Validate.positive(horizon, "horizon")
        let hamiltonian = linearQuadraticHamiltonian(dimension: n)
        let m = 2 * n
        let problem = try BoundaryValueProblem(
            dimension: m, start: 0, end: horizon,
            field: { _, y, dy in
                hamiltonian.withUnsafeBufferPointer { h in BLAS.gemv(m: m, n: m, a: h.baseAddress!, lda: m, x: y, y: dy) }
            },
            fieldJacobian: { _, _, j in
                hamiltonian.withUnsafeBufferPointer { h in j.update(from: h.baseAddress!, count: m * m) }
            },
            boundaryConditions: .separated(
                startCount: n,
                start: { y, r in for i in 0..<n { r[i] = y[i] - 1 } },
                startJacobian: { _, j in
                    for i in 0..<(n * m) { j[i] = 0 }
                    for i in 0..<n { j[i * m + i] = 1 }
                },
                end: { y, r in for i in 0..<n { r[i] = y[n + i] - y[i] } },
                endJacobian: { _, j in
                    for i in 0..<(n * m) { j[i] = 0 }
                    for i in 0..<n { j[i * m + i] = -1; j[i * m + n + i] = 1 }
                }))
        let exact: @Sendable (Int) -> [Double] = { intervals in
            (try? linearQuadraticExact(hamiltonian: hamiltonian, dimension: n, horizon: horizon, intervals: intervals))
                ?? [Double](repeating: .nan, count: (intervals + 1) * m)
        }
        let guess = InitialGuess.mesh(uniformMesh(0, horizon, count: 11), values: [Double](repeating: 0, count: 11 * m))
        return ReferenceProblem(name: "lq", problem: problem, initialGuess: guess, exactOnUniformGrid: exact)
    }

    static func linearQuadraticExact(hamiltonian: [Double], dimension n: Int, horizon: Double,
                                     intervals: Int) throws -> [Double] {
        let m = 2 * n
        let propagator = try MatrixExponential.compute(hamiltonian, dimension: m, scale: horizon / Double(intervals))
        var system = try AlmostBlockDiagonalMatrix(blockSize: m, blockCount: intervals, topRows: n)
        for i in 0..<n { system.top[i * m + i] = 1 }
        for k in 0..<intervals {
            for r in 0..<m {
                let base = k * 2 * m * m + r * 2 * m
                for c in 0..<m { system.blocks[base + c] = propagator[r * m + c] }
                system.blocks[base + m + r] = -1
            }
        }
        for i in 0..<n { system.bottom[i * m + i] = -1; system.bottom[i * m + n + i] = 1 }
        var rhs = [Double](repeating: 0, count: (intervals + 1) * m)
        for i in 0..<n { rhs[i] = 1 }
        let lu = AlmostBlockDiagonalLU()
        lu.factor(system)
        lu.solve(&rhs)
        return rhs
    }

    // MARK: Layers

    /// ε y'' + y' = 0, y(0) = 0, y(1) = 1: a boundary layer of width ε at t = 0. Exact:
    /// y = (1 − e^{−t/ε}) / (1 − e^{−1/ε}). Guess: the straight line y = t.
    public static func boundaryLayer(epsilon: Double) throws -> ReferenceProblem {
        try Validate.positive(epsilon, "epsilon")
        let problem = try BoundaryValueProblem(
            dimension: 2, start: 0, end: 1,
            field: { _, y, dy in dy[0] = y[1]; dy[1] = -y[1] / epsilon },
            fieldJacobian: { _, _, j in j[0] = 0; j[1] = 1; j[2] = 0; j[3] = -1 / epsilon },
            boundaryConditions: .separated(
                startCount: 1, start: { y, r in r[0] = y[0] }, startJacobian: { _, j in j[0] = 1; j[1] = 0 },
                end: { y, r in r[0] = y[0] - 1 }, endJacobian: { _, j in j[0] = 1; j[1] = 0 }))
        let exact: @Sendable (Int) -> [Double] = { intervals in
            let denominator: Double = -expm1(-1 / epsilon)
            var values = [Double]()
            for t in uniformMesh(0, 1, count: intervals + 1) {
                values.append(-expm1(-t / epsilon) / denominator)
                values.append(exp(-t / epsilon) / (epsilon * denominator))
            }
            return values
        }
        let guess = InitialGuess.function({ t in [t, 1] }, nodes: 11)
        return ReferenceProblem(name: "boundary-layer", problem: problem, initialGuess: guess, exactOnUniformGrid: exact)
    }

    /// ε y'' + t y' = 0 on [−1, 1], y(−1) = −1, y(1) = 1: an interior layer of width √ε at t = 0.
    /// Exact: y = erf(t/√(2ε)) / erf(1/√(2ε)). Guess: the straight line y = t.
    public static func interiorLayer(epsilon: Double) throws -> ReferenceProblem {
        try Validate.positive(epsilon, "epsilon")
        let problem = try BoundaryValueProblem(
            dimension: 2, start: -1, end: 1,
            field: { t, y, dy in dy[0] = y[1]; dy[1] = -t * y[1] / epsilon },
            fieldJacobian: { t, _, j in j[0] = 0; j[1] = 1; j[2] = 0; j[3] = -t / epsilon },
            boundaryConditions: .separated(
                startCount: 1, start: { y, r in r[0] = y[0] + 1 }, startJacobian: { _, j in j[0] = 1; j[1] = 0 },
                end: { y, r in r[0] = y[0] - 1 }, endJacobian: { _, j in j[0] = 1; j[1] = 0 }))
        let scale = (2 * epsilon).squareRoot()
        let exact: @Sendable (Int) -> [Double] = { intervals in
            let denominator: Double = erf(1 / scale)
            let slopeFactor: Double = 2 / (Double.pi.squareRoot() * scale * denominator)
            var values = [Double]()
            for t in uniformMesh(-1, 1, count: intervals + 1) {
                values.append(erf(t / scale) / denominator)
                values.append(slopeFactor * exp(-t * t / (2 * epsilon)))
            }
            return values
        }
        let guess = InitialGuess.function({ t in [t, 1] }, nodes: 11)
        return ReferenceProblem(name: "interior-layer", problem: problem, initialGuess: guess, exactOnUniformGrid: exact)
    }
}
