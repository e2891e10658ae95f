@preconcurrency import CGSL

/// Adaptive explicit Runge–Kutta integration of y' = f(t, y) with GSL's odeiv2 (embedded pairs with
/// standard error control |err_i| <= absolute + relative·|y_i|).
///
/// Methods: `rk8pd` (Prince–Dormand 8(7), for tight tolerances) and `rkf45` (Fehlberg 4(5)). The
/// `gsl_odeiv2_system` GSL keeps a pointer to lives on the heap for the integrator's lifetime. A step
/// failure, a non-finite value or the step limit ends `integrate` with a status, never a crash.
/// Not thread-safe: one integrator per thread.
public final class AdaptiveODEIntegrator {
    public enum Method: String, Sendable, CaseIterable { case rk8pd, rkf45 }

    public enum Status: Sendable, Equatable {
        case success
        case stepLimit
        case failed(String)
    }

    public typealias Field = (_ t: Double, _ y: UnsafePointer<Double>, _ dy: UnsafeMutablePointer<Double>) -> Void

    public let dimension: Int
    public let maxSteps: Int
    public private(set) var steps = 0
    private final class Context {
        let field: Field
        var failed = false
        init(field: @escaping Field) { self.field = field }
    }
    private let context: Context
    private let unmanaged: Unmanaged<Context>
    private let system: UnsafeMutablePointer<gsl_odeiv2_system>
    private let step: UnsafeMutablePointer<gsl_odeiv2_step>
    private let control: UnsafeMutablePointer<gsl_odeiv2_control>
    private let evolve: UnsafeMutablePointer<gsl_odeiv2_evolve>

    /// - Throws: `InvalidArgument` for a non-positive dimension or tolerances, or when GSL cannot allocate.
    public init(dimension: Int, method: Method = .rk8pd, absoluteTolerance: Double, relativeTolerance: Double,
                maxSteps: Int = 1_000_000, field: @escaping Field) throws {
        try Validate.positive(dimension, "dimension")
        try Validate.positive(absoluteTolerance, "absoluteTolerance")
        try Validate.positive(relativeTolerance, "relativeTolerance")
        GSLErrorBridge.ensureInstalled()
        self.dimension = dimension
        self.maxSteps = maxSteps
        context = Context(field: field)
        unmanaged = Unmanaged.passRetained(context)
        system = UnsafeMutablePointer<gsl_odeiv2_system>.allocate(capacity: 1)
        system.initialize(to: gsl_odeiv2_system(
            function: { t, y, dydt, params in
                guard let y, let dydt, let params else { return Int32(GSL_EFAULT) }
                let context = Unmanaged<Context>.fromOpaque(params).takeUnretainedValue()
                context.field(t, y, dydt)
                return Int32(GSL_SUCCESS)
            },
            jacobian: nil, dimension: dimension, params: unmanaged.toOpaque()))
        let type = method == .rk8pd ? gsl_odeiv2_step_rk8pd : gsl_odeiv2_step_rkf45
        guard let s = gsl_odeiv2_step_alloc(type, dimension),
              let c = gsl_odeiv2_control_standard_new(absoluteTolerance, relativeTolerance, 1, 0),
              let e = gsl_odeiv2_evolve_alloc(dimension) else {
            system.deallocate()
            unmanaged.release()
            throw InvalidArgument("dimension", dimension, "GSL could not allocate an integrator of this size")
        }
        step = s
        control = c
        evolve = e
    }

    deinit {
        gsl_odeiv2_evolve_free(evolve)
        gsl_odeiv2_control_free(control)
        gsl_odeiv2_step_free(step)
        system.deallocate()
        unmanaged.release()
    }

    /// Integrates y from `start` to `end` in place, calling `record(t, y)` after every accepted step.
    public func integrate(_ y: inout [Double], from start: Double, to end: Double, initialStep: Double? = nil,
                          record: ((Double, UnsafePointer<Double>) -> Void)? = nil) -> Status {
        guard y.count == dimension else { return .failed("state has \(y.count) values, expected \(dimension)") }
        gsl_odeiv2_evolve_reset(evolve)
        gsl_odeiv2_step_reset(step)
        var t = start
        var h = initialStep ?? (end - start) * 1e-3
        _ = GSLErrorBridge.takeRecordedError()
        return y.withUnsafeMutableBufferPointer { buffer -> Status in
            let state = buffer.baseAddress!
            var taken = 0
            while t < end {
                if taken >= maxSteps { return .stepLimit }
                let code = gsl_odeiv2_evolve_apply(evolve, control, step, system, &t, end, &h, state)
                taken += 1
                steps += 1
                if code != Int32(GSL_SUCCESS) {
                    let error = GSLErrorBridge.takeRecordedError()
                    return .failed(error?.description ?? "GSL odeiv2 status \(code)")
                }
                for i in 0..<dimension where !state[i].isFinite { return .failed("non-finite state at t = \(t)") }
                record?(t, state)
            }
            return .success
        }
    }
}
