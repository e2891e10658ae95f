import NumericCore

/// The initial value integrators of shooting: each propagates y and, on request, the fundamental
/// matrix Φ = ∂y(t)/∂y(t₀) of the variational equation Φ' = f_y(t, y) Φ.
public enum ShootingIntegrator: Sendable, Equatable {
    /// Classical fourth-order Runge–Kutta with `steps` equal steps over [a, b] (order 4).
    case rungeKutta4(steps: Int)
    /// GSL's embedded Prince–Dormand 8(7) pair with error control at `tolerance` (absolute and relative).
    case adaptive(tolerance: Double)
    /// Two-stage Gauss–Legendre collocation (implicit, order 4, symplectic: preserves quadratic
    /// invariants such as the Hamiltonian of a linear-quadratic problem exactly), `steps` equal steps.
    case gaussLegendre4(steps: Int)

    func validate() throws {
        switch self {
        case let .rungeKutta4(steps), let .gaussLegendre4(steps): try Validate.positive(steps, "steps")
        case let .adaptive(tolerance): try Validate.positive(tolerance, "tolerance")
        }
    }

    /// Steps of a fixed-step method on [t0, t1] when the whole interval [a, b] gets `steps`.
    func steps(on t0: Double, _ t1: Double, whole a: Double, _ b: Double) -> Int {
        switch self {
        case let .rungeKutta4(steps), let .gaussLegendre4(steps):
            return max(1, Int((Double(steps) * (t1 - t0) / (b - a)).rounded()))
        case .adaptive: return 0
        }
    }
}

/// Propagation of y and Φ with one `ShootingIntegrator`; buffers are kept between calls, so a Newton
/// iteration allocates nothing per step. One instance per thread.
final class FlowIntegrator {
    let problem: BoundaryValueProblem
    let method: ShootingIntegrator
    let n: Int
    private var derivatives: FieldDerivatives
    private var k: [Double]       // 4 stages of y (RK4) or 2 stages (GL)
    private var kPhi: [Double]    // 4 stages of Φ (RK4)
    private var stageY: [Double]
    private var stagePhi: [Double]
    private var jacobian: [Double]
    private var jacobians: [Double]
    private var newtonMatrix: [Double]
    private var pivots: [Int]
    private var correction: [Double]
    private var stageResidual: [Double]
    private var adaptive: AdaptiveODEIntegrator?
    private var adaptiveWithPhi: AdaptiveODEIntegrator?
    private(set) var fieldEvaluations = 0
    /// Set when a Gauss–Legendre stage solve did not converge or a value became non-finite.
    private(set) var failed = false

    init(problem: BoundaryValueProblem, method: ShootingIntegrator) throws {
        self.problem = problem
        self.method = method
        n = problem.dimension
        derivatives = FieldDerivatives(problem: problem)
        let nn = n * n
        k = [Double](repeating: 0, count: 4 * n)
        kPhi = [Double](repeating: 0, count: 4 * nn)
        stageY = [Double](repeating: 0, count: 2 * n)
        stagePhi = [Double](repeating: 0, count: nn)
        jacobian = [Double](repeating: 0, count: nn)
        jacobians = [Double](repeating: 0, count: 2 * nn)
        newtonMatrix = [Double](repeating: 0, count: 4 * nn)
        pivots = [Int](repeating: 0, count: 2 * n)
        correction = [Double](repeating: 0, count: 2 * n * max(1, n))
        stageResidual = [Double](repeating: 0, count: 2 * n)
        if case let .adaptive(tolerance) = method {
            let field = problem.field
            adaptive = try AdaptiveODEIntegrator(dimension: n, absoluteTolerance: tolerance, relativeTolerance: tolerance) { t, y, dy in
                field(t, y, dy)
            }
            let derivativesForPhi = FieldDerivativesBox(problem: problem)
            adaptiveWithPhi = try AdaptiveODEIntegrator(dimension: n + nn, absoluteTolerance: tolerance,
                                                        relativeTolerance: tolerance) { t, z, dz in
                derivativesForPhi.variationalField(t, z, dz)
            }
        }
    }

    func resetFailure() { failed = false }

