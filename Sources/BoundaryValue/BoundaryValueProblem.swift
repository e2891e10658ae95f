import NumericCore

/// The right-hand side f(t, y) of y' = f(t, y): reads n values at `y`, writes n values at `dy`.
public typealias VectorField = @Sendable (_ t: Double, _ y: UnsafePointer<Double>, _ dy: UnsafeMutablePointer<Double>) -> Void

/// ∂f/∂y at (t, y): writes the n × n row-major matrix (row i = ∂f_i/∂y) at `jacobian`.
public typealias VectorFieldJacobian = @Sendable (_ t: Double, _ y: UnsafePointer<Double>,
                                                  _ jacobian: UnsafeMutablePointer<Double>) -> Void

/// A two-point boundary value problem y' = f(t, y), t in [start, end], y in Rⁿ, with n boundary
/// conditions g(y(start), y(end)) = 0.
///
/// The problem holds mathematics only; how it is solved is the algorithm value's business
/// (`Collocation`, `Shooting`, `MultipleShooting`, `ChebyshevCollocation`). Without an analytic
/// `fieldJacobian` the solvers use forward differences (step √ε·max(1, |y_j|)). Unknown parameters p
/// are handled by appending them to y with p' = 0 (see `withParameters`).
public struct BoundaryValueProblem: Sendable {
    /// Unknowns per node: the state and, after it, `parameterCount` unknown parameters.
    public let dimension: Int
    /// Unknown constant parameters appended to the state (`withParameters`); 0 otherwise. Solutions
    /// return them in `BoundaryValueSolution.parameters`.
    public internal(set) var parameterCount = 0
    /// S of a singular term S y/(t − start) (`withSingularTerm`), m × m row-major; nil otherwise.
    public internal(set) var singularTerm: [Double]? = nil
    public let start: Double
    public let end: Double
    public let field: VectorField
    public let fieldJacobian: VectorFieldJacobian?
    public let boundaryConditions: BoundaryConditions

    /// - Throws: `InvalidArgument` for dimension < 1, a non-finite or empty interval, or boundary
    ///   conditions whose count is not n.
    public init(dimension: Int, start: Double, end: Double, field: @escaping VectorField,
                fieldJacobian: VectorFieldJacobian? = nil, boundaryConditions: BoundaryConditions) throws {
        try Validate.positive(dimension, "dimension")
        try Validate.interval(start, end, "[start, end]")
        if let count = boundaryConditions.startCount, !(0...dimension).contains(count) {
            throw InvalidArgument("boundaryConditions.startCount", count, "must be in 0...\(dimension)")
        }
        self.dimension = dimension
        self.start = start
        self.end = end
        self.field = field
        self.fieldJacobian = fieldJacobian
        self.boundaryConditions = boundaryConditions
    }

    /// A problem with `parameterCount` unknown constants p appended to the state: the field becomes
    /// (f(t, y, p), 0) and the n + k conditions act on the augmented end values. `field` receives
    /// y and p at `y` (n + k values) and writes n derivatives. `fieldJacobian`, when given, writes
    /// ∂f/∂(y, p), n × (n + k) row-major (SciPy's `fun_jac` with its `df_dp` as the last k columns);
    /// without it the solvers difference the field. The solution returns p in `parameters`.
    /// - Throws: `InvalidArgument` for parameterCount < 0 and the checks of `init`.
    public static func withParameters(dimension: Int, parameterCount: Int, start: Double, end: Double,
                                      field: @escaping VectorField, fieldJacobian: VectorFieldJacobian? = nil,
                                      boundaryConditions: BoundaryConditions) throws -> BoundaryValueProblem {
        try Validate.atLeast(parameterCount, 0, "parameterCount")
        let n = dimension, k = parameterCount
        // The augmented Jacobian's first n rows are the given n × (n + k) block (same row-major layout);
        // the parameters' rows are zero.
        var augmentedJacobian: VectorFieldJacobian? = nil
        if let fieldJacobian {
            augmentedJacobian = { t, y, j in
                fieldJacobian(t, y, j)
                for i in (n * (n + k))..<((n + k) * (n + k)) { j[i] = 0 }
            }
        }
        var problem = try BoundaryValueProblem(
            dimension: n + k, start: start, end: end,
            field: { t, y, dy in
                field(t, y, dy)
                for i in 0..<k { dy[n + i] = 0 }
            },
            fieldJacobian: augmentedJacobian,
            boundaryConditions: boundaryConditions)
        problem.parameterCount = k
        return problem
    }
}

/// The boundary residual: separated (na conditions on y(start), n − na on y(end)), as collocation and
/// multiple shooting need for their almost-block-diagonal Jacobian, or general g(y(a), y(b)) = 0
/// (single shooting, and collocation through an equivalent separated problem of dimension 2n;
/// multiple shooting and Chebyshev collocation reject it with an `InvalidArgument`).
public struct BoundaryConditions: Sendable {
    public typealias EndResidual = @Sendable (_ y: UnsafePointer<Double>, _ residual: UnsafeMutablePointer<Double>) -> Void
    /// Row-major (count × n) derivative of an end residual.
    public typealias EndJacobian = @Sendable (_ y: UnsafePointer<Double>, _ jacobian: UnsafeMutablePointer<Double>) -> Void
    public typealias GeneralResidual = @Sendable (_ start: UnsafePointer<Double>, _ end: UnsafePointer<Double>,
                                                  _ residual: UnsafeMutablePointer<Double>) -> Void

    /// Number of conditions on y(start) when separated, nil for general conditions.
    public let startCount: Int?
    let startResidual: EndResidual?
    let startJacobian: EndJacobian?
    let endResidual: EndResidual?
    let endJacobian: EndJacobian?
    let generalResidual: GeneralResidual?

