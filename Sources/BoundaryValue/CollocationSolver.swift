import Dispatch
import Foundation
import NumericCore

/// The working state of one collocation solve: mesh, node values and slopes, Jacobians, the
/// almost-block-diagonal Newton matrix and its factors. Arrays are resized only when the mesh
/// changes; Newton iterations on a fixed mesh allocate nothing.
final class CollocationSolver {
    let problem: BoundaryValueProblem
    let algorithm: Collocation
    let n: Int
    let startCount: Int
    private var derivatives: FieldDerivatives
    private let lu = CollocationSolver.factorizations.take()
    /// Factorization storage reused across solves (see `WorkspacePool`).
    static let factorizations = WorkspacePool { AlmostBlockDiagonalLU() }

    private var mesh: [Double] = []
    private var values: [Double] = []
    private var slopes: [Double] = []
    private var middleValues: [Double] = []
    private var middleSlopes: [Double] = []
    private var residual: [Double] = []
    private var step: [Double] = []
    private var trialValues: [Double] = []
    private var trialSlopes: [Double] = []
    private var trialMiddleValues: [Double] = []
    private var trialMiddleSlopes: [Double] = []
    private var trialResidual: [Double] = []
    private var nodeJacobians: [Double] = []
    private var middleJacobian: [Double]
    private var product: [Double]
    private var scratch: [Double]
    private var stats = BoundaryValueStats()
    private var intervalResiduals: [Double] = []

    init(problem: BoundaryValueProblem, algorithm: Collocation) throws {
        self.problem = problem
        self.algorithm = algorithm
        n = problem.dimension
        startCount = problem.boundaryConditions.startCount ?? 0
        derivatives = FieldDerivatives(problem: problem)
        middleJacobian = [Double](repeating: 0, count: n * n)
        product = [Double](repeating: 0, count: n * n)
        scratch = [Double](repeating: 0, count: 2 * n)
    }

    private var intervals: Int { mesh.count - 1 }

    /// Every interval's residual must end below half the tolerance: a safety factor (the residual
    /// estimate is itself approximate), which makes the achieved error at least as small as that of
    /// the plain criterion ρ <= tol of bvp4c and scipy's solve_bvp at the same tolerance.
    private var residualTarget: Double { 0.5 * algorithm.tolerance }

    /// Sizes the work arrays for `nodes` mesh nodes. Arrays only grow (a coarsening pass keeps the
    /// storage), so their counts may exceed what the current mesh uses.
    private func resize(nodes: Int) {
        let size = nodes * n
        Self.grow(&values, size)
        Self.grow(&slopes, size)
        Self.grow(&trialValues, size)
        Self.grow(&trialSlopes, size)
        Self.grow(&residual, size)
        Self.grow(&step, size)
        Self.grow(&trialResidual, size)
        Self.grow(&middleValues, size)
        Self.grow(&middleSlopes, size)
        Self.grow(&trialMiddleValues, size)
        Self.grow(&trialMiddleSlopes, size)
        Self.grow(&nodeJacobians, nodes * n * n)
        Self.grow(&intervalResiduals, nodes)
    }

    private static func grow(_ array: inout [Double], _ size: Int) {
        if array.count < size { array += [Double](repeating: 0, count: size - array.count) }
    }

    // MARK: Driver

    func run(mesh initialMesh: [Double], values initialValues: [Double]) -> BoundaryValueSolution {
        let started = DispatchTime.now().uptimeNanoseconds
        mesh = initialMesh
        resize(nodes: mesh.count)
        for i in 0..<initialValues.count { values[i] = initialValues[i] }
        var status = BoundaryValueStatus.success
        var message = "converged"
        var passes = 0
        var maxResidual = Double.infinity
        while true {
            let newton = solveOnMesh()
            if newton != .success {
                status = newton
                message = Self.explain(newton, nodes: mesh.count)
                break
            }
            maxResidual = measureIntervalResiduals()
            if !maxResidual.isFinite {
                status = .nonFinite
                message = "the residual of the solution is not finite: the field returned NaN or infinity"
                break
            }
            if !algorithm.adaptive { break }
            let needsRefinement = maxResidual > residualTarget
            if passes >= algorithm.maxMeshRefinements {
                if needsRefinement {
                    status = .meshLimit
                    message = "residual \(maxResidual) still above tolerance after \(passes) mesh refinements"
                }
                break
            }
            guard let newMesh = adaptedMesh(allowRefinement: needsRefinement) else { break }
            // Coarsen (a pass that only merges) only when it removes a useful share of the nodes.
            if !needsRefinement && newMesh.count > (mesh.count * 3) / 4 { break }
            if newMesh.count > algorithm.maxNodes {
                status = .meshLimit
                message = "mesh refinement needs \(newMesh.count) nodes, more than maxNodes = \(algorithm.maxNodes); raise maxNodes or the tolerance"
                break
            }
            remesh(to: newMesh)
            passes += 1
            stats.meshRefinements = passes
        }
        Self.factorizations.giveBack(lu)
        stats.nodes = mesh.count
        stats.seconds = Double(DispatchTime.now().uptimeNanoseconds - started) * 1e-9
        return BoundaryValueSolution(
            dimension: n, status: status, message: message, mesh: mesh, values: Array(values.prefix(mesh.count * n)),
            slopes: Array(slopes.prefix(mesh.count * n)), stats: stats,
            maxResidual: maxResidual, boundaryResidual: boundaryResidualNorm())
    }