    /// Propagates y (n values) and, when `phi` is given, Φ (n × n row-major, usually starting at I)
    /// from t0 to t1; `record(t, y)` is called at t0 and after every step. A fixed-step method takes
    /// its share of the steps over [a, b], or `steps` when given (the verification's half steps); the
    /// adaptive method records its own accepted steps, so a recorded pass is the same integration as
    /// an unrecorded one (the trajectory shooting returns is the one its Newton iteration evaluated).
    func propagate(_ y: UnsafeMutablePointer<Double>, phi: UnsafeMutablePointer<Double>?, from t0: Double, to t1: Double,
                   steps override: Int? = nil, record: ((Double, UnsafePointer<Double>) -> Void)? = nil) {
        record?(t0, y)
        switch method {
        case .rungeKutta4, .gaussLegendre4:
            let steps = override ?? method.steps(on: t0, t1, whole: problem.start, problem.end)
            let h = (t1 - t0) / Double(steps)
            for s in 0..<steps {
                let t = t0 + Double(s) * h
                if case .rungeKutta4 = method { rungeKutta4Step(y, phi, t, h) } else { gaussLegendreStep(y, phi, t, h) }
                for i in 0..<n where !y[i].isFinite { failed = true }
                if failed { return }
                record?(s == steps - 1 ? t1 : t + h, y)
            }
        case .adaptive:
            if let phi, let integrator = adaptiveWithPhi {
                var z = [Double](repeating: 0, count: n + n * n)
                for i in 0..<n { z[i] = y[i] }
                for i in 0..<(n * n) { z[n + i] = phi[i] }
                let status = integrator.integrate(&z, from: t0, to: t1) { t, state in record?(t, state) }
                if status != .success { failed = true }
                for i in 0..<n { y[i] = z[i] }
                for i in 0..<(n * n) { phi[i] = z[n + i] }
            } else if let integrator = adaptive {
                var z = Array(UnsafeBufferPointer(start: y, count: n))
                let status = integrator.integrate(&z, from: t0, to: t1) { t, state in record?(t, state) }
                if status != .success { failed = true }
                for i in 0..<n { y[i] = z[i] }
            }
        }
    }

    // MARK: RK4

    private func rungeKutta4Step(_ y: UnsafeMutablePointer<Double>, _ phi: UnsafeMutablePointer<Double>?, _ t: Double, _ h: Double) {
        let n = self.n, nn = n * n
        let field = problem.field
        let weights = [1.0 / 6, 1.0 / 3, 1.0 / 3, 1.0 / 6]
        let offsets = [0.0, 0.5, 0.5, 1.0]
        k.withUnsafeMutableBufferPointer { kb in
        kPhi.withUnsafeMutableBufferPointer { kpb in
        stageY.withUnsafeMutableBufferPointer { sb in
        stagePhi.withUnsafeMutableBufferPointer { spb in
        jacobian.withUnsafeMutableBufferPointer { jb in
            let k = kb.baseAddress!, kp = kpb.baseAddress!, ys = sb.baseAddress!, ps = spb.baseAddress!
            let j = jb.baseAddress!
            for stage in 0..<4 {
                let c = offsets[stage]
                for i in 0..<n { ys[i] = stage == 0 ? y[i] : y[i] + c * h * k[(stage - 1) * n + i] }
                field(t + c * h, ys, k + stage * n)
                fieldEvaluations += 1
                if let phi {
                    for i in 0..<nn { ps[i] = stage == 0 ? phi[i] : phi[i] + c * h * kp[(stage - 1) * nn + i] }
                    fieldEvaluations += derivatives.jacobian(t + c * h, ys, k + stage * n, into: j)
                    Self.multiply(j, ps, into: kp + stage * nn, n: n)
                }
            }
            for i in 0..<n {
                var sum = 0.0
                for stage in 0..<4 { sum += weights[stage] * k[stage * n + i] }
                y[i] += h * sum
            }
            if let phi {
                for i in 0..<nn {
                    var sum = 0.0
                    for stage in 0..<4 { sum += weights[stage] * kp[stage * nn + i] }
                    phi[i] += h * sum
                }
            }
        } } } } }
    }

    static func multiply(_ a: UnsafePointer<Double>, _ b: UnsafePointer<Double>, into c: UnsafeMutablePointer<Double>, n: Int) {
        BLAS.gemm(m: n, n: n, k: n, a: a, lda: n, b: b, ldb: n, c: c, ldc: n)
    }

    // MARK: Gauss–Legendre

    private static let root3 = 3.0.squareRoot()
    private static let c = [0.5 - root3 / 6, 0.5 + root3 / 6]
    private static let a = [[0.25, 0.25 - root3 / 6], [0.25 + root3 / 6, 0.25]]

