import Foundation
import NumericCore

/// Advances one path of a `StochasticHeatEquation` discretised by a `HeatScheme` with J modes (or J
/// finite-difference nodes) and time step Δτ. Holds its own workspace: one stepper per worker thread.
/// Cost per step: O(J) for the linear part and noise, plus one DCT/DST pair of J points when there is a
/// reaction (spectral schemes) or one inverse transform for the noise (finite differences); no allocation.
public final class HeatEquationStepper {
    public let problem: StochasticHeatEquation
    public let scheme: HeatScheme
    public let modes: Int
    public let timeStep: Double
    /// Grid spacing of the collocation / finite-difference nodes.
    public let spacing: Double
    /// The nodes t_k (cell centres for Neumann, interior nodes for Dirichlet).
    public let nodes: [Double]
    /// Per-mode factors: multiplier of û, of f̂ and of ΔW (spectral), or 0 (finite differences).
    private var stateFactor: [Double]
    private var reactionFactor: [Double]
    private var noiseFactor: [Double]
    /// Spectral: L²-orthonormal coefficients; finite differences: node values.
    private var state: [Double]
    private var work: [Double]
    private var noiseWork: [Double]
    private let cosine: OrthonormalCosineTransform?
    private let sine: OrthonormalSineTransform?
    private let tridiagonal: TridiagonalFactorization?
    /// Seconds spent in DCT/DST calls (measured only when `timingTransforms` is set).
    public var timingTransforms = false
    public private(set) var transformSeconds = 0.0

    /// Throws `InvalidArgument` for modes < 1 or a non-positive time step.
    public init(_ problem: StochasticHeatEquation, scheme: HeatScheme, modes: Int, timeStep: Double) throws {
        try Validate.positive(modes, "modes")
        try Validate.positive(timeStep, "timeStep")
        self.problem = problem
        self.scheme = scheme
        self.modes = modes
        self.timeStep = timeStep
        let neumann = problem.boundary == .neumann
        spacing = neumann ? problem.length / Double(modes) : problem.length / Double(modes + 1)
        let h = spacing
        nodes = (0..<modes).map { neumann ? (Double($0) + 0.5) * h : Double($0 + 1) * h }
        cosine = neumann ? try OrthonormalCosineTransform(count: modes) : nil
        sine = neumann ? nil : try OrthonormalSineTransform(count: modes)
        stateFactor = [Double](repeating: 0, count: modes)
        reactionFactor = [Double](repeating: 0, count: modes)
        noiseFactor = [Double](repeating: 0, count: modes)
        let sigma = problem.noiseAmplitude, dt = timeStep
        switch scheme {
        case .semiImplicitSpectral:
            for j in 0..<modes {
                let inverse = 1 / (1 + dt * problem.eigenvalue(mode: j))
                stateFactor[j] = inverse
                reactionFactor[j] = dt * inverse
                noiseFactor[j] = sigma * problem.noiseWeight(mode: j) * inverse
            }
            tridiagonal = nil
        case .exponentialEulerSpectral:
            for j in 0..<modes {
                let mu = problem.eigenvalue(mode: j)
                stateFactor[j] = exp(-mu * dt)
                reactionFactor[j] = mu > 0 ? -expm1(-mu * dt) / mu : dt
                let variance = mu > 0 ? -expm1(-2 * mu * dt) / (2 * mu * dt) : 1
                noiseFactor[j] = sigma * problem.noiseWeight(mode: j) * variance.squareRoot()
            }
            tridiagonal = nil
        case .semiImplicitFiniteDifference:
            // (I + Δτ(αA_h + λ)), A_h = tridiag(−1, 2, −1)/h² with the free-end rows (1, −1)/h² for Neumann.
            let r = dt * problem.diffusivity / (h * h)
            var diagonal = [Double](repeating: 1 + 2 * r + dt * problem.decay, count: modes)
            if neumann {
                diagonal[0] -= r
                diagonal[modes - 1] -= r
            }
            tridiagonal = TridiagonalFactorization(diagonal: diagonal, offDiagonal: -r)
            // Mode-space noise weights; Ψ and the factor σ/√h are applied per step.
            for j in 0..<modes { noiseFactor[j] = sigma * problem.noiseWeight(mode: j) / h.squareRoot() }
        }
        state = [Double](repeating: 0, count: modes)
        work = [Double](repeating: 0, count: modes)
        noiseWork = [Double](repeating: 0, count: modes)
        reset()
    }

    /// Sets the state to the initial value (0 if none): node values projected onto the modes (spectral)
    /// or taken at the nodes (finite differences).
    public func reset() {
        for k in 0..<modes { state[k] = problem.initialValue?(nodes[k]) ?? 0 }
        if scheme != .semiImplicitFiniteDifference { state.withUnsafeMutableBufferPointer { valuesToCoefficients($0) } }
    }

