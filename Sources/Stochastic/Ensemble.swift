import NumericCore
import Synchronization

/// A scalar functional evaluated once per path of an ensemble: of the final state X(T) (`evaluate`), or
/// of the whole stored path (`pathEvaluate`: the running maximum, a time average, an exit time).
///
/// An ensemble with at least one path functional stores each path's states on the grid, (steps + 1) × n
/// values per worker, and integrates with the checking loop (`SDEStepper.integrate`), which gives bitwise
/// the same states as the drawing loop; without one it never stores a path.
public struct EnsembleFunctional: Sendable {
    public let name: String
    /// The functional of the final state. For a path functional this is its value on the path that stays
    /// at the given state (one grid point), which the ensemble never uses: it calls `pathEvaluate`.
    public let evaluate: @Sendable (UnsafeBufferPointer<Double>) -> Double
    /// The functional of the whole path, or nil for a functional of the final state only.
    public let pathEvaluate: (@Sendable (SampledPath) -> Double)?

    public init(name: String, evaluate: @escaping @Sendable (UnsafeBufferPointer<Double>) -> Double) {
        self.name = name
        self.evaluate = evaluate
        pathEvaluate = nil
    }

    /// A functional of the whole path (states at every grid point, see `SampledPath`).
    public init(name: String, path: @escaping @Sendable (SampledPath) -> Double) {
        self.name = name
        pathEvaluate = path
        evaluate = { state in
            path(SampledPath(states: state, dimension: state.count, steps: 0, stepSize: 0, startTime: 0))
        }
    }

    /// X_i(T).
    public static func component(_ i: Int) -> EnsembleFunctional {
        EnsembleFunctional(name: "x[\(i)]") { $0[i] }
    }

    /// |X(T)|².
    public static let squaredNorm = EnsembleFunctional(name: "|x|^2") { x in x.reduce(0) { $0 + $1 * $1 } }

    /// max_k X_i(t_k) over the grid points, X(t0) included. On a grid of N steps it underestimates the
    /// continuous maximum by O(√h) for a diffusion (for Brownian motion E max_k W(t_k) = √(h/(2π)) Σ_{k=1}^N
    /// k^{−1/2} exactly, by Spitzer's identity, which tends to √(2T/π)).
    public static func runningMaximum(_ i: Int) -> EnsembleFunctional {
        EnsembleFunctional(name: "max x[\(i)]") { path in
            var m = path[0, i]
            for k in 1..<(path.steps + 1) { m = max(m, path[k, i]) }
            return m
        }
    }

    /// (1/T) ∫ X_i dt by the trapezoidal rule on the grid, h(X_0/2 + X_1 + ... + X_{N−1} + X_N/2)/(Nh).
    public static func timeAverage(_ i: Int) -> EnsembleFunctional {
        EnsembleFunctional(name: "mean_t x[\(i)]") { path in
            guard path.steps > 0 else { return path[0, i] }
            var sum = 0.5 * (path[0, i] + path[path.steps, i])
            for k in 1..<path.steps { sum += path[k, i] }
            return sum / Double(path.steps)
        }
    }

    /// The first grid time t_k − t0 at which X_i(t_k) is outside the open interval (lower, upper), or the
    /// horizon N·h if the path stays inside at every grid point (so its mean is E min(τ, T) on the grid;
    /// a grid exit time overestimates the continuous one by O(√h)).
    public static func exitTime(_ i: Int, lower: Double, upper: Double) -> EnsembleFunctional {
        EnsembleFunctional(name: "exit time x[\(i)] from (\(lower), \(upper))") { path in
            for k in 0..<(path.steps + 1) where !(path[k, i] > lower && path[k, i] < upper) { return Double(k) * path.stepSize }
            return Double(path.steps) * path.stepSize
        }
    }
}

/// One path as a path functional sees it: the states at the grid points t_k = t0 + k·h, k = 0 ... steps,
/// row-major ((steps + 1) × dimension values). Valid only during the functional's call.
public struct SampledPath {
    public let states: UnsafeBufferPointer<Double>
    public let dimension: Int
    public let steps: Int
    public let stepSize: Double
    public let startTime: Double

