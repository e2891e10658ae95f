@preconcurrency import CGSL

/// Roots of F(x) = 0, F: Rⁿ → Rⁿ, with GSL's multiroot solvers (Newton family with a Jacobian).
///
/// Methods: `hybridsj` (Powell's hybrid: a trust region between Newton and steepest descent, robust
/// far from the root), `newton` (plain Newton, quadratic near a simple root), `globalNewton` (GSL's
/// gnewton: Newton with a step reduction when |F| grows). Without an analytic Jacobian, forward
/// differences (step √ε·max(1, |x_j|)) replace it. Converged when max|F_i| <= `residualTolerance` or
/// the step satisfies |dx_i| <= `stepTolerance`·(1 + |x_i|) after a decrease of |F|.
///
/// The `gsl_multiroot_function_fdf` GSL keeps a pointer to is allocated on the heap and freed after
/// the solver, so it outlives every GSL call. Failure (iteration limit, no progress, a singular
/// Jacobian, non-finite values) is a `status` with the last iterate, never a throw.
public enum NonlinearSystemSolver {
    public enum Method: String, Sendable, CaseIterable {
        case hybridsj, newton, globalNewton
    }

    public enum Status: String, Sendable, Equatable {
        case success
        case maxIterations
        /// GSL reported that iterations stopped making progress (GSL_ENOPROG / GSL_ENOPROGJ).
        case noProgress
        /// The Jacobian was singular (GSL_EDOM / GSL_ESING from the linear solve).
        case singularJacobian
        /// F or its Jacobian returned a non-finite value (the callback returned false).
        case nonFinite
    }

    public struct Result: Sendable {
        public let root: [Double]
        public let residual: [Double]
        public let status: Status
        public let iterations: Int
        public let functionEvaluations: Int
        public let jacobianEvaluations: Int
        /// The GSL error message behind a failure status, if any.
        public let detail: String?
        public var residualNorm: Double { residual.reduce(0) { max($0, abs($1)) } }
    }

    /// F writes n values; returns false when it cannot (non-finite input or output).
    public typealias Function = (_ x: UnsafePointer<Double>, _ f: UnsafeMutablePointer<Double>) -> Bool
    /// Writes ∂F/∂x row-major (n × n); returns false on failure.
    public typealias Jacobian = (_ x: UnsafePointer<Double>, _ jacobian: UnsafeMutablePointer<Double>) -> Bool

    private final class Callbacks {
        let n: Int
        let function: Function
        let jacobian: Jacobian?
        var functionCalls = 0
        var jacobianCalls = 0
        var failed = false
        var scratch: [Double]
        var point: [Double]
        var base: [Double]

        init(n: Int, function: @escaping Function, jacobian: Jacobian?) {
            self.n = n
            self.function = function
            self.jacobian = jacobian
            scratch = [Double](repeating: 0, count: n)
            point = scratch
            base = scratch
        }

        func evaluate(_ x: UnsafePointer<gsl_vector>, _ f: UnsafeMutablePointer<gsl_vector>) -> Int32 {
            functionCalls += 1
            for i in 0..<n { point[i] = gsl_vector_get(x, i) }
            let ok = point.withUnsafeBufferPointer { p in
                scratch.withUnsafeMutableBufferPointer { s in function(p.baseAddress!, s.baseAddress!) }
            }
            guard ok, scratch.allSatisfy({ $0.isFinite }) else { failed = true; return Int32(GSL_EBADFUNC) }
            for i in 0..<n { gsl_vector_set(f, i, scratch[i]) }
            return Int32(GSL_SUCCESS)
        }

        func differentiate(_ x: UnsafePointer<gsl_vector>, _ j: UnsafeMutablePointer<gsl_matrix>) -> Int32 {
            jacobianCalls += 1
            for i in 0..<n { point[i] = gsl_vector_get(x, i) }
            var matrix = [Double](repeating: 0, count: n * n)
            let ok: Bool
            if let jacobian {
                ok = point.withUnsafeBufferPointer { p in matrix.withUnsafeMutableBufferPointer { m in jacobian(p.baseAddress!, m.baseAddress!) } }
            } else {
                ok = finiteDifference(into: &matrix)
            }
            guard ok, matrix.allSatisfy({ $0.isFinite }) else { failed = true; return Int32(GSL_EBADFUNC) }
            for r in 0..<n { for c in 0..<n { gsl_matrix_set(j, r, c, matrix[r * n + c]) } }
            return Int32(GSL_SUCCESS)
        }

        private func finiteDifference(into matrix: inout [Double]) -> Bool {
            functionCalls += n + 1
            let center = point
            var ok = center.withUnsafeBufferPointer { p in base.withUnsafeMutableBufferPointer { b in function(p.baseAddress!, b.baseAddress!) } }
            for c in 0..<n where ok {
                let step = 1.4901161193847656e-8 * max(1, abs(center[c]))
                point[c] = center[c] + step
                let actual = point[c] - center[c]
                ok = point.withUnsafeBufferPointer { p in scratch.withUnsafeMutableBufferPointer { s in function(p.baseAddress!, s.baseAddress!) } }
                for r in 0..<n { matrix[r * n + c] = (scratch[r] - base[r]) / actual }
                point[c] = center[c]
            }
            return ok
        }
    }