    static func explain(_ status: BoundaryValueStatus, nodes: Int) -> String {
        switch status {
        case .success: return "converged"
        case .maxIterations: return "Newton did not converge on a mesh of \(nodes) nodes: there may be no solution near the guess; try a better guess or continuation"
        case .noConvergence: return "damped Newton could not reduce the residual on a mesh of \(nodes) nodes: no solution near the guess (try continuation in a parameter)"
        case .singularJacobian: return "the Newton matrix is singular: the solution is not isolated or the boundary conditions are inconsistent"
        case .meshLimit: return "mesh limit reached"
        case .nonFinite: return "the field or the boundary conditions produced NaN or infinity"
        }
    }

    // MARK: Residual

    /// Residual of the collocation equations at `y`, with slopes (and midpoint values for lobatto3).
    /// Returns false when a value is not finite.
    private func evaluate(_ y: UnsafePointer<Double>, slopes f: UnsafeMutablePointer<Double>,
                          middleValues ym: UnsafeMutablePointer<Double>, middleSlopes fm: UnsafeMutablePointer<Double>,
                          residual r: UnsafeMutablePointer<Double>, mesh t: UnsafePointer<Double>) -> Bool {
        let n = self.n, count = intervals, na = startCount
        let field = problem.field
        for i in 0...count { field(t[i], y + i * n, f + i * n) }
        stats.fieldEvaluations += count + 1
        let lobatto = algorithm.scheme == .lobatto3
        for i in 0..<count {
            let h = t[i + 1] - t[i]
            let y0 = y + i * n, y1 = y0 + n, f0 = f + i * n, f1 = f0 + n
            let row = r + na + i * n
            if lobatto {
                let yMid = ym + i * n, fMid = fm + i * n
                for k in 0..<n { yMid[k] = 0.5 * (y0[k] + y1[k]) + 0.125 * h * (f0[k] - f1[k]) }
                field(t[i] + 0.5 * h, yMid, fMid)
                let sixth = h / 6
                for k in 0..<n { row[k] = y1[k] - y0[k] - sixth * (f0[k] + 4 * fMid[k] + f1[k]) }
            } else {
                let half = 0.5 * h
                for k in 0..<n { row[k] = y1[k] - y0[k] - half * (f0[k] + f1[k]) }
            }
        }
        if lobatto { stats.fieldEvaluations += count }
        let conditions = problem.boundaryConditions
        conditions.startResidual?(y, r)
        conditions.endResidual?(y + count * n, r + na + count * n)
        for i in 0..<((count + 1) * n) where !r[i].isFinite { return false }
        return true
    }

    // MARK: Jacobian

