import NumericCore

/// ∂f/∂y of a problem: the analytic Jacobian when given, else forward differences with step
/// δ_j = √ε · max(1, |y_j|) (first-order accurate, error ~1e-8 relative: enough for Newton, which
/// then converges linearly with a small rate instead of quadratically).
struct FieldDerivatives {
    let problem: BoundaryValueProblem
    private var perturbed: [Double]
    private var shifted: [Double]

    init(problem: BoundaryValueProblem) {
        self.problem = problem
        perturbed = [Double](repeating: 0, count: problem.dimension)
        shifted = [Double](repeating: 0, count: problem.dimension)
    }

    /// Writes ∂f/∂y (n × n row-major) at (t, y); `fy` must hold f(t, y). Returns the number of extra
    /// field evaluations (0 with an analytic Jacobian).
    mutating func jacobian(_ t: Double, _ y: UnsafePointer<Double>, _ fy: UnsafePointer<Double>,
                           into jacobian: UnsafeMutablePointer<Double>) -> Int {
        let problem = self.problem
        return perturbed.withUnsafeMutableBufferPointer { p in
            shifted.withUnsafeMutableBufferPointer { s in
                Self.jacobian(of: problem, t, y, fy, into: jacobian, perturbed: p.baseAddress!, shifted: s.baseAddress!)
            }
        }
    }

    /// The same on caller-owned scratch (n values each at `perturbed` and `shifted`), for workers that
    /// keep their own workspace; touches nothing else, so concurrent calls on disjoint scratch are safe.
    static func jacobian(of problem: BoundaryValueProblem, _ t: Double, _ y: UnsafePointer<Double>,
                         _ fy: UnsafePointer<Double>, into jacobian: UnsafeMutablePointer<Double>,
                         perturbed yp: UnsafeMutablePointer<Double>, shifted fs: UnsafeMutablePointer<Double>) -> Int {
        let n = problem.dimension
        if let analytic = problem.fieldJacobian {
            analytic(t, y, jacobian)
            return 0
        }
        let field = problem.field
        for k in 0..<n { yp[k] = y[k] }
        for j in 0..<n {
            let step = 1.4901161193847656e-8 * max(1, abs(y[j]))
            yp[j] = y[j] + step
            let actual = yp[j] - y[j]
            field(t, yp, fs)
            for i in 0..<n { jacobian[i * n + j] = (fs[i] - fy[i]) / actual }
            yp[j] = y[j]
        }
        return n
    }

    /// Forward-difference Jacobian (rows × n, row-major) of an end residual.
    static func endJacobian(_ residual: BoundaryConditions.EndResidual, rows: Int, dimension n: Int,
                            at y: UnsafePointer<Double>, into jacobian: UnsafeMutablePointer<Double>) {
        guard rows > 0 else { return }
        var base = [Double](repeating: 0, count: rows), shifted = base
        var point = Array(UnsafeBufferPointer(start: y, count: n))
        base.withUnsafeMutableBufferPointer { b in residual(y, b.baseAddress!) }
        for j in 0..<n {
            let step = 1.4901161193847656e-8 * max(1, abs(point[j]))
            let original = point[j]
            point[j] = original + step
            let actual = point[j] - original
            point.withUnsafeBufferPointer { p in shifted.withUnsafeMutableBufferPointer { s in residual(p.baseAddress!, s.baseAddress!) } }
            for i in 0..<rows { jacobian[i * n + j] = (shifted[i] - base[i]) / actual }
            point[j] = original
        }
    }
}
