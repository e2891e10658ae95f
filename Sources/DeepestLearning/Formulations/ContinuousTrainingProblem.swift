import NumericCore

/// How the readout parameters (C, c) enter a boundary value formulation.
public enum ReadoutParameters: Sendable, Hashable {
    /// Fixed values (C, c) in the layout of `Readout` (e.g. P = I for the verification problems).
    case fixed([Double])
    /// Unknown constants of the BVP (y gains k components with y' = 0) with the stationarity
    /// conditions Σ_k R_out ∇_{C,c} φ_k(x_k(T)) + μ (C, c) = 0 at t = T.
    case trained(tikhonov: Double)
    /// Eliminated by variable projection: (C, c) is the minimiser β*(X) of the readout's part of the
    /// action, R_out Σ_k φ_k(x_k(T); C, c) + (μ/2)|(C, c)|², for the current final states X (a ridge
    /// regression in closed form for least squares, a damped inner Newton solve for softmax
    /// cross-entropy; μ > 0 makes either strictly convex). The BVP loses the k readout unknowns and
    /// their conditions; by the envelope theorem its end condition is p_k(T) = −R_out∇ₓφ_k(x_k(T); β*(X))
    /// and the solution is that of `.trained` (Notes/readout-projection.md).
    case projected(tikhonov: Double)
}

/// The continuum training action of a continuous-depth network (MATH.md §1.2):
///
///   A[x, θ] = Σ_k [ (R_in/2)|x_k(0) − y_k^in|² + R_out φ_k(x_k(T)) ]
///           + ∫_0^T Σ_k (r_f/2)|ẋ_k − F(x_k, θ)|² + (α/2)|θ'|² + (λ/2)|θ|² dt,
///
/// whose stationarity conditions are posed as two-point boundary value problems by
/// `hamiltonianForm()` (version b), `lagrangianForm()` (Euler–Lagrange, version b) and
/// `optimalControlForm()` (version a, α = 0). `inputs` are the lifted inputs y_k^in (M × d).
/// R_in = ∞ means exact inputs (Dirichlet end); r_f = ∞ (exact model) is allowed in the Hamiltonian
/// and optimal-control forms. See Notes/deepest-learning-action.md.
public struct ContinuousTrainingProblem<Field: DepthField>: Sendable {
    public let field: Field
    public let horizon: Double
    public let inputs: [Double]
    public let readout: Readout
    /// Flattened target rows (`readout.targetWidth` per sample).
    public let targets: [Double]
    public let readoutParameters: ReadoutParameters
    public let modelPrecision: Double
    public let smoothness: Double
    public let tikhonov: Double
    public let inputWeight: Double
    public let outputWeight: Double
    /// Trained readout parameters held at a value (index in `Readout`'s layout → value): their
    /// stationarity row becomes (C, c)_i − value = 0, so they keep that value (the bias-free readout of
    /// the closed-form saddle, MATH.md §6.2, freezes the bias at 0). Set by `freezingReadout(_:)`.
    public private(set) var frozenReadout: [Int: Double] = [:]

    /// Throws `InvalidArgument` for mismatched sizes or weights out of range (r_f, R_in in (0, ∞],
    /// α, λ ≥ 0, R_out > 0, T > 0).
    public init(field: Field, horizon: Double, inputs: [Double], readout: Readout, targets: [Double],
                readoutParameters: ReadoutParameters, modelPrecision: Double, smoothness: Double, tikhonov: Double,
                inputWeight: Double, outputWeight: Double) throws {
        let d = field.stateDimension
        try Validate.positive(horizon, "horizon")
        guard !inputs.isEmpty, inputs.count % d == 0 else {
            throw InvalidArgument("inputs.count", inputs.count, "must be a positive multiple of the width \(d)")
        }
        try Validate.finite(inputs, "inputs")
        let m = inputs.count / d
        try Validate.count(targets.count, m * readout.targetWidth, "targets")
        if case .fixed(let values) = readoutParameters {
            try Validate.count(values.count, readout.parameterCount(width: d), "readoutParameters")
        }
        if case .projected(let mu) = readoutParameters {
            guard mu > 0, mu.isFinite else {
                throw InvalidArgument("readoutParameters.projected.tikhonov", mu, "must be finite and > 0 (strictly convex inner problem)")
            }
        }
        guard modelPrecision > 0, !modelPrecision.isNaN else { throw InvalidArgument("modelPrecision", modelPrecision, "must be > 0") }
        guard inputWeight > 0, !inputWeight.isNaN else { throw InvalidArgument("inputWeight", inputWeight, "must be > 0") }
        for (value, name) in [(smoothness, "smoothness"), (tikhonov, "tikhonov")] {
            guard value.isFinite, value >= 0 else { throw InvalidArgument(name, value, "must be finite and >= 0") }
        }
        try Validate.positive(outputWeight, "outputWeight")
        self.field = field
        self.horizon = horizon
        self.inputs = inputs
        self.readout = readout
        self.targets = targets
        self.readoutParameters = readoutParameters
        self.modelPrecision = modelPrecision
        self.smoothness = smoothness
        self.tikhonov = tikhonov
        self.inputWeight = inputWeight
        self.outputWeight = outputWeight
    }