    /// Fills the almost-block-diagonal Newton matrix at the current values.
    private func buildMatrix() -> Bool {
        let n = self.n, count = intervals, na = startCount, nn = n * n
        let lobatto = algorithm.scheme == .lobatto3
        stats.jacobianEvaluations += 1
        var finite = true
        do { try lu.prepare(blockSize: n, blockCount: count, topRows: na) } catch { return false }
        mesh.withUnsafeBufferPointer { tb in
        values.withUnsafeBufferPointer { yb in
        slopes.withUnsafeBufferPointer { fb in
        middleValues.withUnsafeBufferPointer { ymb in
        middleSlopes.withUnsafeBufferPointer { fmb in
        nodeJacobians.withUnsafeMutableBufferPointer { jb in
        middleJacobian.withUnsafeMutableBufferPointer { jmb in
        product.withUnsafeMutableBufferPointer { pb in
            let t = tb.baseAddress!, y = yb.baseAddress!, f = fb.baseAddress!
            let nodeJ = jb.baseAddress!, jm = jmb.baseAddress!, p = pb.baseAddress!
            for i in 0...count {
                stats.fieldEvaluations += derivatives.jacobian(t[i], y + i * n, f + i * n, into: nodeJ + i * nn)
            }
            for i in 0..<count {
                let h = t[i + 1] - t[i]
                let j0 = nodeJ + i * nn, j1 = j0 + nn
                let block = lu.blockRow(i)
                if lobatto {
                    stats.fieldEvaluations += derivatives.jacobian(t[i] + 0.5 * h, ymb.baseAddress! + i * n,
                                                                   fmb.baseAddress! + i * n, into: jm)
                    // G = −I − h/6 J0 − h/3 Jm − h²/12 Jm J0 ; H = I − h/6 J1 − h/3 Jm + h²/12 Jm J1
                    let a = h / 6, b = h / 3, c = h * h / 12
                    Self.multiply(jm, j0, into: p, n: n)
                    for r in 0..<n {
                        let row = block + r * 2 * n
                        for k in 0..<n { row[k] = -a * j0[r * n + k] - b * jm[r * n + k] - c * p[r * n + k] }
                        row[r] -= 1
                    }
                    Self.multiply(jm, j1, into: p, n: n)
                    for r in 0..<n {
                        let row = block + r * 2 * n + n
                        for k in 0..<n { row[k] = -a * j1[r * n + k] - b * jm[r * n + k] + c * p[r * n + k] }
                        row[r] += 1
                    }
                } else {
                    let a = 0.5 * h
                    for r in 0..<n {
                        let row = block + r * 2 * n
                        for k in 0..<n { row[k] = -a * j0[r * n + k]; row[n + k] = -a * j1[r * n + k] }
                        row[r] -= 1
                        row[n + r] += 1
                    }
                }
                for k in 0..<(2 * nn) where !block[k].isFinite { finite = false }
            }
        } } } } } } } }
        let conditions = problem.boundaryConditions
        values.withUnsafeBufferPointer { yb in
            let y = yb.baseAddress!
            lu.withBoundaryBlocks { top, bottom in
                if na > 0, let residualStart = conditions.startResidual {
                    if let analytic = conditions.startJacobian { analytic(y, top) } else {
                        FieldDerivatives.endJacobian(residualStart, rows: na, dimension: n, at: y, into: top)
                    }
                }
                if n - na > 0, let residualEnd = conditions.endResidual {
                    if let analytic = conditions.endJacobian { analytic(y + count * n, bottom) } else {
                        FieldDerivatives.endJacobian(residualEnd, rows: n - na, dimension: n, at: y + count * n, into: bottom)
                    }
                }
            }
        }
        return finite
    }

    /// C = A B for n × n row-major matrices (BLAS above a small size, loops below).
    @inline(__always)
    static func multiply(_ a: UnsafePointer<Double>, _ b: UnsafePointer<Double>, into c: UnsafeMutablePointer<Double>, n: Int) {
        if n >= 12 {
            BLAS.gemm(m: n, n: n, k: n, a: a, lda: n, b: b, ldb: n, c: c, ldc: n)
            return
        }
        for i in 0..<n {
            let ci = c + i * n
            for k in 0..<n { ci[k] = 0 }
            for l in 0..<n {
                let x = a[i * n + l]
                if x != 0 { let bl = b + l * n; for k in 0..<n { ci[k] += x * bl[k] } }
            }
        }
    }

    // MARK: Newton

