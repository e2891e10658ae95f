import Foundation
import NumericCore

/// Advances one path of a `StochasticHeatEquation` discretised by a `HeatScheme` with J modes (or J
/// finite-difference nodes) and time step Δτ. The spectral schemes are the `SemilinearSPDE` engine's
/// (`SPDEStepper` on `problem.semilinear`); the finite-difference scheme is its own three-point
/// stepper. Holds its own workspace: one stepper per worker thread.
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
    /// The spectral schemes' stepper (nil for finite differences).
    private let engine: SPDEStepper?
    /// Finite differences: node values, work arrays and the mode-space noise weights σ√q_j/√h.
    private var state: [Double]
    private var work: [Double]
    private var noiseFactor: [Double]
    private let cosine: OrthonormalCosineTransform?
    private let sine: OrthonormalSineTransform?
    private let tridiagonal: TridiagonalFactorization?
    /// Seconds spent in DCT/DST calls (measured only when `timingTransforms` is set).
    public var timingTransforms = false {
        didSet { engine?.timingTransforms = timingTransforms }
    }
    private var finiteDifferenceTransformSeconds = 0.0
    public var transformSeconds: Double { engine?.transformSeconds ?? finiteDifferenceTransformSeconds }

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
        noiseFactor = [Double](repeating: 0, count: modes)
        state = [Double](repeating: 0, count: modes)
        work = [Double](repeating: 0, count: modes)
        switch scheme {
        case .semiImplicitSpectral, .exponentialEulerSpectral:
            engine = try SPDEStepper(problem.semilinear, modes: [modes],
                                     scheme: scheme == .semiImplicitSpectral ? .semiImplicit : .exponentialEuler, timeStep: timeStep)
            cosine = nil
            sine = nil
            tridiagonal = nil
        case .semiImplicitFiniteDifference:
            engine = nil
            cosine = neumann ? try OrthonormalCosineTransform(count: modes) : nil
            sine = neumann ? nil : try OrthonormalSineTransform(count: modes)
            // (I + Δτ(αA_h + λ)), A_h = tridiag(−1, 2, −1)/h² with the free-end rows (1, −1)/h² for Neumann.
            let r = timeStep * problem.diffusivity / (h * h)
            var diagonal = [Double](repeating: 1 + 2 * r + timeStep * problem.decay, count: modes)
            if neumann {
                diagonal[0] -= r
                diagonal[modes - 1] -= r
            }
            tridiagonal = TridiagonalFactorization(diagonal: diagonal, offDiagonal: -r)
            // Mode-space noise weights; Ψ and the factor σ/√h are applied per step.
            for j in 0..<modes { noiseFactor[j] = problem.noiseAmplitude * problem.noiseWeight(mode: j) / h.squareRoot() }
        }
        reset()
    }

    /// Sets the state to the initial value (0 if none): node values projected onto the modes (spectral)
    /// or taken at the nodes (finite differences).
    public func reset() {
        if let engine { return engine.reset() }
        for k in 0..<modes { state[k] = problem.initialValue?(nodes[k]) ?? 0 }
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

    /// Finite differences: Ψ applied in place (DCT-III for Neumann, DST-I for Dirichlet), timed.
    private func synthesise(_ buffer: UnsafeMutableBufferPointer<Double>) {
        let start = timingTransforms ? DispatchTime.now().uptimeNanoseconds : 0
        if let cosine { cosine.inverse(buffer) } else if let sine { sine.apply(buffer) }
        if timingTransforms { finiteDifferenceTransformSeconds += Double(DispatchTime.now().uptimeNanoseconds - start) * 1e-9 }
    }

    /// One step driven by the mode increments ΔW_j ~ N(0, Δτ) (J entries). Returns false, keeping the
    /// previous state, if the new state is not finite.
    @discardableResult
    public func step(increments dW: UnsafeBufferPointer<Double>) -> Bool {
        if let engine { return engine.step(increments: dW.baseAddress) }
        let j = modes, dt = timeStep
        var finite = true
        state.withUnsafeMutableBufferPointer { u in
            work.withUnsafeMutableBufferPointer { w in
                for k in 0..<j { w[k] = noiseFactor[k] * dW[k] }
                synthesise(w)
                if let f = problem.reaction {
                    for k in 0..<j { w[k] += u[k] + dt * f(u[k]) }
                } else {
                    for k in 0..<j { w[k] += u[k] }
                }
                tridiagonal?.solve(w)
                for k in 0..<j where !w[k].isFinite { finite = false }
                if finite { for k in 0..<j { u[k] = w[k] } }
            }
        }
        return finite
    }

    /// The L² energy ∫ u² dt of the current state: Σ û_j² (spectral) or h Σ u_k² (finite differences).
    public var energy: Double {
        if let engine { return engine.energy }
        return spacing * state.reduce(0) { $0 + $1 * $1 }
    }

    /// The L²-orthonormal mode coefficients of the current state (for finite differences, the discrete
    /// projection √h Ψ^T u onto the grid eigenvectors).
    public var modeCoefficients: [Double] {
        if let engine { return engine.modeCoefficients }
        var copy = state
        copy.withUnsafeMutableBufferPointer { buffer in
            if let cosine { cosine.forward(buffer) } else if let sine { sine.apply(buffer) }
            for k in 0..<modes { buffer[k] *= spacing.squareRoot() }
        }
        return copy
    }

    /// The solution at the nodes.
    public var nodeValues: [Double] { engine?.nodeValues ?? state }
}
