import Foundation
import NumericCore

/// Transitions of Langevin dynamics dX = −V′(X) dτ + √(2ε) dW in the double well V = x⁴/4 − x²/2
/// from the minimum −1 to the other minimum +1 (MATH.md §6.4): the mean first-passage time against the
/// exact double integral (`EscapeLaws.meanFirstPassageTime`) and the Eyring–Kramers asymptotics
/// π√2 e^{1/(4ε)}, which is a few tens of percent off at ε = 0.05–0.1 (Notes/escape-laws.md).
public struct DoubleWellEscape: Sendable {
    public let temperatures: [Double]
    public let timeStep: Double

    /// Throws `InvalidArgument` for no temperature, a temperature outside (0, 1], or a non-positive step.
    public init(temperatures: [Double], timeStep: Double = 0.005) throws {
        try Validate.atLeast(temperatures.count, 1, "temperatures.count")
        for (i, eps) in temperatures.enumerated() where !(eps > 0 && eps <= 1) {
            throw InvalidArgument("temperatures[\(i)]", eps, "must be in (0, 1]")
        }
        try Validate.positive(timeStep, "timeStep")
        self.temperatures = temperatures
        self.timeStep = timeStep
    }

    public struct Row: Sendable, Codable {
        public let temperature: Double
        public let meanEscapeTime: Double
        public let stderr: Double
        /// The exact mean passage time from −1 to +1 (the double integral).
        public let theoryMeanEscapeTime: Double
        public let eyringKramers: Double
        public let escapeProbability: Double
    }

    /// `paths` paths per temperature, each run until it reaches +1 or 50 times the exact mean.
    public func run(paths: Int, seed: UInt64) throws -> [Row] {
        try temperatures.enumerated().map { i, eps in
            let exact = EscapeLaws.meanFirstPassageTime(potential: EscapeLaws.doubleWell, temperature: eps, from: -1, to: 1, lower: -3)
            let noise = (2 * eps).squareRoot()
            let ensemble = try ExitTimeEnsemble(drift: { $0 - $0 * $0 * $0 }, noise: { _ in noise }, start: -1,
                                                hasExited: { $0 >= 1 }, timeStep: timeStep,
                                                maximumSteps: Int((50 * exact / timeStep).rounded(.up)))
            let run = try ensemble.run(paths: paths, seed: seed &+ UInt64(i))
            let stats = run.statistics
            return Row(temperature: eps, meanEscapeTime: stats.mean, stderr: stats.standardError, theoryMeanEscapeTime: exact,
                       eyringKramers: EscapeLaws.doubleWellEyringKramers(temperature: eps),
                       escapeProbability: Double(run.exitedCount) / Double(paths))
        }
    }
}

/// Hajek's cooling criterion on the asymmetric double well V = x⁴/4 − x²/2 + a·x (a > 0: the global
/// minimum is the left one): Langevin dynamics with Temp(τ) = c/ln(e + τ) from the local (right)
/// minimum. As τ → ∞ the path ends in the global well with probability 1 iff c ≥ d*, the depth of the
/// local well (Hajek 1988). At a finite horizon the probability of ending in the global well is
/// compared with the two-state master equation whose rates are Eyring–Kramers' at Temp(τ)
/// (Notes/escape-laws.md).
public struct AnnealedDoubleWell: Sendable {
    public let tilt: Double
    public let constants: [Double]
    public let horizon: Double
    public let timeStep: Double
    /// The minima (global left, local right), the saddle, and the depth d* = V(saddle) − V(local).
    public let globalMinimum: Double
    public let localMinimum: Double
    public let saddle: Double

