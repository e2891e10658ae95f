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
    /// Per-worker scratch of the parallel assembly and residual control, `workspaceSize` doubles each
    /// (see `assemble`); each worker owns one slice, so nothing is shared while the workers run.
    private var workspaces: [Double]
    private let workerCount = max(1, Parallel.workerCount)
    /// One value per worker of the assembly: the field evaluations its share spent on difference
    /// Jacobians, or −1 when one of its block entries was not finite.
    private var workerResults: [Double]
    private var stats = BoundaryValueStats()
    private var intervalResiduals: [Double] = []

    init(problem: BoundaryValueProblem, algorithm: Collocation) throws {
        self.problem = problem
        self.algorithm = algorithm
        n = problem.dimension
        startCount = problem.boundaryConditions.startCount ?? 0
        workspaces = [Double](repeating: 0, count: workerCount * Self.workspaceSize(dimension: n))
        workerResults = [Double](repeating: 0, count: workerCount)
    }

    /// Doubles of one worker's scratch: J_0, J_1, J_m, a product, J² and the J it was computed from
    /// (n² each), two vectors for difference Jacobians, and the flag of the J² cache.
    static func workspaceSize(dimension n: Int) -> Int { 6 * n * n + 2 * n + 1 }

    /// Work (intervals × n²) below which the assembly and the residual control run on one thread: the
    /// dispatch costs more than it saves on small problems. The result does not depend on it.
    static let parallelWork = 8_000

    /// Number of workers for `count` intervals; intervals are split into that many contiguous ranges.
    private func chunks(_ count: Int) -> Int {
        count * max(n * n, 16) >= Self.parallelWork ? max(1, min(workerCount, count)) : 1
    }

    private var intervals: Int { mesh.count - 1 }

    /// Every interval's residual must end below half the tolerance (`ResidualControl.target`).
    private var residualTarget: Double { ResidualControl.target(tolerance: algorithm.tolerance) }

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
        Self.grow(&intervalResiduals, nodes)
    }

    /// Grows by at least half the current size, so a sequence of refinements reallocates rarely.
    private static func grow(_ array: inout [Double], _ size: Int) {
        guard array.count < size else { return }
        array.reserveCapacity(max(size, array.count + array.count / 2))
        array.append(contentsOf: repeatElement(0, count: size - array.count))
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
        // The solution that met tol/2 before an optional merge-only pass: if a later pass fails, it stands.
        var accepted: BoundaryValueSolution?
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
            // Trapezoid: the residual of its cubic output does not bound the error well enough (the
            // error is the residual times the problem's conditioning), so the global error estimate of
            // deferred correction must meet tol/2 as well; when it is the binding criterion the
            // residual target is scaled down by the ratio of the two excesses (error and residual both
            // scale like h², so the equidistributed mesh then aims at the error).
            var targetScale = 1.0
            var errorEstimate = 0.0
            if algorithm.scheme == .trapezoid {
                errorEstimate = trapezoidErrorEstimate()
                if !errorEstimate.isFinite {
                    status = .nonFinite
                    message = "the error estimate is not finite: the field returned NaN or infinity"
                    break
                }
                let errorExcess = errorEstimate / residualTarget, residualExcess = maxResidual / residualTarget
                // Also when coarsening: merged intervals must keep the error below tol/2 as well.
                if errorExcess > residualExcess { targetScale = max(residualExcess, 1e-6) / errorExcess }
            }
            let needsRefinement = maxResidual > residualTarget || errorEstimate > residualTarget
            if passes >= algorithm.maxMeshRefinements {
                if needsRefinement {
                    status = .meshLimit
                    message = "residual \(maxResidual) (error estimate \(errorEstimate)) still above tolerance after \(passes) mesh refinements"
                }
                break
            }
            guard let newMesh = adaptedMesh(allowRefinement: needsRefinement, targetScale: targetScale) else { break }
            // Coarsen (a pass that only merges) only when it removes a useful share of the nodes.
            if !needsRefinement && !ResidualControl.coarseningPays(from: mesh.count, to: newMesh.count) { break }
            if newMesh.count > algorithm.maxNodes {
                status = .meshLimit
                message = "mesh refinement needs \(newMesh.count) nodes, more than maxNodes = \(algorithm.maxNodes); raise maxNodes or the tolerance"
                break
            }
            if !needsRefinement {
                accepted = BoundaryValueSolution(
                    dimension: n, status: .success, message: "converged", mesh: mesh, values: Array(values.prefix(mesh.count * n)),
                    slopes: Array(slopes.prefix(mesh.count * n)), stats: stats, maxResidual: maxResidual,
                    boundaryResidual: boundaryResidualNorm())
            }
            remesh(to: newMesh)
            passes += 1
            stats.meshRefinements = passes
        }
        Self.factorizations.giveBack(lu)
        stats.seconds = Double(DispatchTime.now().uptimeNanoseconds - started) * 1e-9
        if status != .success, let kept = accepted {
            stats.nodes = kept.mesh.count
            return verified(BoundaryValueSolution(
                dimension: n, status: .success, message: "converged on \(kept.mesh.count) nodes; the later pass on \(mesh.count) nodes was dropped: \(message)",
                mesh: kept.mesh, values: kept.values, slopes: kept.slopes, stats: stats, maxResidual: kept.maxResidual,
                boundaryResidual: kept.boundaryResidual))
        }
        stats.nodes = mesh.count
        return verified(BoundaryValueSolution(
            dimension: n, status: status, message: message, mesh: mesh, values: Array(values.prefix(mesh.count * n)),
            slopes: Array(slopes.prefix(mesh.count * n)), stats: stats,
            maxResidual: maxResidual, boundaryResidual: boundaryResidualNorm()))
    }

    /// The final check before `success` (Notes/bvp-verification.md): the residual measured on the
    /// returned mesh after its Newton solve within `tolerance` (adaptive solves), the boundary residual
    /// within `boundaryTolerance`. O(n) here: both were measured on the returned solution already.
    private func verified(_ solution: BoundaryValueSolution) -> BoundaryValueSolution {
        guard solution.status == .success else { return solution }
        let boundaryTolerance = algorithm.boundaryTolerance ?? algorithm.tolerance
        var status = BoundaryValueStatus.success, message = solution.message
        let regularity = problem.singularResidual(start: Array(solution.values.prefix(n)))
        if !(solution.boundaryResidual <= boundaryTolerance) {
            status = .noConvergence
            message = "the returned solution misses the boundary conditions: |g| = \(solution.boundaryResidual) > boundaryTolerance = \(boundaryTolerance)"
        } else if !(regularity <= boundaryTolerance) {
            status = .noConvergence
            message = "the returned solution is not regular at the singular end: |S y(a)| = \(regularity) > boundaryTolerance = \(boundaryTolerance) (the boundary conditions must imply S y(a) = 0)"
        } else if algorithm.adaptive && !(solution.maxResidual <= algorithm.tolerance) {
            status = .meshLimit
            message = "the residual \(solution.maxResidual) of the returned solution is above tolerance = \(algorithm.tolerance)"
        } else {
            return solution
        }
        return BoundaryValueSolution(
            dimension: n, status: status, message: message, mesh: solution.mesh, values: solution.values,
            slopes: solution.slopes, stats: solution.stats, maxResidual: solution.maxResidual,
            boundaryResidual: solution.boundaryResidual)
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

    /// Fills the almost-block-diagonal Newton matrix at the current values. The block rows are
    /// independent: contiguous ranges of intervals are assembled by parallel workers, each with its
    /// own Jacobian buffers, into their own block rows, so the matrix does not depend on the number of
    /// workers.
    private func buildMatrix() -> Bool {
        let n = self.n, count = intervals, na = startCount
        stats.jacobianEvaluations += 1
        do { try lu.prepare(blockSize: n, blockCount: count, topRows: na) } catch { return false }
        let chunks = self.chunks(count)
        let problem = self.problem, lobatto = algorithm.scheme == .lobatto3
        let blocks = SharedMutablePointer(lu.blockRow(0)), stride = lu.blockRowStride
        let size = Self.workspaceSize(dimension: n)
        mesh.withUnsafeBufferPointer { tb in
        values.withUnsafeBufferPointer { yb in
        slopes.withUnsafeBufferPointer { fb in
        middleValues.withUnsafeBufferPointer { ymb in
        middleSlopes.withUnsafeBufferPointer { fmb in
        workspaces.withUnsafeMutableBufferPointer { wb in
        workerResults.withUnsafeMutableBufferPointer { rb in
            let t = SharedPointer(tb), y = SharedPointer(yb), f = SharedPointer(fb)
            let ym = SharedPointer(ymb), fm = SharedPointer(fmb)
            let workspace = SharedMutablePointer(wb.baseAddress!), results = SharedMutablePointer(rb.baseAddress!)
            Parallel.forEach(chunks) { c in
                let range = (count * c / chunks)..<(count * (c + 1) / chunks)
                let (finite, evaluations) = Self.assemble(
                    problem: problem, lobatto: lobatto, intervals: range, t: t.base, y: y.base, f: f.base,
                    middleValues: ym.base, middleSlopes: fm.base, blocks: blocks.base, stride: stride,
                    workspace: workspace.base + c * size)
                results[c] = finite ? Double(evaluations) : -1
            }
        } } } } } } }
        var finite = true
        for c in 0..<chunks {
            if workerResults[c] < 0 { finite = false } else { stats.fieldEvaluations += Int(workerResults[c]) }
        }
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

    /// Block rows [G_i H_i] of the intervals in `range` (one worker's share). The Jacobian at the right
    /// node of an interval is kept as the left one of the next, so each node's Jacobian is evaluated
    /// once per range. Returns whether every entry is finite and the field evaluations spent on
    /// difference Jacobians.
    static func assemble(problem: BoundaryValueProblem, lobatto: Bool, intervals range: Range<Int>,
                         t: UnsafePointer<Double>, y: UnsafePointer<Double>, f: UnsafePointer<Double>,
                         middleValues ym: UnsafePointer<Double>, middleSlopes fm: UnsafePointer<Double>,
                         blocks: UnsafeMutablePointer<Double>, stride: Int,
                         workspace: UnsafeMutablePointer<Double>) -> (Bool, Int) {
        let n = problem.dimension, nn = n * n
        var j0 = workspace, j1 = workspace + nn
        let jm = workspace + 2 * nn, p = workspace + 3 * nn
        let square = workspace + 4 * nn, squareKey = workspace + 5 * nn
        let perturbed = workspace + 6 * nn, shifted = perturbed + n, squareValid = shifted + n
        let bytes = nn * MemoryLayout<Double>.size
        var finite = true
        var evaluations = 0
        guard let first = range.first else { return (true, 0) }
        evaluations += FieldDerivatives.jacobian(of: problem, t[first], y + first * n, f + first * n, into: j0,
                                                 perturbed: perturbed, shifted: shifted)
        for i in range {
            let h = t[i + 1] - t[i]
            evaluations += FieldDerivatives.jacobian(of: problem, t[i + 1], y + (i + 1) * n, f + (i + 1) * n, into: j1,
                                                     perturbed: perturbed, shifted: shifted)
            let block = blocks + i * stride
            if lobatto {
                evaluations += FieldDerivatives.jacobian(of: problem, t[i] + 0.5 * h, ym + i * n, fm + i * n, into: jm,
                                                         perturbed: perturbed, shifted: shifted)
                // G = −I − h/6 J0 − h/3 Jm − h²/12 Jm J0 ; H = I − h/6 J1 − h/3 Jm + h²/12 Jm J1
                let a = h / 6, b = h / 3, c = h * h / 12
                // A field that is linear in y (or whose Jacobian repeats) gives J_0 = J_m = J_1: then
                // both products are J², computed once and reused while the Jacobian stays the same.
                let constant = memcmp(jm, j0, bytes) == 0 && memcmp(jm, j1, bytes) == 0
                if constant {
                    if squareValid[0] != 1 || memcmp(jm, squareKey, bytes) != 0 {
                        squareKey.update(from: jm, count: nn)
                        multiply(jm, jm, into: square, n: n)
                        squareValid[0] = 1
                    }
                    for r in 0..<n {
                        let left = block + r * 2 * n, right = left + n
                        for k in 0..<n {
                            let base = -a * j0[r * n + k] - b * jm[r * n + k]
                            left[k] = base - c * square[r * n + k]
                            right[k] = base + c * square[r * n + k]
                        }
                        left[r] -= 1
                        right[r] += 1
                    }
                } else {
                    multiply(jm, j0, into: p, n: n)
                    for r in 0..<n {
                        let row = block + r * 2 * n
                        for k in 0..<n { row[k] = -a * j0[r * n + k] - b * jm[r * n + k] - c * p[r * n + k] }
                        row[r] -= 1
                    }
                    multiply(jm, j1, into: p, n: n)
                    for r in 0..<n {
                        let row = block + r * 2 * n + n
                        for k in 0..<n { row[k] = -a * j1[r * n + k] - b * jm[r * n + k] + c * p[r * n + k] }
                        row[r] += 1
                    }
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
            swap(&j0, &j1)
        }
        return (finite, evaluations)
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
    /// factors, shrinks by (1 − α/4).
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
                // The next correction is below the Newton tolerance: the accepted point is the solution,
                // and its slopes (and midpoint values) were computed with the trial residual. (A linear
                // problem ends here after one factorization per mesh.)
                return .success
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

    /// Deferred-correction estimate of the trapezoid scheme's global error at the nodes, max_i |e_i|
    /// (absolute: an order-2 error that grows with |y| is not small, unlike the relative residual). With Φ_T the trapezoid equations (Φ_T(Y) = 0 at the computed Y) and
    /// Φ_S the Simpson (Lobatto IIIA) equations, the exact node values Y* satisfy Φ_T(Y*) = τ, the
    /// trapezoid truncation error, and τ = (Φ_T − Φ_S)(Y*) + O(h⁵) = −Φ_S(Y) + O(h⁵) because the error
    /// Y − Y* is smooth; so Y* − Y ≈ J⁻¹ τ = −J⁻¹ Φ_S(Y), one solve with the stored factors of the
    /// trapezoid Jacobian (Notes/mesh-refinement.md). Costs one field evaluation per interval.
    private func trapezoidErrorEstimate() -> Double {
        let n = self.n, count = intervals, na = startCount, size = mesh.count * n
        let field = problem.field
        mesh.withUnsafeBufferPointer { tb in
        values.withUnsafeBufferPointer { yb in
        slopes.withUnsafeBufferPointer { fb in
        middleValues.withUnsafeMutableBufferPointer { ymb in
        middleSlopes.withUnsafeMutableBufferPointer { fmb in
        step.withUnsafeMutableBufferPointer { eb in
            let t = tb.baseAddress!, y = yb.baseAddress!, f = fb.baseAddress!
            let yMid = ymb.baseAddress!, fMid = fmb.baseAddress!, e = eb.baseAddress!
            for k in 0..<na { e[k] = 0 }
            for k in (na + count * n)..<size { e[k] = 0 }
            for i in 0..<count {
                let h = t[i + 1] - t[i]
                let y0 = y + i * n, y1 = y0 + n, f0 = f + i * n, f1 = f0 + n
                for k in 0..<n { yMid[k] = 0.5 * (y0[k] + y1[k]) + 0.125 * h * (f0[k] - f1[k]) }
                field(t[i] + 0.5 * h, yMid, fMid)
                let row = e + na + i * n, sixth = h / 6
                for k in 0..<n { row[k] = -(y1[k] - y0[k] - sixth * (f0[k] + 4 * fMid[k] + f1[k])) }
            }
            lu.solve(e)
        } } } } } }
        stats.fieldEvaluations += count
        var largest = 0.0
        for i in 0..<size {
            let v = abs(step[i])
            if v.isNaN || largest.isNaN { largest = .nan } else if v > largest { largest = v }
        }
        return largest
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

    /// Computes, on every interval, the RMS over the interval (5-point Lobatto rule; the end points have
    /// zero residual) of the Euclidean norm of the relative residual (S' − f)/(1 + |f|), componentwise;
    /// returns the maximum. Intervals are independent: workers take contiguous ranges and write their
    /// intervals' slots, and the maximum is taken afterwards, so the result does not depend on the
    /// number of workers.
    private func measureIntervalResiduals() -> Double {
        let count = intervals
        let chunks = self.chunks(count)
        let problem = self.problem, size = Self.workspaceSize(dimension: n)
        mesh.withUnsafeBufferPointer { tb in
        values.withUnsafeBufferPointer { yb in
        slopes.withUnsafeBufferPointer { fb in
        workspaces.withUnsafeMutableBufferPointer { wb in
        intervalResiduals.withUnsafeMutableBufferPointer { rb in
            let t = SharedPointer(tb), y = SharedPointer(yb), f = SharedPointer(fb)
            let workspace = SharedMutablePointer(wb.baseAddress!), residuals = SharedMutablePointer(rb.baseAddress!)
            Parallel.forEach(chunks) { c in
                let range = (count * c / chunks)..<(count * (c + 1) / chunks)
                ResidualControl.intervalResiduals(field: problem.field, dimension: problem.dimension, intervals: range,
                                                  t: t.base, y: y.base, f: f.base, into: residuals.base,
                                                  workspace: workspace.base + c * size)
            }
        } } } } }
        stats.fieldEvaluations += 3 * count
        var largest = 0.0
        for i in 0..<count {
            let v = intervalResiduals[i]
            if v.isNaN || largest.isNaN { largest = .nan } else if v > largest { largest = v }
        }
        return largest
    }

    /// The adapted mesh (`ResidualControl.adaptedMesh`: equidistribution of the predicted residual,
    /// the first pass from the guess's mesh by its own rule, within `maxNodes` when it can be). `targetScale` (<= 1) lowers the target
    /// when another criterion (the trapezoid error estimate) is the binding one. nil when nothing changes.
    private func adaptedMesh(allowRefinement: Bool, targetScale: Double) -> [Double]? {
        intervalResiduals.withUnsafeBufferPointer {
            ResidualControl.adaptedMesh(mesh, residuals: $0.baseAddress!, target: residualTarget * targetScale,
                                        order: algorithm.scheme.residualOrder, firstPass: stats.meshRefinements == 0,
                                        allowRefinement: allowRefinement, maxNodes: algorithm.maxNodes)
        }
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