    /// The discrete eigenvalue of mode j for this discretisation: μ_j for the spectral schemes,
    /// α·4 sin²(πk/(2P))/h² + λ for finite differences (P = J for Neumann, J + 1 for Dirichlet).
    public func discreteEigenvalue(mode j: Int) -> Double {
        guard scheme == .semiImplicitFiniteDifference else { return problem.eigenvalue(mode: j) }
        let k = Double(problem.wavenumber(mode: j))
        let p = Double(problem.boundary == .neumann ? modes : modes + 1)
        let s = sin(Double.pi * k / (2 * p))
        return problem.diffusivity * 4 * s * s / (spacing * spacing) + problem.decay
    }

    /// Node values → L²-orthonormal mode coefficients, in place: û = √h Ψ^T(u).
    private func valuesToCoefficients(_ buffer: UnsafeMutableBufferPointer<Double>) {
        let start = timingTransforms ? DispatchTime.now().uptimeNanoseconds : 0
        if let cosine { cosine.forward(buffer) } else if let sine { sine.apply(buffer) }
        let scale = spacing.squareRoot()
        for j in 0..<modes { buffer[j] *= scale }
        if timingTransforms { transformSeconds += Double(DispatchTime.now().uptimeNanoseconds - start) * 1e-9 }
    }

    /// Mode coefficients → node values, in place: u = h^{−1/2} Ψ(û).
    private func coefficientsToValues(_ buffer: UnsafeMutableBufferPointer<Double>) {
        let start = timingTransforms ? DispatchTime.now().uptimeNanoseconds : 0
        let scale = 1 / spacing.squareRoot()
        for j in 0..<modes { buffer[j] *= scale }
        if let cosine { cosine.inverse(buffer) } else if let sine { sine.apply(buffer) }
        if timingTransforms { transformSeconds += Double(DispatchTime.now().uptimeNanoseconds - start) * 1e-9 }
    }

    /// One step driven by the mode increments ΔW_j ~ N(0, Δτ) (J entries). Returns false, keeping the
    /// previous state, if the new state is not finite.
    @discardableResult
    public func step(increments dW: UnsafeBufferPointer<Double>) -> Bool {
        let j = modes
        var finite = true
        state.withUnsafeMutableBufferPointer { u in
            work.withUnsafeMutableBufferPointer { w in
                noiseWork.withUnsafeMutableBufferPointer { z in
                    stateFactor.withUnsafeBufferPointer { a in
                        reactionFactor.withUnsafeBufferPointer { b in
                            noiseFactor.withUnsafeBufferPointer { c in
                                switch scheme {
                                case .semiImplicitSpectral, .exponentialEulerSpectral:
                                    if let f = problem.reaction {
                                        for k in 0..<j { w[k] = u[k] }
                                        coefficientsToValues(w)
                                        for k in 0..<j { w[k] = f(w[k]) }
                                        valuesToCoefficients(w)
                                        for k in 0..<j { z[k] = a[k] * u[k] + b[k] * w[k] + c[k] * dW[k] }
                                    } else {
                                        for k in 0..<j { z[k] = a[k] * u[k] + c[k] * dW[k] }
                                    }
                                case .semiImplicitFiniteDifference:
                                    for k in 0..<j { w[k] = c[k] * dW[k] }
                                    let start = timingTransforms ? DispatchTime.now().uptimeNanoseconds : 0
                                    if let cosine { cosine.inverse(w) } else if let sine { sine.apply(w) }
                                    if timingTransforms { transformSeconds += Double(DispatchTime.now().uptimeNanoseconds - start) * 1e-9 }
                                    let dt = timeStep
                                    if let f = problem.reaction {
                                        for k in 0..<j { z[k] = u[k] + dt * f(u[k]) + w[k] }
                                    } else {
                                        for k in 0..<j { z[k] = u[k] + w[k] }
                                    }
                                    tridiagonal?.solve(z)
                                }
                                for k in 0..<j where !z[k].isFinite { finite = false }
                                if finite { for k in 0..<j { u[k] = z[k] } }
                            }
                        }
                    }
                }
            }
        }
        return finite
    }

    /// The L² energy ∫ u² dt of the current state: Σ û_j² (spectral) or h Σ u_k² (finite differences).
    public var energy: Double {
        var sum = 0.0
        for value in state { sum += value * value }
        return scheme == .semiImplicitFiniteDifference ? spacing * sum : sum
    }

    /// The L²-orthonormal mode coefficients of the current state (for finite differences, the discrete
    /// projection √h Ψ^T u onto the grid eigenvectors).
    public var modeCoefficients: [Double] {
        guard scheme == .semiImplicitFiniteDifference else { return state }
        var copy = state
        copy.withUnsafeMutableBufferPointer { valuesToCoefficients($0) }
        return copy
    }

    /// The solution at the nodes.
    public var nodeValues: [Double] {
        guard scheme != .semiImplicitFiniteDifference else { return state }
        var copy = state
        copy.withUnsafeMutableBufferPointer { coefficientsToValues($0) }
        return copy
    }
}