    /// The problem with the readout parameters `values` (index → value) held fixed. Throws
    /// `InvalidArgument` unless the readout is trained and every index is a readout parameter.
    public func freezingReadout(_ values: [Int: Double]) throws -> ContinuousTrainingProblem {
        guard !values.isEmpty else { return self }
        guard case .trained = readoutParameters else {
            throw InvalidArgument("readout", "\(readoutParameters)", "frozen readout parameters need a trained readout (readout: trained)")
        }
        let count = readout.parameterCount(width: field.stateDimension)
        for (i, value) in values where !(0..<count).contains(i) || !value.isFinite {
            throw InvalidArgument("frozenReadout", i, "must be a readout parameter in 0..<\(count) with a finite value")
        }
        var problem = self
        problem.frozenReadout = values
        return problem
    }

    public var samples: Int { inputs.count / field.stateDimension }
    var trainedReadoutCount: Int {
        if case .trained = readoutParameters { return readout.parameterCount(width: field.stateDimension) }
        return 0
    }

    func layout(weightBlocks: Bool) -> TrainingStateLayout {
        TrainingStateLayout(samples: samples, width: field.stateDimension, weights: weightBlocks ? field.parameterCount : 0,
                            readoutParameters: trainedReadoutCount, hasWeightBlocks: weightBlocks)
    }

    /// The first-order boundary value problem of `form` (`hamiltonianForm()` or `lagrangianForm()`).
    func builtForm(_ form: BoundaryValueForm) throws -> TrainingBoundaryValueProblem {
        form == .hamiltonian ? try hamiltonianForm() : try lagrangianForm()
    }

    /// Start conditions for sample k: R_in finite: m_k − R_in(x_k − y_k^in) = 0 with m_k the momentum
    /// p_k(0) (or r_f(ẋ_k − F) in the Lagrangian form, passed in `momentum`); R_in = ∞: x_k − y_k^in = 0.
    func startRows(x: UnsafePointer<Double>, momentum: UnsafePointer<Double>, sample k: Int,
                   into r: UnsafeMutablePointer<Double>) {
        let d = field.stateDimension
        for i in 0..<d {
            let misfit = x[i] - inputs[k * d + i]
            r[i] = inputWeight.isFinite ? momentum[i] - inputWeight * misfit : misfit
        }
    }

    /// End conditions: m_k + R_out ∇ₓφ_k(x_k) = 0 for every sample (d rows each, at `r`), then, for a
    /// trained readout, Σ_k R_out ∇_{C,c}φ_k + μ(C, c) = 0 (k rows at `r + M d`; (C, c)_i − value for a
    /// frozen one). `states(k)` and
    /// `momentum(k)` give x_k(T) and m_k; `readoutValues` the current (C, c).
    func endRows(states: (Int) -> UnsafePointer<Double>, momentum: (Int) -> UnsafePointer<Double>,
                 readoutValues: UnsafePointer<Double>, into r: UnsafeMutablePointer<Double>) {
        let d = field.stateDimension, m = samples, count = readout.parameterCount(width: d)
        let width = readout.targetWidth
        withUnsafeTemporaryAllocation(of: Double.self, capacity: count + d + readout.outputs) { buffer in
            let gradParameters = buffer.baseAddress!, gradX = gradParameters + count, scratch = gradX + d
            gradParameters.update(repeating: 0, count: count)
            targets.withUnsafeBufferPointer { t in
                for k in 0..<m {
                    _ = readout.loss(x: states(k), parameters: readoutValues, width: d, target: t.baseAddress! + k * width,
                                     weight: outputWeight, gradX: gradX, gradParameters: gradParameters, scratch: scratch)
                    let mk = momentum(k)
                    for i in 0..<d { r[k * d + i] = mk[i] + gradX[i] }
                }
            }
            if case .trained(let mu) = readoutParameters {
                for i in 0..<count { r[m * d + i] = gradParameters[i] + mu * readoutValues[i] }
                for (i, value) in frozenReadout { r[m * d + i] = readoutValues[i] - value }
            }
        }
    }

    /// ∂(R_out ∇ₓφ)/∂x = R_out Cᵀ H_o C (d×d) at x, with H_o = I (least squares) or diag(s) − s sᵀ
    /// (softmax), written into `out`.
    func terminalCurvature(x: UnsafePointer<Double>, readoutValues c: UnsafePointer<Double>, into out: UnsafeMutablePointer<Double>) {
        let d = field.stateDimension, l = readout.outputs
        withUnsafeTemporaryAllocation(of: Double.self, capacity: l) { buffer in
            let s = buffer.baseAddress!
            readout.output(x: x, parameters: c, width: d, into: s)
            if case .softmaxCrossEntropy = readout {
                var largest = s[0]
                for i in 1..<l { largest = max(largest, s[i]) }
                var sum = 0.0
                for i in 0..<l { s[i] = exp(s[i] - largest); sum += s[i] }
                for i in 0..<l { s[i] /= sum }
            }
            for a in 0..<d {
                for b in 0..<d {
                    var v = 0.0
                    switch readout {
                    case .leastSquares:
                        for i in 0..<l { v += c[i * d + a] * c[i * d + b] }
                    case .softmaxCrossEntropy:
                        var ca = 0.0, cb = 0.0
                        for i in 0..<l {
                            v += s[i] * c[i * d + a] * c[i * d + b]
                            ca += s[i] * c[i * d + a]
                            cb += s[i] * c[i * d + b]
                        }
                        v -= ca * cb
                    }
                    out[a * d + b] = outputWeight * v
                }
            }
        }
    }
}

import Foundation
