import Foundation
import NumericCore

/// First exit times of a scalar Itô SDE dX = f(X) dτ + s(τ) dW by Euler–Maruyama, over both cores
/// (Notes/escape-laws.md). Path k draws from `XoshiroRandomStream(seed: seed, index: k)` and writes its
/// own slot, so the times are bitwise the same for any thread count. A path that has not left by
/// `maximumSteps` is reported as not exited (its time is the horizon it reached).
///
/// Bias: monitoring only at the grid times delays each exit by O(√Δτ) in the exit level (the overshoot
/// of a Brownian path between grid points), and Euler–Maruyama adds O(Δτ) to the law; take Δτ well
/// below the time scale of the drift (1/λ for a saddle).
/// Cost: paths × (steps to exit) × (one drift evaluation and one variate).
public struct ExitTimeEnsemble: Sendable {
    public let drift: @Sendable (Double) -> Double
    /// s(τ) (σ for a constant noise, √(2 Temp(τ)) for Langevin dynamics).
    public let noise: @Sendable (Double) -> Double
    public let start: Double
    /// True once the path has left the domain.
    public let hasExited: @Sendable (Double) -> Bool
    public let timeStep: Double
    public let maximumSteps: Int

    /// Throws `InvalidArgument` for a non-positive time step or step limit, or a start that has already exited.
    public init(drift: @escaping @Sendable (Double) -> Double, noise: @escaping @Sendable (Double) -> Double, start: Double,
                hasExited: @escaping @Sendable (Double) -> Bool, timeStep: Double, maximumSteps: Int) throws {
        try Validate.positive(timeStep, "timeStep")
        try Validate.positive(maximumSteps, "maximumSteps")
        guard start.isFinite, !hasExited(start) else { throw InvalidArgument("start", start, "must be finite and inside the domain") }
        self.drift = drift
        self.noise = noise
        self.start = start
        self.hasExited = hasExited
        self.timeStep = timeStep
        self.maximumSteps = maximumSteps
    }

    /// The exit time of every path (τ at the first grid time outside), whether it exited, and whether it
    /// failed (left the finite numbers: neither an exit nor a time).
    public struct Times: Sendable {
        public let times: [Double]
        public let exited: [Bool]
        public let failed: [Bool]
        public var failedCount: Int { failed.filter { $0 }.count }
        public var exitedCount: Int { exited.filter { $0 }.count }
        /// Statistics of the exit times of the paths that exited.
        public var statistics: SampleStatistics {
            SampleStatistics(name: "exit time", values: zip(times, exited).compactMap { $1 ? $0 : nil }, quantileLevels: [0.05, 0.5, 0.95])
        }
    }

    /// Runs `paths` paths. Throws `InvalidArgument` for paths < 1.
    public func run(paths: Int, seed: UInt64) throws -> Times {
        let (times, exited, states) = try simulate(paths: paths, seed: seed)
        return Times(times: times, exited: exited, failed: states.map { !$0.isFinite })
    }

    /// The state of every path when it stopped (exit or `maximumSteps`).
    public func finalStates(paths: Int, seed: UInt64) throws -> [Double] {
        try simulate(paths: paths, seed: seed).states
    }

    private func simulate(paths: Int, seed: UInt64) throws -> (times: [Double], exited: [Bool], states: [Double]) {
        try Validate.positive(paths, "paths")
        var times = [Double](repeating: 0, count: paths)
        var exited = [Bool](repeating: false, count: paths)
        var states = [Double](repeating: 0, count: paths)
        let dt = timeStep, root = timeStep.squareRoot()
        times.withUnsafeMutableBufferPointer { t in
            exited.withUnsafeMutableBufferPointer { e in
                states.withUnsafeMutableBufferPointer { s in
                    let timeOut = SharedMutablePointer(t.baseAddress!), exitOut = SharedMutablePointer(e.baseAddress!)
                    let stateOut = SharedMutablePointer(s.baseAddress!)
                    Parallel.forEachChunk(in: Distribution.block(of: paths)) { range in  // this rank's block (Notes/mpi-shards.md)
                        for path in range {
                            var stream = XoshiroRandomStream(seed: seed, index: UInt64(path))
                            var x = start, step = 0, left = false
                            while step < maximumSteps {
                                let tau = Double(step) * dt
                                x += drift(x) * dt + noise(tau) * root * stream.gaussian()
                                step += 1
                                if !x.isFinite { break }  // failed: not an exit (its state reports it)
                                if hasExited(x) { left = true; break }
                            }
                            timeOut[path] = Double(step) * dt
                            exitOut[path] = left
                            stateOut[path] = x
                        }
                    }
                }
            }
        }
        try Distribution.gather(&times, width: 1, count: paths)
        try Distribution.gather(&exited, width: 1, count: paths)
        try Distribution.gather(&states, width: 1, count: paths)
        return (times, exited, states)
    }
}
