import Foundation
import NumericCore
import Stochastic

/// The closed-form saddle of the training action (MATH.md §6.2; Notes/langevin-flow.md): a width-1
/// ResNet with tanh, a bias-free readout (the bias frozen at 0), symmetric inputs ±ξ_k and the even
/// target y = ξ², at zero weights. Every first variation vanishes there (∂/∂W = −(1/M)Σ y_k ξ_k = 0 by
/// symmetry, ∂/∂K = ∂/∂b = 0 because W = 0), so deterministic solvers started at zero stay. In the
/// Langevin flow's metric (P = 1/h on the weights) the Hessian's (readout weight, constant bias) block is
///   M · [[m₂ + μ, −√T m_y], [−√T m_y, λ]]   (m₂ = mean ξ², m_y = mean y, λ, μ per sample),
/// indefinite when T m_y² > (m₂ + μ)λ; its negative eigenvalue −λ₋ fixes the escape law
/// E τ = (1/(2λ₋))[ln(λ₋L²/Temp) + γ_E + ln 2] of the flow's noise from the saddle to the radius L.
public struct NetworkSaddle: Sendable {
    public let network: ResidualNetwork
    public let data: Dataset
    public let tikhonov: Double
    public let readoutTikhonov: Double
    /// The readout bias (index within the readout), frozen at 0.
    public static let frozenBias: Set<Int> = [1]

    /// `inputs` are the positive halves ξ_k > 0 (each used as ±ξ_k). Throws `InvalidArgument` for no
    /// inputs, a non-positive input, layers < 1, a non-positive horizon or negative weights.
    public init(inputs: [Double] = (1...41).map { Double($0) / 41 }, layers: Int = 8, horizon: Double = 1,
                tikhonov: Double = 0.01, readoutTikhonov: Double = 0.001) throws {
        try Validate.atLeast(inputs.count, 1, "inputs.count")
        for (i, x) in inputs.enumerated() where !(x.isFinite && x > 0) { throw InvalidArgument("inputs[\(i)]", x, "must be finite and > 0") }
        let xs = inputs.flatMap { [$0, -$0] }
        data = try Dataset(inputs: xs, inputDimension: 1, targets: .values(xs.map { $0 * $0 }, dimension: 1))
        network = try ResidualNetwork(field: try ResidualField(width: 1, activation: .tanh), layers: layers, horizon: horizon,
                                      lift: try .padding(from: 1, to: 1), readout: .leastSquares(outputs: 1))
        _ = try Regularization(tikhonov: tikhonov, readoutTikhonov: readoutTikhonov)
        self.tikhonov = tikhonov
        self.readoutTikhonov = readoutTikhonov
    }

    /// The action's penalties (M·λ, M·μ; α = 0).
    public var actionRegularization: Regularization {
        get throws {
            let m = Double(data.count)
            return try Regularization(tikhonov: m * tikhonov, readoutTikhonov: m * readoutTikhonov)
        }
    }

    /// The saddle: zero weights, zero readout.
    public var point: [Double] { [Double](repeating: 0, count: network.parameterCount) }

    /// The 2 × 2 block of the preconditioned Hessian and its smallest eigenvalue (−λ₋ when negative).
    public var closedFormBlock: (matrix: [Double], smallestEigenvalue: Double) {
        let xs = data.inputs, m = Double(xs.count)
        let m2 = xs.reduce(0) { $0 + $1 * $1 } / m, my = m2
        let a = m * (m2 + readoutTikhonov), b = -m * network.horizon.squareRoot() * my, c = m * tikhonov
        let smallest = 0.5 * (a + c) - (0.25 * (a - c) * (a - c) + b * b).squareRoot()
        return ([a, b, b, c], smallest)
    }

    /// The metric s of the flow's preconditioned Hessian S H S: 1/√h on the weights, 1 on the readout.
    public var metric: [Double] {
        (0..<network.parameterCount).map { $0 < network.readoutOffset ? 1 / network.stepSize.squareRoot() : 1 }
    }