    /// Damped Newton on the current mesh. Affine-invariant natural monotonicity test (Deuflhard): a
    /// step length α is accepted when the simplified correction J⁻¹F(y + αΔ), computed with the same
    /// factors, shrinks by (1 − α/2).
    private func solveOnMesh() -> BoundaryValueStatus {
        let size = mesh.count * n
        let newtonTolerance = min(1e-3 * algorithm.tolerance, 1e-6)
        guard evaluateCurrent() else { return .nonFinite }
        for _ in 0..<algorithm.maxNewtonIterations {
            stats.newtonIterations += 1
            guard buildMatrix() else { return .nonFinite }
            stats.factorizations += 1
            if case .singular = lu.factorPrepared() { return .singularJacobian }
            for i in 0..<size { step[i] = -residual[i] }
            step.withUnsafeMutableBufferPointer { lu.solve($0.baseAddress!) }
            let norm = scaledNorm(step, values)
            if !norm.isFinite { return .nonFinite }
            if norm < newtonTolerance {
                for i in 0..<size { values[i] += step[i] }
                return evaluateCurrent() ? .success : .nonFinite
            }
            var alpha = 1.0
            var accepted = false
            var simplifiedNorm = Double.infinity
            while alpha >= 1.0 / 1024 {
                for i in 0..<size { trialValues[i] = values[i] + alpha * step[i] }
                if evaluateTrial() {
                    for i in 0..<size { trialResidual[i] = -trialResidual[i] }
                    trialResidual.withUnsafeMutableBufferPointer { lu.solve($0.baseAddress!) }
                    simplifiedNorm = scaledNorm(trialResidual, trialValues)
                    if simplifiedNorm.isFinite && simplifiedNorm <= (1 - alpha / 4) * norm {
                        accepted = true
                        break
                    }
                }
                alpha *= 0.5
            }
            if !accepted { return .noConvergence }
            swap(&values, &trialValues)
            swap(&slopes, &trialSlopes)
            swap(&middleValues, &trialMiddleValues)
            swap(&middleSlopes, &trialMiddleSlopes)
            if alpha == 1 && simplifiedNorm < newtonTolerance {
                // trialResidual now holds the simplified Newton correction at the accepted point.
                for i in 0..<size { values[i] += trialResidual[i] }
                return evaluateCurrent() ? .success : .nonFinite
            }
            guard evaluateCurrent() else { return .nonFinite }
        }
        return .maxIterations
    }

    private func evaluateCurrent() -> Bool {
        mesh.withUnsafeBufferPointer { t in
            values.withUnsafeBufferPointer { y in
                slopes.withUnsafeMutableBufferPointer { f in
                    middleValues.withUnsafeMutableBufferPointer { ym in
                        middleSlopes.withUnsafeMutableBufferPointer { fm in
                            residual.withUnsafeMutableBufferPointer { r in
                                evaluate(y.baseAddress!, slopes: f.baseAddress!, middleValues: ym.baseAddress!,
                                         middleSlopes: fm.baseAddress!, residual: r.baseAddress!, mesh: t.baseAddress!)
                            }
                        }
                    }
                }
            }
        }
    }

    private func evaluateTrial() -> Bool {
        mesh.withUnsafeBufferPointer { t in
            trialValues.withUnsafeBufferPointer { y in
                trialSlopes.withUnsafeMutableBufferPointer { f in
                    trialMiddleValues.withUnsafeMutableBufferPointer { ym in
                        trialMiddleSlopes.withUnsafeMutableBufferPointer { fm in
                            trialResidual.withUnsafeMutableBufferPointer { r in
                                evaluate(y.baseAddress!, slopes: f.baseAddress!, middleValues: ym.baseAddress!,
                                         middleSlopes: fm.baseAddress!, residual: r.baseAddress!, mesh: t.baseAddress!)
                            }
                        }
                    }
                }
            }
        }
    }

    /// max_i |Δ_i| / (1 + |y_i|).
    private func scaledNorm(_ delta: [Double], _ y: [Double]) -> Double {
        var norm = 0.0
        for i in 0..<(mesh.count * n) {
            let v = abs(delta[i]) / (1 + abs(y[i]))
            if !(v <= norm) { norm = v.isNaN ? .nan : v }
            if norm.isNaN { return .nan }
        }
        return norm
    }

    private func boundaryResidualNorm() -> Double {
        var r = [Double](repeating: 0, count: n)
        let count = intervals
        values.withUnsafeBufferPointer { y in
            r.withUnsafeMutableBufferPointer { rb in
                problem.boundaryConditions.evaluate(start: y.baseAddress!, end: y.baseAddress! + count * n,
                                                    residual: rb.baseAddress!)
            }
        }
        return r.reduce(0) { max($0, abs($1)) }
    }

    // MARK: Residual control and mesh adaptation

    /// Lobatto points of the 5-point rule on [0, 1] (interior ones) and their weights.
    private static let lobattoOffset = 0.21821789023599239 // √21 / 14
    private static let lobattoWeights = (outer: 49.0 / 180, middle: 16.0 / 45)

