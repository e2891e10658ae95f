import NumericCore

extension BoundaryValueSolution {
    /// max over intervals of the RMS (5-point Lobatto rule) of the Euclidean norm of the relative
    /// residual (S' − f(t, S))/(1 + |f|) of the cubic Hermite output S: the quantity collocation
    /// controls, measured the same way for the other solvers (Notes/mesh-refinement.md).
    static func outputResidual(problem: BoundaryValueProblem, mesh: [Double], values: [Double], slopes: [Double]) -> Double {
        let n = problem.dimension
        guard mesh.count >= 2 else { return 0 }
        let offset = 0.21821789023599239
        let points = [0.5 - offset, 0.5, 0.5 + offset]
        var s = [Double](repeating: 0, count: n), d = s, f = s
        var largest = 0.0
        for i in 0..<(mesh.count - 1) {
            let h = mesh[i + 1] - mesh[i]
            if h <= 0 { continue }
            var squares = [0.0, 0.0, 0.0]
            for (index, x) in points.enumerated() {
                let h00 = (1 + 2 * x) * (1 - x) * (1 - x), h10 = x * (1 - x) * (1 - x)
                let h01 = x * x * (3 - 2 * x), h11 = x * x * (x - 1)
                let d00 = 6 * x * (x - 1) / h, d10 = (1 - x) * (1 - 3 * x), d11 = x * (3 * x - 2)
                for k in 0..<n {
                    let y0 = values[i * n + k], y1 = values[(i + 1) * n + k]
                    let f0 = slopes[i * n + k], f1 = slopes[(i + 1) * n + k]
                    s[k] = h00 * y0 + h * h10 * f0 + h01 * y1 + h * h11 * f1
                    d[k] = d00 * (y0 - y1) + d10 * f0 + d11 * f1
                }
                s.withUnsafeBufferPointer { sp in f.withUnsafeMutableBufferPointer { fp in problem.field(mesh[i] + x * h, sp.baseAddress!, fp.baseAddress!) } }
                var q = 0.0
                for k in 0..<n { let v = (d[k] - f[k]) / (1 + abs(f[k])); q += v * v }
                squares[index] = q
            }
            let rho = (49.0 / 180 * (squares[0] + squares[2]) + 16.0 / 45 * squares[1]).squareRoot()
            if !(rho <= largest) { largest = rho }
        }
        return largest
    }

    /// Slopes f(t_i, y_i) at the nodes.
    static func slopes(problem: BoundaryValueProblem, mesh: [Double], values: [Double]) -> [Double] {
        let n = problem.dimension
        var slopes = [Double](repeating: 0, count: values.count)
        values.withUnsafeBufferPointer { y in
            slopes.withUnsafeMutableBufferPointer { f in
                for (i, t) in mesh.enumerated() { problem.field(t, y.baseAddress! + i * n, f.baseAddress! + i * n) }
            }
        }
        return slopes
    }

    /// max |g(y(a), y(b))|.
    static func boundaryResidual(problem: BoundaryValueProblem, start: [Double], end: [Double]) -> Double {
        var r = [Double](repeating: 0, count: problem.dimension)
        start.withUnsafeBufferPointer { a in
            end.withUnsafeBufferPointer { b in
                r.withUnsafeMutableBufferPointer { rb in
                    problem.boundaryConditions.evaluate(start: a.baseAddress!, end: b.baseAddress!, residual: rb.baseAddress!)
                }
            }
        }
        return r.reduce(0) { max($0, abs($1)) }
    }
}

extension BoundaryConditions {
    /// ∂g/∂y(a) and ∂g/∂y(b) (n × n each, row-major): analytic blocks when separated with analytic
    /// end Jacobians, forward differences otherwise.
    func jacobians(start ya: [Double], end yb: [Double], dimension n: Int) -> (start: [Double], end: [Double]) {
        var ga = [Double](repeating: 0, count: n * n), gb = ga
        if let count = startCount, let sj = startJacobian, let ej = endJacobian {
            ya.withUnsafeBufferPointer { a in ga.withUnsafeMutableBufferPointer { g in sj(a.baseAddress!, g.baseAddress!) } }
            yb.withUnsafeBufferPointer { b in gb.withUnsafeMutableBufferPointer { g in ej(b.baseAddress!, g.baseAddress! + count * n) } }
            return (ga, gb)
        }
        var base = [Double](repeating: 0, count: n), shifted = base
        var a = ya, b = yb
        func residual(into r: inout [Double]) {
            a.withUnsafeBufferPointer { ap in b.withUnsafeBufferPointer { bp in r.withUnsafeMutableBufferPointer { rp in
                evaluate(start: ap.baseAddress!, end: bp.baseAddress!, residual: rp.baseAddress!)
            } } }
        }
        residual(into: &base)
        for side in 0..<2 {
            for j in 0..<n {
                let original = side == 0 ? a[j] : b[j]
                let step = 1.4901161193847656e-8 * max(1, abs(original))
                if side == 0 { a[j] = original + step } else { b[j] = original + step }
                residual(into: &shifted)
                for i in 0..<n {
                    let value = (shifted[i] - base[i]) / step
                    if side == 0 { ga[i * n + j] = value } else { gb[i * n + j] = value }
                }
                if side == 0 { a[j] = original } else { b[j] = original }
            }
        }
        return (ga, gb)
    }
}