    /// The Morse index at the saddle over the free parameters, in the flow's metric.
    public func morseIndex() throws -> MorseIndex? {
        try MorseIndex.discrete(network: network, data: data, parameters: point, regularization: try actionRegularization,
                                frozen: Set(Self.frozenBias.map { network.readoutOffset + $0 }), metric: metric)
    }

    public struct Row: Sendable, Codable {
        public let temperature: Double
        public let meanEscapeTime: Double
        public let stderr: Double
        public let theoryMeanEscapeTime: Double
        /// The fraction of paths that left the radius within the horizon, and its linear-saddle law
        /// P(|Z| ≥ L e^{−λ₋τ}) = erfc(L e^{−λ₋τ}/√(2 Temp/λ₋)).
        public let escapeProbability: Double
        public let theoryEscapeProbability: Double
    }

    public struct Result: Sendable {
        public let rows: [Row]
        public let negativeEigenvalue: Double
        public let fittedSlope: Double
        public let slopeCI95: ClosedRange<Double>
        public let theorySlope: Double
    }

    /// Langevin paths of the flow from the saddle at each temperature, stopped when the flow's
    /// coordinates (orthonormal depth coefficients and readout: |P^{−1/2}(u − u*)|) reach `radius`.
    /// Δτ = `timeStepFraction`/λ₋; at most `horizon` τ per path.
    public func escape(temperatures: [Double], radius: Double = 0.1, timeStepFraction: Double = 0.01, horizon: Double? = nil,
                       paths: Int, seed: UInt64) throws -> Result {
        try Validate.atLeast(temperatures.count, 2, "temperatures.count")
        try Validate.positive(radius, "radius")
        try Validate.atLeast(paths, 2, "paths")
        let lambda = -closedFormBlock.smallestEigenvalue
        guard lambda > 0 else { throw InvalidArgument("tikhonov", tikhonov, "leaves no saddle: T m_y² <= (m₂ + μ)λ") }
        let dt = timeStepFraction / lambda
        let limit = horizon ?? 40 / lambda
        let steps = Int((limit / dt).rounded(.up))
        var rows: [Row] = [], samples: [[Double]] = []
        for (i, temperature) in temperatures.enumerated() {
            try Validate.positive(temperature, "temperatures[\(i)]")
            let flow = try LangevinFlow(network: network, data: data, regularization: try actionRegularization,
                                        schedule: try TemperatureSchedule(.constant, initial: temperature), frozenReadout: Self.frozenBias)
            let r2 = radius * radius
            let rule = SPDEStoppingRule(name: "escape") { _, u in
                var sum = 0.0
                for value in u { sum += value * value }
                return sum >= r2
            }
            let ensemble = try SPDEEnsemble(scheme: .semiImplicit, modes: [network.layers], timeStep: dt, steps: steps, paths: paths,
                                            seed: seed &+ UInt64(i), stopping: rule)
            let run = try solve(try flow.equation(start: point), ensemble)
            let times = SampleStatistics(name: "escape time", values: run.stoppedTimes)
            samples.append(run.stoppedTimes)
            // The linear-saddle law with σ = √(2 Temp): (1/(2λ₋))[ln(λ₋L²/Temp) + γ_E + ln 2].
            let theory = EscapeLaws.linearSaddleMeanExitTime(rate: lambda, radius: radius, noise: (2 * temperature).squareRoot())
            let spread = (2 * temperature / lambda).squareRoot()
            rows.append(Row(temperature: temperature, meanEscapeTime: times.mean, stderr: times.standardError, theoryMeanEscapeTime: theory,
                            escapeProbability: Double(run.stoppedPaths) / Double(paths),
                            theoryEscapeProbability: erfc(radius * exp(-lambda * limit) / spread)))
        }
        let fit = try EscapeTimeSlope(x: temperatures.map { log(1 / $0) }, times: samples, seed: seed)
        return Result(rows: rows, negativeEigenvalue: -lambda, fittedSlope: fit.slope, slopeCI95: fit.interval, theorySlope: 1 / (2 * lambda))
    }
}