    /// One step of the 2-stage Gauss method: stages K_i = f(t + c_i h, y + h Σ a_ij K_j) by simplified
    /// Newton with f_y(t, y) (to |ΔK| h <= 1e-15 (1 + |y|)), then y ← y + h (K_1 + K_2)/2. Φ is
    /// advanced by the same scheme applied to the variational equation with the stage Jacobians,
    /// which is the exact derivative of the discrete map.
    private func gaussLegendreStep(_ y: UnsafeMutablePointer<Double>, _ phi: UnsafeMutablePointer<Double>?, _ t: Double, _ h: Double) {
        let n = self.n, nn = n * n, m = 2 * n
        let field = problem.field
        k.withUnsafeMutableBufferPointer { kb in
        stageY.withUnsafeMutableBufferPointer { sb in
        jacobian.withUnsafeMutableBufferPointer { jb in
        jacobians.withUnsafeMutableBufferPointer { jsb in
        newtonMatrix.withUnsafeMutableBufferPointer { mb in
        pivots.withUnsafeMutableBufferPointer { pb in
        correction.withUnsafeMutableBufferPointer { cb in
        stageResidual.withUnsafeMutableBufferPointer { rb in
            let k = kb.baseAddress!, ys = sb.baseAddress!, j = jb.baseAddress!, js = jsb.baseAddress!
            let matrix = mb.baseAddress!, p = pb.baseAddress!, delta = cb.baseAddress!, r = rb.baseAddress!
            // Start: K_1 = K_2 = f(t, y); Newton matrix I − h (A ⊗ f_y(t, y)).
            field(t, y, k)
            fieldEvaluations += 1 + derivatives.jacobian(t, y, k, into: j)
            for i in 0..<n { k[n + i] = k[i] }
            Self.fillStageMatrix(matrix, n: n, h: h) { _, _ in UnsafePointer(j) }
            if DenseLU.factor(matrix, dimension: m, pivots: p) != nil { failed = true; return }
            var scale = 1.0
            for i in 0..<n { scale = max(scale, abs(y[i])) }
            var converged = false
            for _ in 0..<50 {
                for stage in 0..<2 {
                    let yStage = ys + stage * n
                    for i in 0..<n { yStage[i] = y[i] + h * (Self.a[stage][0] * k[i] + Self.a[stage][1] * k[n + i]) }
                    field(t + Self.c[stage] * h, yStage, r + stage * n)
                    fieldEvaluations += 1
                }
                for i in 0..<m { delta[i] = r[i] - k[i] }
                DenseLU.solve(factors: matrix, dimension: m, pivots: p, rhs: delta, columns: 1)
                var size = 0.0
                for i in 0..<m { k[i] += delta[i]; size = max(size, abs(delta[i])) }
                if !(size.isFinite) { break }
                if size * abs(h) <= 1e-15 * scale { converged = true; break }
            }
            if !converged { failed = true; return }
            if let phi {
                // Stage Jacobians at the converged stage values; L_i − h Σ_j a_ij J_i L_j = J_i Φ.
                for stage in 0..<2 {
                    let yStage = ys + stage * n
                    for i in 0..<n { yStage[i] = y[i] + h * (Self.a[stage][0] * k[i] + Self.a[stage][1] * k[n + i]) }
                    field(t + Self.c[stage] * h, yStage, r + stage * n)
                    fieldEvaluations += 1 + derivatives.jacobian(t + Self.c[stage] * h, yStage, r + stage * n, into: js + stage * nn)
                }
                Self.fillStageMatrix(matrix, n: n, h: h) { stage, _ in UnsafePointer(js + stage * nn) }
                if DenseLU.factor(matrix, dimension: m, pivots: p) != nil { failed = true; return }
                // rhs (2n × n): rows of J_i Φ
                for stage in 0..<2 { Self.multiply(js + stage * nn, phi, into: delta + stage * nn, n: n) }
                DenseLU.solve(factors: matrix, dimension: m, pivots: p, rhs: delta, columns: n)
                for i in 0..<nn { phi[i] += 0.5 * h * (delta[i] + delta[nn + i]) }
            }
            for i in 0..<n { y[i] += 0.5 * h * (k[i] + k[n + i]) }
        } } } } } } } }
    }

    /// Writes I − h [a_ij J_i] (2n × 2n, row-major) with J_i from `jacobianOf(stage)`.
    private static func fillStageMatrix(_ matrix: UnsafeMutablePointer<Double>, n: Int, h: Double,
                                        _ jacobianOf: (Int, Int) -> UnsafePointer<Double>) {
        let m = 2 * n
        for stage in 0..<2 {
            let jStage = jacobianOf(stage, 0)
            for r in 0..<n {
                let row = matrix + (stage * n + r) * m
                for other in 0..<2 {
                    let factor = -h * a[stage][other]
                    for c in 0..<n { row[other * n + c] = factor * jStage[r * n + c] }
                }
                row[stage * n + r] += 1
            }
        }
    }
}

/// The variational system z = (y, Φ), z' = (f(t, y), f_y(t, y) Φ), for the adaptive integrator.
final class FieldDerivativesBox {
    private var derivatives: FieldDerivatives
    private let problem: BoundaryValueProblem
    private var jacobian: [Double]

    init(problem: BoundaryValueProblem) {
        self.problem = problem
        derivatives = FieldDerivatives(problem: problem)
        jacobian = [Double](repeating: 0, count: problem.dimension * problem.dimension)
    }

    func variationalField(_ t: Double, _ z: UnsafePointer<Double>, _ dz: UnsafeMutablePointer<Double>) {
        let n = problem.dimension
        problem.field(t, z, dz)
        jacobian.withUnsafeMutableBufferPointer { j in
            _ = derivatives.jacobian(t, z, UnsafePointer(dz), into: j.baseAddress!)
            FlowIntegrator.multiply(j.baseAddress!, z + n, into: dz + n, n: n)
        }
    }
}