    /// Computes, on every interval, the RMS over the interval (5-point Lobatto rule; the end points have
    /// zero residual) of the Euclidean norm of the relative residual (S' − f)/(1 + |f|), componentwise;
    /// returns the maximum.
    private func measureIntervalResiduals() -> Double {
        let n = self.n, count = intervals
        let points = [0.5 - Self.lobattoOffset, 0.5, 0.5 + Self.lobattoOffset]
        var largest = 0.0
        let field = problem.field
        mesh.withUnsafeBufferPointer { tb in
        values.withUnsafeBufferPointer { yb in
        slopes.withUnsafeBufferPointer { fb in
        scratch.withUnsafeMutableBufferPointer { sb in
        product.withUnsafeMutableBufferPointer { pb in
            let t = tb.baseAddress!, y = yb.baseAddress!, f = fb.baseAddress!
            let s = sb.baseAddress!, d = sb.baseAddress! + n, fs = pb.baseAddress!
            for i in 0..<count {
                let h = t[i + 1] - t[i]
                var squares = [0.0, 0.0, 0.0]
                for (index, x) in points.enumerated() {
                    let h00 = (1 + 2 * x) * (1 - x) * (1 - x), h10 = x * (1 - x) * (1 - x)
                    let h01 = x * x * (3 - 2 * x), h11 = x * x * (x - 1)
                    let d00 = 6 * x * (x - 1) / h, d10 = (1 - x) * (1 - 3 * x), d11 = x * (3 * x - 2)
                    let y0 = y + i * n, y1 = y0 + n, f0 = f + i * n, f1 = f0 + n
                    for k in 0..<n {
                        s[k] = h00 * y0[k] + h * h10 * f0[k] + h01 * y1[k] + h * h11 * f1[k]
                        d[k] = d00 * (y0[k] - y1[k]) + d10 * f0[k] + d11 * f1[k]
                    }
                    field(t[i] + x * h, s, fs)
                    var q = 0.0
                    for k in 0..<n {
                        let v = (d[k] - fs[k]) / (1 + abs(fs[k]))
                        q += v * v
                    }
                    squares[index] = q
                }
                let rho = (Self.lobattoWeights.outer * (squares[0] + squares[2]) + Self.lobattoWeights.middle * squares[1])
                    .squareRoot()
                intervalResiduals[i] = rho
                if !(rho <= largest) { largest = rho }
            }
        } } } } }
        stats.fieldEvaluations += 3 * count
        return largest
    }

    /// The adapted mesh: intervals above the tolerance split in k = ⌈1.2 (ρ/tol)^{1/p}⌉ pieces (2…10, p the
    /// residual order), pairs of
    /// neighbours whose merged residual is predicted below tolerance/4 merged. nil when unchanged.
    private func adaptedMesh(allowRefinement: Bool) -> [Double]? {
        let tolerance = residualTarget
        let growth = Double(1 << algorithm.scheme.residualOrder)
        var result: [Double] = [mesh[0]]
        result.reserveCapacity(3 * mesh.count)
        var changed = false
        var i = 0
        let count = intervals
        while i < count {
            let rho = intervalResiduals[i]
            let a = mesh[i], b = mesh[i + 1]
            if allowRefinement && rho > tolerance {
                // The residual scales like h^p: split into enough pieces to reach the tolerance in one
                // pass with a 20% margin, between 2 and 10.
                let predicted = (1.2 * pow(rho / tolerance, 1 / Double(algorithm.scheme.residualOrder))).rounded(.up)
                let pieces = Int(min(10, max(2, predicted.isFinite ? predicted : 10)))
                for k in 1..<pieces { result.append(a + (b - a) * Double(k) / Double(pieces)) }
                result.append(b)
                changed = true
                i += 1
            } else if i + 1 < count, max(rho, intervalResiduals[i + 1]) * growth < tolerance / 4,
                      count - 1 >= 2 {
                result.append(mesh[i + 2])
                changed = true
                i += 2
            } else {
                result.append(b)
                i += 1
            }
        }
        return changed && result.count >= 2 ? result : nil
    }

    /// Moves to `newMesh`, interpolating the current cubic output for the starting values.
    private func remesh(to newMesh: [Double]) {
        let old = BoundaryValueSolution(dimension: n, status: .success, message: "", mesh: mesh, values: values,
                                        slopes: slopes, stats: stats, maxResidual: 0, boundaryResidual: 0)
        mesh = newMesh
        resize(nodes: newMesh.count)
        var y = [Double](repeating: 0, count: n)
        for (i, t) in newMesh.enumerated() {
            old.evaluate(t, value: &y, derivative: nil)
            for k in 0..<n { values[i * n + k] = y[k] }
        }
    }
}