    public var isSeparated: Bool { startCount != nil }

    /// `startCount` conditions on y(start), the remaining n − startCount on y(end).
    public static func separated(startCount: Int, start: @escaping EndResidual, startJacobian: EndJacobian? = nil,
                                 end: @escaping EndResidual, endJacobian: EndJacobian? = nil) -> BoundaryConditions {
        BoundaryConditions(startCount: startCount, startResidual: start, startJacobian: startJacobian,
                           endResidual: end, endJacobian: endJacobian, generalResidual: nil)
    }

    /// n conditions g(y(start), y(end)) = 0 coupling both ends.
    public static func general(_ residual: @escaping GeneralResidual) -> BoundaryConditions {
        BoundaryConditions(startCount: nil, startResidual: nil, startJacobian: nil, endResidual: nil,
                           endJacobian: nil, generalResidual: residual)
    }

    /// g(ya, yb) in the general form (separated: start rows first, then end rows).
    func evaluate(start ya: UnsafePointer<Double>, end yb: UnsafePointer<Double>, residual: UnsafeMutablePointer<Double>) {
        if let general = generalResidual {
            general(ya, yb, residual)
        } else if let count = startCount, let s = startResidual, let e = endResidual {
            s(ya, residual)
            e(yb, residual + count)
        }
    }
}

/// The starting point of a solve: values on a mesh, a function of t, or a previous solution
/// (continuation in a parameter).
public enum InitialGuess: Sendable {
    /// `values` holds mesh.count × n numbers, row-major (node by node).
    case mesh([Double], values: [Double])
    /// y(t) on `nodes` equally spaced nodes (the solver's default node count when nil).
    case function(@Sendable (Double) -> [Double], nodes: Int?)
    case solution(BoundaryValueSolution)

    /// The guess at one time t (n values).
    public static func sampleOne(_ guess: InitialGuess, at t: Double, dimension n: Int) -> [Double] {
        guess.sample(on: [t], dimension: n)
    }

    /// Values on a given mesh (row-major, mesh.count × n).
    func sample(on mesh: [Double], dimension n: Int) -> [Double] {
        var values = [Double](repeating: 0, count: mesh.count * n)
        switch self {
        case let .mesh(nodes, data):
            let interpolant = PiecewiseLinear(nodes: nodes, values: data, dimension: n)
            for (i, t) in mesh.enumerated() { interpolant.value(at: t, into: &values, offset: i * n) }
        case let .function(function, _):
            for (i, t) in mesh.enumerated() {
                let y = function(t)
                for k in 0..<min(n, y.count) { values[i * n + k] = y[k] }
            }
        case let .solution(solution):
            for (i, t) in mesh.enumerated() {
                let y = solution.value(at: t)
                for k in 0..<min(n, y.count) { values[i * n + k] = y[k] }
            }
        }
        return values
    }

    /// The guess's own mesh, or `defaultNodes` equally spaced nodes on [a, b].
    func mesh(start a: Double, end b: Double, defaultNodes: Int) -> [Double] {
        switch self {
        case let .mesh(nodes, _): return nodes
        case let .function(_, nodes): return uniformMesh(a, b, count: nodes ?? defaultNodes)
        case let .solution(solution): return solution.mesh
        }
    }

    /// Checks sizes and finiteness before any numerics.
    func validate(dimension n: Int, start a: Double, end b: Double) throws {
        switch self {
        case let .mesh(nodes, values):
            try Validate.atLeast(nodes.count, 2, "initialGuess.mesh.count")
            try Validate.count(values.count, nodes.count * n, "initialGuess.values")
            try Validate.finite(nodes, "initialGuess.mesh")
            try Validate.finite(values, "initialGuess.values")
            for i in 1..<nodes.count where !(nodes[i] > nodes[i - 1]) {
                throw InvalidArgument("initialGuess.mesh[\(i)]", nodes[i], "must be strictly increasing")
            }
            guard abs(nodes[0] - a) <= 1e-12 * max(1, abs(a)), abs(nodes[nodes.count - 1] - b) <= 1e-12 * max(1, abs(b)) else {
                throw InvalidArgument("initialGuess.mesh", "[\(nodes[0]), \(nodes[nodes.count - 1])]", "must span [\(a), \(b)]")
            }
        case let .function(function, nodes):
            if let nodes { try Validate.atLeast(nodes, 2, "initialGuess.nodes") }
            for t in [a, (a + b) / 2, b] {
                let y = function(t)
                try Validate.count(y.count, n, "initialGuess(\(t))")
                try Validate.finite(y, "initialGuess(\(t))")
            }
        case let .solution(solution):
            try Validate.count(solution.dimension, n, "initialGuess.solution.dimension")
        }
    }
}

/// n + 1 equally spaced points from a to b (last point exactly b).
func uniformMesh(_ a: Double, _ b: Double, count: Int) -> [Double] {
    let intervals = max(1, count - 1)
    return (0...intervals).map { $0 == intervals ? b : a + (b - a) * Double($0) / Double(intervals) }
}

/// Piecewise-linear interpolation of node values (for mesh-and-values guesses).
struct PiecewiseLinear {
    let nodes: [Double]
    let values: [Double]
    let dimension: Int

    func value(at t: Double, into output: inout [Double], offset: Int) {
        let n = dimension
        var i = 0
        var high = nodes.count - 1
        while high - i > 1 {
            let middle = (i + high) / 2
            if nodes[middle] <= t { i = middle } else { high = middle }
        }
        let span = nodes[i + 1] - nodes[i]
        let s = span > 0 ? min(max((t - nodes[i]) / span, 0), 1) : 0
        for k in 0..<n { output[offset + k] = (1 - s) * values[i * n + k] + s * values[(i + 1) * n + k] }
    }
}