    /// Throws `InvalidArgument` for a tilt outside (0, 0.3] (two minima need |a| < 2/(3√3) ≈ 0.385), no
    /// constant, a non-positive constant, horizon or step.
    public init(tilt: Double = 0.1, constants: [Double], horizon: Double = 200, timeStep: Double = 0.01) throws {
        guard tilt > 0, tilt <= 0.3 else { throw InvalidArgument("tilt", tilt, "must be in (0, 0.3]") }
        try Validate.atLeast(constants.count, 1, "constants.count")
        for (i, c) in constants.enumerated() { try Validate.positive(c, "constants[\(i)]") }
        try Validate.positive(horizon, "horizon")
        try Validate.positive(timeStep, "timeStep")
        self.tilt = tilt
        self.constants = constants
        self.horizon = horizon
        self.timeStep = timeStep
        // Roots of V′ = x³ − x + a by Newton from −1.2, 1.2 and 0.
        func root(_ start: Double) -> Double {
            var x = start
            for _ in 0..<60 { x -= (x * x * x - x + tilt) / (3 * x * x - 1) }
            return x
        }
        globalMinimum = root(-1.2)
        localMinimum = root(1.2)
        saddle = root(0)
    }

    public func potential(_ x: Double) -> Double { x * x * x * x / 4 - x * x / 2 + tilt * x }
    public var depth: Double { potential(saddle) - potential(localMinimum) }
    public var globalDepth: Double { potential(saddle) - potential(globalMinimum) }

    public struct Row: Sendable, Codable {
        public let constant: Double
        public let globalProbability: Double
        public let stderr: Double
        public let theoryGlobalProbability: Double
    }

    /// The two-state prediction P(global at `horizon`) from the local well: dp/dτ = k₊(1 − p) − k₋p with
    /// k± the Eyring–Kramers rates (|V″(z)|V″(m))^{1/2}/(2π) e^{−depth/Temp(τ)} out of the local and the
    /// global well, integrated by RK4 with steps of about 10 Δτ ending at the horizon.
    public func twoStatePrediction(constant c: Double) -> Double {
        func curvature(_ x: Double) -> Double { 3 * x * x - 1 }
        let outOfLocal = (abs(curvature(saddle)) * curvature(localMinimum)).squareRoot() / (2 * Double.pi)
        let outOfGlobal = (abs(curvature(saddle)) * curvature(globalMinimum)).squareRoot() / (2 * Double.pi)
        func derivative(_ tau: Double, _ p: Double) -> Double {
            let temp = c / log(M_E + tau)
            return outOfLocal * exp(-depth / temp) * (1 - p) - outOfGlobal * exp(-globalDepth / temp) * p
        }
        // About 10 Δτ per RK4 step, the step adjusted to end exactly at the horizon.
        let count = max(1, Int((horizon / (10 * timeStep)).rounded(.up)))
        let h = horizon / Double(count)
        var p = 0.0
        for i in 0..<count {
            let tau = Double(i) * h
            let k1 = derivative(tau, p), k2 = derivative(tau + h / 2, p + h / 2 * k1)
            let k3 = derivative(tau + h / 2, p + h / 2 * k2), k4 = derivative(tau + h, p + h * k3)
            p += h / 6 * (k1 + 2 * k2 + 2 * k3 + k4)
        }
        return p
    }

    /// `paths` paths per constant; the fraction ending left of the saddle.
    public func run(paths: Int, seed: UInt64) throws -> [Row] {
        try Validate.atLeast(paths, 2, "paths")
        let a = tilt, z = saddle, steps = Int((horizon / timeStep).rounded())
        return try constants.enumerated().map { i, c in
            let ensemble = try ExitTimeEnsemble(drift: { -($0 * $0 * $0 - $0 + a) }, noise: { tau in (2 * c / log(M_E + tau)).squareRoot() },
                                                start: localMinimum, hasExited: { _ in false }, timeStep: timeStep, maximumSteps: steps)
            let ends = try ensemble.finalStates(paths: paths, seed: seed &+ UInt64(i))
            let global = ends.map { $0 < z ? 1.0 : 0.0 }
            let p = global.reduce(0, +) / Double(paths)
            return Row(constant: c, globalProbability: p, stderr: (p * (1 - p) / Double(paths)).squareRoot(),
                       theoryGlobalProbability: twoStatePrediction(constant: c))
        }
    }
}
