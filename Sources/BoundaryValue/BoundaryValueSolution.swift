import NumericCore

/// How a solve ended. Anything but `success` comes with the last good state and a message a user can act on.
///
/// `success` is a promise: the solver has checked the solution it returns (its dense output and its
/// boundary residual) against its tolerances (Notes/bvp-verification.md).
public enum BoundaryValueStatus: String, Sendable, Equatable, Codable {
    /// The returned solution passed the solver's check: residual or estimated error of the dense output
    /// within `tolerance` (the meaning of `tolerance` is documented on each algorithm) and max |g| within
    /// `boundaryTolerance`.
    case success
    /// Newton did not converge within the iteration limit (often: no solution nearby; try a better
    /// guess or continuation in a parameter).
    case maxIterations
    /// The damped Newton step could not reduce the residual (the line search hit its minimum step), or
    /// the iteration converged but the returned solution misses the boundary conditions by more than
    /// `boundaryTolerance` (shooting: the initial value problem is too unstable).
    case noConvergence
    /// The Newton matrix had an exactly zero pivot (non-isolated solution or bad boundary conditions).
    case singularJacobian
    /// The discretisation the solver may use cannot meet the tolerance: mesh refinement needed more
    /// nodes than allowed, Chebyshev coefficients still above tolerance at `maxDegree`, or the
    /// estimated error of a shooting solution is above `tolerance` (fixed steps too coarse, or the
    /// adaptive integrator's tolerance too loose for the problem's growth). The values are the
    /// converged discrete solution; `errorEstimate`/`maxResidual` say how accurate it is.
    case meshLimit
    /// The field, the boundary conditions or the iterates produced NaN or infinity.
    case nonFinite
}

/// Counters of one solve.
public struct BoundaryValueStats: Sendable, Equatable, Codable {
    public var newtonIterations = 0
    public var fieldEvaluations = 0
    public var jacobianEvaluations = 0
    public var factorizations = 0
    public var meshRefinements = 0
    public var nodes = 0
    /// Wall-clock seconds of the solve.
    public var seconds = 0.0
    public init() {}
}

/// The result of a boundary value solve: node values and slopes with a C¹ cubic Hermite dense output,
/// status, statistics and residuals.
public struct BoundaryValueSolution: Sendable {
    public let dimension: Int
    public let status: BoundaryValueStatus
    /// One sentence on what happened (what failed and what to try).
    public let message: String
    public let mesh: [Double]
    /// y at the mesh nodes, row-major (mesh.count × n).
    public let values: [Double]
    /// y' = f(t, y) at the mesh nodes, row-major; with `values` it defines the dense output.
    public let slopes: [Double]
    public let stats: BoundaryValueStats
    /// Largest relative residual of the dense output, max over intervals of the RMS of
    /// |S'(t) − f(t, S(t))| / (1 + |f|) (collocation's control quantity; shooting reports the
    /// same quantity measured on its output).
    public let maxResidual: Double
    /// max |g(y(a), y(b))| of the returned solution (its first and last node).
    public let boundaryResidual: Double
    /// The shooting solvers' estimate of the relative error max |y − y_exact| / (1 + |y_exact|) of the
    /// dense output at the nodes and interval midpoints (against a finer integration from the same
    /// initial values, `ShootingTrajectory`); nil for the collocation solvers and for failed solves.
    public internal(set) var errorEstimate: Double? = nil
    /// Chebyshev collocation's global polynomial (then `value(at:)` and `derivative(at:)` evaluate it,
    /// with spectral accuracy between the nodes); nil for the piecewise methods.
    public internal(set) var series: ChebyshevSeries? = nil

    /// Unknown parameters of the problem (`BoundaryValueProblem.withParameters`): the last
    /// `parameterCount` of the `dimension` components.
    public internal(set) var parameterCount = 0

    public var succeeded: Bool { status == .success }

    /// The unknown parameters p found with the solution (constant along t; read at the first node),
    /// empty for a problem without parameters (SciPy's `sol.p`).
    public var parameters: [Double] {
        guard parameterCount > 0, values.count >= dimension else { return [] }
        return Array(values[(dimension - parameterCount)..<dimension])
    }

    /// y(t) from the cubic Hermite interpolant (C¹; fourth-order accurate between nodes). Outside
    /// [start, end] the end intervals' cubics are extrapolated.
    public func value(at t: Double) -> [Double] {
        if let series { return series.value(at: t) }
        var y = [Double](repeating: 0, count: dimension)
        evaluate(t, value: &y, derivative: nil)
        return y
    }

    /// y'(t) from the derivative of the same cubic.
    public func derivative(at t: Double) -> [Double] {
        if let series { return series.derivative(at: t) }
        var y = [Double](repeating: 0, count: dimension)
        var d = [Double](repeating: 0, count: dimension)
        evaluate(t, value: &y, derivative: &d)
        return d
    }

    func evaluate(_ t: Double, value: inout [Double], derivative: UnsafeMutablePointer<[Double]>?) {
        let n = dimension
        guard mesh.count >= 2 else {
            for k in 0..<n { value[k] = values.isEmpty ? 0 : values[k] }
            return
        }
        var i = 0, high = mesh.count - 1
        while high - i > 1 {
            let middle = (i + high) / 2
            if mesh[middle] <= t { i = middle } else { high = middle }
        }
        let h = mesh[i + 1] - mesh[i]
        let s = (t - mesh[i]) / h
        let h00 = (1 + 2 * s) * (1 - s) * (1 - s), h10 = s * (1 - s) * (1 - s)
        let h01 = s * s * (3 - 2 * s), h11 = s * s * (s - 1)
        for k in 0..<n {
            let y0 = values[i * n + k], y1 = values[(i + 1) * n + k]
            let f0 = slopes[i * n + k], f1 = slopes[(i + 1) * n + k]
            value[k] = h00 * y0 + h * h10 * f0 + h01 * y1 + h * h11 * f1
        }
        if let derivative {
            let d00 = 6 * s * (s - 1) / h, d10 = (1 - s) * (1 - 3 * s)
            let d01 = -d00, d11 = s * (3 * s - 2)
            for k in 0..<n {
                let y0 = values[i * n + k], y1 = values[(i + 1) * n + k]
                let f0 = slopes[i * n + k], f1 = slopes[(i + 1) * n + k]
                derivative.pointee[k] = d00 * y0 + d10 * f0 + d01 * y1 + d11 * f1
            }
        }
    }
}