    /// max_i |v_i| (GSL's own residual test uses the 1-norm, which grows with n).
    private static func maxNorm(_ v: UnsafeMutablePointer<gsl_vector>, _ n: Int) -> Double {
        var norm = 0.0
        for i in 0..<n { norm = max(norm, abs(gsl_vector_get(v, i))) }
        return norm
    }

    /// Solves F(x) = 0 from `initial`.
    /// - Throws: `InvalidArgument` for an empty or non-finite start or non-positive tolerances.
    public static func solve(
        initial: [Double], method: Method = .hybridsj, residualTolerance: Double = 1e-10,
        stepTolerance: Double = 1e-14, maxIterations: Int = 100,
        function: @escaping Function, jacobian: Jacobian? = nil
    ) throws -> Result {
        let n = initial.count
        try Validate.positive(n, "initial.count")
        try Validate.finite(initial, "initial")
        try Validate.positive(residualTolerance, "residualTolerance")
        try Validate.positive(maxIterations, "maxIterations")
        GSLErrorBridge.ensureInstalled()
        let callbacks = Callbacks(n: n, function: function, jacobian: jacobian)
        let context = Unmanaged.passRetained(callbacks)
        defer { context.release() }
        let system = UnsafeMutablePointer<gsl_multiroot_function_fdf>.allocate(capacity: 1)
        defer { system.deallocate() }
        system.initialize(to: gsl_multiroot_function_fdf(
            f: { x, params, f in
                guard let x, let params, let f else { return Int32(GSL_EFAULT) }
                return Unmanaged<Callbacks>.fromOpaque(params).takeUnretainedValue().evaluate(x, f)
            },
            df: { x, params, j in
                guard let x, let params, let j else { return Int32(GSL_EFAULT) }
                return Unmanaged<Callbacks>.fromOpaque(params).takeUnretainedValue().differentiate(x, j)
            },
            fdf: { x, params, f, j in
                guard let x, let params, let f, let j else { return Int32(GSL_EFAULT) }
                let callbacks = Unmanaged<Callbacks>.fromOpaque(params).takeUnretainedValue()
                let status = callbacks.evaluate(x, f)
                return status != Int32(GSL_SUCCESS) ? status : callbacks.differentiate(x, j)
            },
            n: n, params: context.toOpaque()))
        let type: UnsafePointer<gsl_multiroot_fdfsolver_type>
        switch method {
        case .hybridsj: type = gsl_multiroot_fdfsolver_hybridsj
        case .newton: type = gsl_multiroot_fdfsolver_newton
        case .globalNewton: type = gsl_multiroot_fdfsolver_gnewton
        }
        guard let solver = gsl_multiroot_fdfsolver_alloc(type, n) else {
            throw InvalidArgument("initial.count", n, "GSL could not allocate a solver of this size")
        }
        defer { gsl_multiroot_fdfsolver_free(solver) }
        let start = gsl_vector_alloc(n)
        defer { gsl_vector_free(start) }
        for i in 0..<n { gsl_vector_set(start, i, initial[i]) }

        var status = Status.maxIterations
        var detail: String?
        var iterations = 0
        func classify(_ code: Int32, _ error: GSLError?) -> Status {
            if callbacks.failed { return .nonFinite }
            switch Int(code) {
            case Int(GSL_ENOPROG), Int(GSL_ENOPROGJ): return .noProgress
            case Int(GSL_EBADFUNC): return .nonFinite
            default: return .singularJacobian
            }
        }
        let setCode = gsl_multiroot_fdfsolver_set(solver, system, start)
        if setCode != Int32(GSL_SUCCESS) || callbacks.failed {
            let error = GSLErrorBridge.takeRecordedError()
            status = classify(setCode, error)
            detail = error?.description
        } else if maxNorm(solver.pointee.f, n) <= residualTolerance {
            status = .success
        } else {
            _ = GSLErrorBridge.takeRecordedError()
            while iterations < maxIterations {
                iterations += 1
                let code = gsl_multiroot_fdfsolver_iterate(solver)
                if code != Int32(GSL_SUCCESS) || callbacks.failed {
                    let error = GSLErrorBridge.takeRecordedError()
                    status = classify(code, error)
                    detail = error?.description
                    break
                }
                if maxNorm(solver.pointee.f, n) <= residualTolerance {
                    status = .success
                    break
                }
                if gsl_multiroot_test_delta(solver.pointee.dx, solver.pointee.x, 0, stepTolerance) == Int32(GSL_SUCCESS) {
                    status = .noProgress
                    break
                }
            }
        }
        let root = (0..<n).map { gsl_vector_get(solver.pointee.x, $0) }
        let residual = (0..<n).map { gsl_vector_get(solver.pointee.f, $0) }
        return Result(root: root, residual: residual, status: status, iterations: iterations,
                      functionEvaluations: callbacks.functionCalls, jacobianEvaluations: callbacks.jacobianCalls,
                      detail: detail)
    }
}