    public init(states: UnsafeBufferPointer<Double>, dimension: Int, steps: Int, stepSize: Double, startTime: Double) {
        self.states = states
        self.dimension = dimension
        self.steps = steps
        self.stepSize = stepSize
        self.startTime = startTime
    }

    /// X_i(t_k).
    @inlinable public subscript(k: Int, i: Int) -> Double { states[k * dimension + i] }

    /// t_k.
    public func time(_ k: Int) -> Double { startTime + Double(k) * stepSize }

    /// X(t_N).
    public var finalState: UnsafeBufferPointer<Double> {
        UnsafeBufferPointer(rebasing: states[(steps * dimension)..<((steps + 1) * dimension)])
    }
}

/// An ensemble algorithm: M independent paths of one scheme on a uniform grid. Path k is driven by
/// `BrownianPath(seed: seed, index: k, steps: steps, ...)` (same variates, drawn without storing the path),
/// so any path can be reproduced alone, and the statistics are bitwise the same for any thread count
/// and any `chunks` (per-path streams, per-path result slots, reduction in index order).
public struct Ensemble: Sendable {
    public let scheme: StochasticScheme
    public let steps: Int
    public let paths: Int
    public let seed: UInt64
    public let functionals: [EnsembleFunctional]
    public let quantileLevels: [Double]
    /// Keep every path's final state in the result (paths × n values).
    public let keepFinalStates: Bool
    /// Number of work chunks (default: the worker count); changes scheduling only, never results.
    public let chunks: Int
    /// Paths advanced together within a chunk (see `SDEWorkspace`).
    public static let blockSize = 8

    /// Throws `InvalidArgument` for steps or paths < 1, no functional, or a quantile level outside [0, 1].
    public init(scheme: StochasticScheme, steps: Int, paths: Int, seed: UInt64, functionals: [EnsembleFunctional],
                quantileLevels: [Double] = [0.05, 0.5, 0.95], keepFinalStates: Bool = false, chunks: Int? = nil) throws {
        try Validate.positive(steps, "steps")
        try Validate.positive(paths, "paths")
        try Validate.atLeast(functionals.count, 1, "functionals.count")
        for p in quantileLevels where !(p >= 0 && p <= 1) { throw InvalidArgument("quantileLevels", p, "must be in [0, 1]") }
        self.scheme = scheme
        self.steps = steps
        self.paths = paths
        self.seed = seed
        self.functionals = functionals
        self.quantileLevels = quantileLevels
        self.keepFinalStates = keepFinalStates
        self.chunks = max(1, chunks ?? Parallel.workerCount)
    }
}

/// What an ensemble run returns: statistics per functional, failures, the seed that reproduces it.
public struct EnsembleResult: Sendable {
    public let statistics: [SampleStatistics]
    /// Paths whose state became non-finite; they are excluded from the statistics.
    public let failedPaths: Int
    public let paths: Int
    public let steps: Int
    public let stepSize: Double
    public let seed: UInt64
    public let scheme: StochasticScheme
    /// paths × n final states, when requested.
    public let finalStates: [Double]?

    public var allPathsSucceeded: Bool { failedPaths == 0 }

    @usableFromInline
    init(statistics: [SampleStatistics], failedPaths: Int, paths: Int, steps: Int, stepSize: Double, seed: UInt64,
         scheme: StochasticScheme, finalStates: [Double]?) {
        self.statistics = statistics
        self.failedPaths = failedPaths
        self.paths = paths
        self.steps = steps
        self.stepSize = stepSize
        self.seed = seed
        self.scheme = scheme
        self.finalStates = finalStates
    }
}

/// Runs `ensemble` on `problem` over both cores. Cost: paths × steps × (one drift and diffusion
/// evaluation + m Gaussian variates). Scalar problems (n = m = 1) that evaluate their coefficients
/// elementwise (`evaluatesElementwise`) advance blocks of `SDEStepper.elementwiseBlock` paths with one
/// drift and one diffusion call per block and step (`SDEStepper.integrateDrawingElementwise`); same bits.
/// With a path functional (`EnsembleFunctional.pathEvaluate`), every
/// path is integrated by the checking loop with its states stored, (steps + 1) × n values per worker. Schemes without a Milstein correction use the drawing loop
/// (`SDEStepper.integrateDrawing`: one path at a time, increments drawn as used, no increment buffer);
/// Milstein with non-additive noise uses the checking loop on blocks of `Ensemble.blockSize` paths with
/// one increment buffer (block × steps × m) per chunk. Both give the same bits (Notes/sde-schemes.md).
/// Memory besides: one workspace per chunk and paths × functionals result slots. `progress`, if given,
/// is called with the number of completed paths (from worker threads, after every block of
/// `Ensemble.blockSize` paths).
/// Throws `InvalidArgument` if the scheme is unusable for the problem or paths × results overflows Int.
/// (`@inlinable` so that callers in other modules get a loop specialised to their problem type.)
@inlinable
public func solve<Problem: StochasticDifferentialEquation>(
    _ problem: Problem, _ ensemble: Ensemble, progress: (@Sendable (Int) -> Void)? = nil
) throws -> EnsembleResult {
    try ensemble.scheme.validate(for: problem)
    let n = problem.dimension, m = problem.wienerDimension
    let paths = ensemble.paths, steps = ensemble.steps, f = ensemble.functionals.count
    // Sizes of the result slots, checked before they are allocated.
    guard !paths.multipliedReportingOverflow(by: max(f, n)).overflow else {
        throw InvalidArgument("paths", paths, "paths × \(max(f, n)) result values overflow Int")
    }
    let h = problem.horizon / Double(steps)
    let root = h.squareRoot()
    var slots = [Double](repeating: 0, count: paths * f)
    var failed = [UInt8](repeating: 0, count: paths)
    var finals = [Double](repeating: 0, count: ensemble.keepFinalStates ? paths * n : 0)
    let done = Atomic<Int>(0)
    // This rank's fixed block of paths (all of them in a one-process run; Notes/mpi-shards.md).
    let block = Distribution.block(of: paths), local = block.count
    let chunks = min(ensemble.chunks, local)
    slots.withUnsafeMutableBufferPointer { slotBuffer in
        failed.withUnsafeMutableBufferPointer { failedBuffer in
            finals.withUnsafeMutableBufferPointer { finalBuffer in
                let slotOut = SharedMutablePointer(slotBuffer.baseAddress!)
                let failedOut = SharedMutablePointer(failedBuffer.baseAddress!)
                // An empty array's buffer may still have a (shared, zero-capacity) base address: never write to it.
                let finalOut = ensemble.keepFinalStates ? finalBuffer.baseAddress.map(SharedMutablePointer.init) : nil
                Parallel.forEach(chunks) { c in
                    let lower = block.lowerBound + local * c / chunks, upper = block.lowerBound + local * (c + 1) / chunks
                    guard lower < upper else { return }
                    let initial = problem.initialValue
                    // Writes path `path`'s failure flag, functionals and final state.
                    func record(_ path: Int, state: UnsafeBufferPointer<Double>, failed: Bool, sampled: SampledPath? = nil) {
                        if failed { failedOut[path] = 1 }
                        for (q, functional) in ensemble.functionals.enumerated() {
                            if let sampled, let pathEvaluate = functional.pathEvaluate {
                                slotOut[path * f + q] = pathEvaluate(sampled)
                            } else {
                                slotOut[path * f + q] = functional.evaluate(state)
                            }
                        }
                        if let finalOut { for i in 0..<n { finalOut[path * n + i] = state[i] } }
                    }
                    if ensemble.functionals.contains(where: { $0.pathEvaluate != nil }) {
                        // Path functionals: every path stored on the grid by the checking loop (the same
                        // variates and the same states as the drawing loop), then handed to the functionals.
                        let workspace = SDEWorkspace(for: problem)
                        let increments = UnsafeMutableBufferPointer<Double>.allocate(capacity: steps * m)
                        let states = UnsafeMutableBufferPointer<Double>.allocate(capacity: (steps + 1) * n)
                        defer { increments.deallocate(); states.deallocate() }
                        for path in lower..<upper {
                            var stream = XoshiroRandomStream(seed: ensemble.seed, index: UInt64(path))
                            stream.fillGaussian(increments, standardDeviation: root)
                            for i in 0..<n { workspace.state[i] = initial[i] }
                            SDEStepper.integrate(problem, scheme: ensemble.scheme, increments: UnsafePointer(increments.baseAddress!),
                                                 steps: steps, stepSize: h, startTime: problem.initialTime, workspace: workspace,
                                                 record: states.baseAddress)
                            let sampled = SampledPath(states: UnsafeBufferPointer(states), dimension: n, steps: steps, stepSize: h,
                                                      startTime: problem.initialTime)
                            record(path, state: UnsafeBufferPointer(workspace.state(of: 0)), failed: workspace.failedStep[0] != 0,
                                   sampled: sampled)
                            if let progress, (path + 1 - lower) % Ensemble.blockSize == 0 || path + 1 == upper {
                                progress(done.add((path - lower) % Ensemble.blockSize + 1, ordering: .relaxed).newValue)
                            }
                        }
                        return
                    }
                    if n == 1 && m == 1 && problem.evaluatesElementwise && SDEStepper.drawsIncrements(problem, scheme: ensemble.scheme) {
                        // Elementwise scalar problems: one coefficient call per block of paths and step
                        // (SDEStepper+ElementwiseLoop); a non-finite final state is rerun by the checking loop.
                        let block = min(SDEStepper.elementwiseBlock, upper - lower)
                        let workspace = SDEWorkspace(for: problem, paths: block)
                        let single = SDEWorkspace(for: problem)
                        let streams = UnsafeMutableBufferPointer<XoshiroRandomStream>.allocate(capacity: block)
                        let rows = UnsafeMutableBufferPointer<Double>.allocate(capacity: block * SDEStepper.rowsPerRefill)
                        defer { streams.deallocate(); rows.deallocate() }
                        var first = lower
                        while first < upper {
                            let count = min(block, upper - first)
                            let blockWorkspace = count == block ? workspace : SDEWorkspace(for: problem, paths: count)
                            for p in 0..<count {
                                (streams.baseAddress! + p).initialize(to: XoshiroRandomStream(seed: ensemble.seed, index: UInt64(first + p)))
                                blockWorkspace.state[p] = initial[0]
                            }
                            SDEStepper.integrateDrawingElementwise(problem, scheme: ensemble.scheme,
                                                                  streams: UnsafeMutableBufferPointer(rebasing: streams[0..<count]),
                                                                  steps: steps, stepSize: h, startTime: problem.initialTime,
                                                                  workspace: blockWorkspace, rows: rows)
                            for p in 0..<count {
                                guard blockWorkspace.failedStep[p] != 0 else {
                                    record(first + p, state: UnsafeBufferPointer(blockWorkspace.state(of: p)), failed: false)
                                    continue
                                }
                                var increments = [Double](repeating: 0, count: steps)
                                var replay = XoshiroRandomStream(seed: ensemble.seed, index: UInt64(first + p))
                                replay.fillGaussian(&increments, standardDeviation: root)
                                single.state[0] = initial[0]
                                increments.withUnsafeBufferPointer { dW in
                                    SDEStepper.integrate(problem, scheme: ensemble.scheme, increments: dW.baseAddress!, steps: steps,
                                                         stepSize: h, startTime: problem.initialTime, workspace: single)
                                }
                                record(first + p, state: UnsafeBufferPointer(single.state(of: 0)), failed: single.failedStep[0] != 0)
                            }
                            first += count
                            if let progress { progress(done.add(count, ordering: .relaxed).newValue) }
                        }
                        return
                    }
                    if SDEStepper.drawsIncrements(problem, scheme: ensemble.scheme) {
                        // One path at a time, increments drawn as they are used; a path whose final state is
                        // not finite is rerun on its stored increments by the checking loop, which keeps
                        // the last finite state (the same state `integrate` alone would give).
                        let workspace = SDEWorkspace(for: problem)
                        let state = workspace.state(of: 0)
                        var unreported = 0
                        for path in lower..<upper {
                            var stream = XoshiroRandomStream(seed: ensemble.seed, index: UInt64(path))
                            for i in 0..<n { state[i] = initial[i] }
                            var failed = false
                            if !SDEStepper.integrateDrawing(problem, scheme: ensemble.scheme, stream: &stream, steps: steps, stepSize: h,
                                                            startTime: problem.initialTime, state: state, workspace: workspace) {
                                var increments = [Double](repeating: 0, count: steps * m)
                                var replay = XoshiroRandomStream(seed: ensemble.seed, index: UInt64(path))
                                replay.fillGaussian(&increments, standardDeviation: root)
                                for i in 0..<n { state[i] = initial[i] }
                                increments.withUnsafeBufferPointer { dW in
                                    SDEStepper.integrate(problem, scheme: ensemble.scheme, increments: dW.baseAddress!, steps: steps,
                                                         stepSize: h, startTime: problem.initialTime, workspace: workspace)
                                }
                                failed = workspace.failedStep[0] != 0
                            }
                            record(path, state: UnsafeBufferPointer(state), failed: failed)
                            unreported += 1
                            if let progress, unreported == Ensemble.blockSize || path + 1 == upper {
                                progress(done.add(unreported, ordering: .relaxed).newValue)
                                unreported = 0
                            }
                        }
                        return
                    }
                    let block = min(Ensemble.blockSize, upper - lower)
                    let workspace = SDEWorkspace(for: problem, paths: block)
                    let increments = UnsafeMutableBufferPointer<Double>.allocate(capacity: block * steps * m)
                    defer { increments.deallocate() }
                    var first = lower
                    while first < upper {
                        let count = min(block, upper - first)
                        let blockWorkspace = count == block ? workspace : SDEWorkspace(for: problem, paths: count)
                        for p in 0..<count {
                            var stream = XoshiroRandomStream(seed: ensemble.seed, index: UInt64(first + p))
                            stream.fillGaussian(UnsafeMutableBufferPointer(rebasing: increments[(p * steps * m)..<((p + 1) * steps * m)]),
                                                standardDeviation: root)
                            for i in 0..<n { blockWorkspace.state[p * n + i] = initial[i] }
                        }
                        SDEStepper.integrate(problem, scheme: ensemble.scheme, increments: UnsafePointer(increments.baseAddress!),
                                             steps: steps, stepSize: h, startTime: problem.initialTime, workspace: blockWorkspace)
                        for p in 0..<count {
                            record(first + p, state: UnsafeBufferPointer(blockWorkspace.state(of: p)), failed: blockWorkspace.failedStep[p] != 0)
                        }
                        first += count
                        if let progress { progress(done.add(count, ordering: .relaxed).newValue) }
                    }
                }
            }
        }
    }
    // The other ranks' blocks, bit for bit; then the same reduction in path order as one process.
    try Distribution.gather(&slots, width: f, count: paths)
    try Distribution.gather(&failed, width: 1, count: paths)
    if ensemble.keepFinalStates { try Distribution.gather(&finals, width: n, count: paths) }
    let failedCount = failed.reduce(0) { $0 + Int($1) }
    let statistics = ensemble.functionals.enumerated().map { q, functional in
        var values: [Double] = []
        values.reserveCapacity(paths)
        for path in 0..<paths where failed[path] == 0 { values.append(slots[path * f + q]) }
        return SampleStatistics(name: functional.name, values: values, quantileLevels: ensemble.quantileLevels)
    }
    return EnsembleResult(statistics: statistics, failedPaths: failedCount, paths: paths, steps: steps, stepSize: h,
                          seed: ensemble.seed, scheme: ensemble.scheme, finalStates: ensemble.keepFinalStates ? finals : nil)
}
