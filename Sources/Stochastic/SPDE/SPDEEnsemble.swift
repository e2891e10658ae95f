import Foundation
import NumericCore
import Synchronization

/// A scalar functional of a path's final field, evaluated once per path: it sees the grid, the
/// coefficients (grid layout) and the node values.
public struct SPDEFunctional: Sendable {
    public let name: String
    public let evaluate: @Sendable (SpectralGrid, UnsafeBufferPointer<Double>, UnsafeBufferPointer<Double>) -> Double

    public init(name: String, evaluate: @escaping @Sendable (SpectralGrid, UnsafeBufferPointer<Double>, UnsafeBufferPointer<Double>) -> Double) {
        self.name = name
        self.evaluate = evaluate
    }

    /// ∫ u_c over the domain (component c) by the node quadrature h_x h_y Σ u (exact for the periodic
    /// and Neumann bases, the midpoint rule otherwise).
    public static func integral(component c: Int = 0) -> SPDEFunctional {
        SPDEFunctional(name: "integral u[\(c)]") { grid, _, values in
            var sum = 0.0
            for p in 0..<grid.pointCount { sum += values[c * grid.pointCount + p] }
            return sum * grid.cellVolume
        }
    }

    /// The coefficient of mode (j_x, j_y) of component c.
    public static func mode(_ jx: Int, _ jy: Int = 0, component c: Int = 0) -> SPDEFunctional {
        SPDEFunctional(name: "mode (\(jx), \(jy))[\(c)]") { grid, coefficients, _ in
            let nx = grid.axes[0].count
            return coefficients[c * grid.pointCount + grid.modeSlots[jy * nx + jx]]
        }
    }
}

/// Stops a path early: `shouldStop(τ, unknowns)` is asked after every step with the coefficients (grid
/// layout) followed by the globals; the stopping time is recorded (the horizon for paths that never
/// stop). For exit and transition times.
public struct SPDEStoppingRule: Sendable {
    public let name: String
    public let shouldStop: @Sendable (Double, UnsafeBufferPointer<Double>) -> Bool
    public init(name: String, shouldStop: @escaping @Sendable (Double, UnsafeBufferPointer<Double>) -> Bool) {
        self.name = name
        self.shouldStop = shouldStop
    }
}

/// An ensemble algorithm for a `SemilinearSPDE`: `paths` paths of `scheme` on `modes` (one count per
/// axis), `steps` steps of Δτ = `timeStep`, reproducible from `seed`: path k draws its increments,
/// step by step in mode order, from `XoshiroRandomStream(seed: seed, index: k)`, so any path can be
/// rerun alone and the results do not depend on the thread count.
public struct SPDEEnsemble: Sendable {
    public let scheme: SPDEScheme
    public let modes: [Int]
    public let timeStep: Double
    public let steps: Int
    public let paths: Int
    public let seed: UInt64
    public let functionals: [SPDEFunctional]
    public let stopping: SPDEStoppingRule?
    /// Record path 0's node values every this many steps (and at τ = 0), for heat maps and snapshots.
    public let snapshotInterval: Int?

    /// Throws `InvalidArgument` for non-positive modes, time step, steps or paths, or sizes whose
    /// product overflows Int.
    public init(scheme: SPDEScheme, modes: [Int], timeStep: Double, steps: Int, paths: Int, seed: UInt64,
                functionals: [SPDEFunctional] = [], stopping: SPDEStoppingRule? = nil, snapshotInterval: Int? = nil) throws {
        for (i, m) in modes.enumerated() { try Validate.positive(m, i == 0 ? "modes" : "modes-y") }
        try Validate.positive(timeStep, "timeStep")
        try Validate.positive(steps, "steps")
        try Validate.positive(paths, "paths")
        if let snapshotInterval { try Validate.positive(snapshotInterval, "snapshotInterval") }
        let points = modes.reduce(1) { $0.multipliedReportingOverflow(by: $1).overflow ? Int.max : $0 * $1 }
        guard points < Int.max, !paths.multipliedReportingOverflow(by: points).overflow else {
            throw InvalidArgument("paths", paths, "paths × modes = \(paths) × \(modes) overflows Int")
        }
        self.scheme = scheme
        self.modes = modes
        self.timeStep = timeStep
        self.steps = steps
        self.paths = paths
        self.seed = seed
        self.functionals = functionals
        self.stopping = stopping
        self.snapshotInterval = snapshotInterval
    }
}

/// What an SPDE ensemble returns. Statistics are over the paths that stayed finite.
public struct SPDEEnsembleResult: Sendable {
    /// ∫|u(τ_end)|² = Σ û².
    public let energy: SampleStatistics
    /// Per coefficient in mode order (then the globals): the mean over paths of û² and its standard error.
    public let modeSecondMoments: [Double]
    public let modeStandardErrors: [Double]
    public let functionals: [SampleStatistics]
    /// The stopping times (nil without a stopping rule); paths that never stop count with the horizon.
    public let stoppingTimes: SampleStatistics?
    /// The stopping time of every finite path that stopped, in path order (empty without a rule).
    public let stoppedTimes: [Double]
    /// Paths stopped by the rule before the horizon.
    public let stoppedPaths: Int
    /// Paths whose state became non-finite: excluded from the statistics above; their last finite
    /// state is what `SPDEStepper` keeps.
    public let failedPaths: Int
    /// E Σ û² of the scheme itself (linear problems with additive noise; see `SPDEStepper.exactSecondMoments`).
    public let exactDiscreteEnergy: Double?
    /// E Σ û² of the continuous solution's projection on the grid's modes (same condition).
    public let exactEnergy: Double?
    /// Path 0's node values at τ = `snapshotTimes[i]` (grid layout), if requested.
    public let snapshots: [[Double]]
    public let snapshotTimes: [Double]
    public let grid: SpectralGrid
    public let paths: Int
    public let steps: Int
    public let timeStep: Double
    public let seed: UInt64
    /// Seconds in transforms summed over paths, and in the whole run summed over workers (both 0 unless
    /// `measuringTransforms` was set).
    public let transformSeconds: Double
    public let workerSeconds: Double
}

/// Runs `ensemble` on `problem` over the worker pool's threads (Notes/spde-schemes.md). Cost: paths × steps × (one
/// stepper step + `SPDEStepper.noiseCount` Gaussian variates when the noise is on: the field's
/// coefficients and the globals). Memory: one stepper per worker, paths × (noiseCount + functionals + 2)
/// result values. `progress`, if given, is called from worker
/// threads with the number of completed paths. Throws `InvalidArgument` for an unusable discretisation.
///
/// With `checkpoint`, the paths run in blocks (`CheckpointPolicy.Interval`: K paths, or 16 per worker
/// when the interval is in seconds) and the per-path result slots of the completed prefix of blocks,
/// with path 0's snapshots, are written to `<directory>/spde-ensemble.ckpt` when due and at the end;
/// with `resume` the run starts after the checkpoint's last block. Every path draws from its own
/// stream (seed, k), so the result is bitwise that of an uninterrupted run (Notes/checkpoints.md). A
/// checkpoint of another configuration (the ensemble's sizes and functional names, and the policy's
/// `configuration`, which must describe the problem) or seed throws `CheckpointError.mismatch`.
public func solve(_ problem: SemilinearSPDE, _ ensemble: SPDEEnsemble, measuringTransforms: Bool = false,
                  checkpoint: CheckpointPolicy? = nil, progress: (@Sendable (Int) -> Void)? = nil) throws -> SPDEEnsembleResult {
    let probe = try SPDEStepper(problem, modes: ensemble.modes, scheme: ensemble.scheme, timeStep: ensemble.timeStep)
    let grid = probe.grid, n = probe.noiseCount, paths = ensemble.paths, steps = ensemble.steps
    let f = ensemble.functionals.count
    var squares = [Double](repeating: 0, count: paths * n)
    var scalars = [Double](repeating: 0, count: paths * (f + 2))  // energy, stopping time, functionals
    var flags = [UInt8](repeating: 0, count: paths)  // 1 failed, 2 stopped
    let snapshots = Mutex<[[Double]]>([])
    let timing = Mutex<(transforms: Double, workers: Double)>((0, 0))
    var firstPath = 0
    var schedule: CheckpointSchedule?
    let fingerprint = CheckpointFingerprint(configuration: ensemble.checkpointConfiguration(noiseCount: n) + (checkpoint?.configuration ?? ""),
                                            seed: ensemble.seed)
    if let checkpoint {
        guard Distribution.size == 1 else {
            throw InvalidArgument("checkpoint", checkpoint.directory.path, "checkpoints need a single process (not \(Distribution.size) MPI ranks)")
        }
        let name = SPDEEnsemble.checkpointName, file = checkpoint.file(name)
        if let saved = try checkpoint.restore(name, kind: SPDEEnsemble.checkpointKind, fingerprint: fingerprint) {
            firstPath = try saved.integer("paths-done", file: file)
            guard firstPath <= paths else { throw CheckpointError.corrupt(file, "paths-done \(firstPath) > paths \(paths)") }
            let savedSquares = try saved.reals("squares", count: firstPath * n, file: file)
            let savedScalars = try saved.reals("scalars", count: firstPath * (f + 2), file: file)
            let savedFlags = try saved.words("flags", count: firstPath, file: file)
            for i in savedSquares.indices { squares[i] = savedSquares[i] }
            for i in savedScalars.indices { scalars[i] = savedScalars[i] }
            for i in savedFlags.indices { flags[i] = UInt8(truncatingIfNeeded: savedFlags[i]) }
            let count = try saved.integer("snapshot-count", file: file)
            let flat = try saved.reals("snapshots", file: file)
            guard count == 0 || flat.count % count == 0 else { throw CheckpointError.corrupt(file, "snapshots") }
            let width = count == 0 ? 0 : flat.count / count
            snapshots.withLock { $0 = (0..<count).map { Array(flat[($0 * width)..<(($0 + 1) * width)]) } }
        }
        schedule = CheckpointSchedule(checkpoint, name: name, progress: firstPath)
    }
    let done = Atomic<Int>(firstPath)
    if let progress, firstPath > 0 { progress(firstPath) }
    let root = ensemble.timeStep.squareRoot(), noisy = problem.noise.isActive
    // Fixed blocks of paths (one block without a checkpoint); each path's slots depend on the path only.
    var blockSize = paths
    switch checkpoint?.interval {
    case .steps(let k)?: blockSize = k
    case .seconds?: blockSize = 16 * Parallel.workerCount
    case nil: break
    }
    // This rank's fixed block of paths (all of them in one process; Notes/mpi-shards.md); checkpoints
    // are refused on several ranks, so there the run is one block.
    let mine = Distribution.block(of: paths)
    var blockStart = max(firstPath, mine.lowerBound)
    while blockStart < mine.upperBound {
        let block = blockStart..<min(mine.upperBound, blockStart + blockSize)
        squares.withUnsafeMutableBufferPointer { squareBuffer in
            scalars.withUnsafeMutableBufferPointer { scalarBuffer in
                flags.withUnsafeMutableBufferPointer { flagBuffer in
                    let squareOut = SharedMutablePointer(squareBuffer.baseAddress!), scalarOut = SharedMutablePointer(scalarBuffer.baseAddress!)
                    let flagOut = SharedMutablePointer(flagBuffer.baseAddress!)
                    Parallel.forEachChunk(block.count) { local in
                        let range = (block.lowerBound + local.lowerBound)..<(block.lowerBound + local.upperBound)
                        let start = DispatchTime.now().uptimeNanoseconds
                        // Construction succeeded above with the same arguments.
                        guard let stepper = try? SPDEStepper(problem, modes: ensemble.modes, scheme: ensemble.scheme,
                                                             timeStep: ensemble.timeStep) else { return }
                        stepper.timingTransforms = measuringTransforms
                        var increments = [Double](repeating: 0, count: n)
                        for path in range {
                            stepper.reset()
                            var stream = XoshiroRandomStream(seed: ensemble.seed, index: UInt64(path))
                            var recorded: [[Double]] = []
                            let recording = path == 0 && ensemble.snapshotInterval != nil
                            if recording { recorded.append(stepper.nodeValues) }
                            var failed = false, stopped = false
                            increments.withUnsafeMutableBufferPointer { dW in
                                for s in 0..<steps {
                                    if noisy { stream.fillGaussian(dW, standardDeviation: root) }
                                    guard stepper.step(increments: noisy ? UnsafePointer(dW.baseAddress!) : nil) else {
                                        failed = true
                                        break
                                    }
                                    if recording, let every = ensemble.snapshotInterval, (s + 1) % every == 0 { recorded.append(stepper.nodeValues) }
                                    if let rule = ensemble.stopping, rule.shouldStop(stepper.time, stepper.unknowns) {
                                        stopped = true
                                        break
                                    }
                                }
                            }
                            if recording { snapshots.withLock { $0 = recorded } }
                            flagOut[path] = failed ? 1 : (stopped ? 2 : 0)
                            let coefficients = stepper.modeCoefficients
                            for i in 0..<n { squareOut[path * n + i] = coefficients[i] * coefficients[i] }
                            scalarOut[path * (f + 2)] = stepper.energy
                            scalarOut[path * (f + 2) + 1] = stepper.time
                            if f > 0 {
                                let values = stepper.nodeValues
                                values.withUnsafeBufferPointer { v in
                                    for (q, functional) in ensemble.functionals.enumerated() {
                                        scalarOut[path * (f + 2) + 2 + q] = functional.evaluate(grid, stepper.coefficients, v)
                                    }
                                }
                            }
                            if let progress { progress(done.add(1, ordering: .relaxed).newValue) }
                        }
                        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) * 1e-9
                        timing.withLock { $0.transforms += stepper.transformSeconds; $0.workers += seconds }
                    }
                }
            }
        }
        blockStart = block.upperBound
        if let schedule, blockStart == paths || schedule.isDue(at: blockStart) {
            let end = blockStart
            try schedule.write(at: end) {
                let recorded = snapshots.withLock { $0 }
                return Checkpoint(kind: SPDEEnsemble.checkpointKind, fingerprint: fingerprint,
                                  words: ["paths-done": [UInt64(end)], "flags": flags[0..<end].map(UInt64.init),
                                          "snapshot-count": [UInt64(recorded.count)]],
                                  reals: ["squares": Array(squares[0..<(end * n)]), "scalars": Array(scalars[0..<(end * (f + 2))]),
                                          "snapshots": recorded.flatMap { $0 }])
            }
        }
    }
    // The other ranks' blocks, bit for bit (path 0, whose snapshots are recorded, is always rank 0's).
    try Distribution.gather(&squares, width: n, count: paths)
    try Distribution.gather(&scalars, width: f + 2, count: paths)
    try Distribution.gather(&flags, width: 1, count: paths)
    let good = (0..<paths).filter { flags[$0] != 1 }
    func statistics(_ name: String, _ slot: Int, levels: [Double] = [0.05, 0.5, 0.95]) -> SampleStatistics {
        SampleStatistics(name: name, values: good.map { scalars[$0 * (f + 2) + slot] }, quantileLevels: levels)
    }
    var moments = [Double](repeating: 0, count: n), errors = [Double](repeating: 0, count: n)
    for i in 0..<n {
        let stats = SampleStatistics(name: "mode", values: good.map { squares[$0 * n + i] })
        moments[i] = stats.mean
        errors[i] = stats.standardError
    }
    let exact = probe.exactSecondMoments(steps: steps)
    let interval = ensemble.snapshotInterval ?? 1
    let recorded = snapshots.withLock { $0 }
    let times = ensemble.snapshotInterval == nil ? [] : (0..<recorded.count).map { Double($0 * interval) * ensemble.timeStep }
    let timings = timing.withLock { $0 }
    return SPDEEnsembleResult(
        energy: statistics("energy", 0),
        modeSecondMoments: moments, modeStandardErrors: errors,
        functionals: ensemble.functionals.enumerated().map { statistics($1.name, 2 + $0) },
        stoppingTimes: ensemble.stopping.map { statistics($0.name, 1) },
        stoppedTimes: (0..<paths).filter { flags[$0] == 2 }.map { scalars[$0 * (f + 2) + 1] },
        stoppedPaths: flags.filter { $0 == 2 }.count, failedPaths: paths - good.count,
        exactDiscreteEnergy: exact.map { $0.discrete.prefix(grid.count).reduce(0, +) },
        exactEnergy: exact.map { $0.continuous.prefix(grid.count).reduce(0, +) },
        snapshots: recorded, snapshotTimes: times, grid: grid, paths: paths, steps: steps, timeStep: ensemble.timeStep,
        seed: ensemble.seed, transformSeconds: timings.transforms, workerSeconds: timings.workers)
}

extension SPDEEnsemble {
    /// The checkpoint file's name in `CheckpointPolicy.directory` (spde-ensemble.ckpt) and its kind.
    public static let checkpointName = "spde-ensemble"
    static let checkpointKind = "spde-ensemble"

    /// What of the ensemble a checkpoint must match besides the seed: the scheme, sizes and the
    /// functionals' and stopping rule's names (the closures themselves cannot be compared).
    func checkpointConfiguration(noiseCount: Int) -> String {
        "spde-ensemble scheme=\(scheme.rawValue) modes=\(modes) dt=\(timeStep.bitPattern) steps=\(steps) paths=\(paths) "
            + "noise=\(noiseCount) functionals=\(functionals.map(\.name)) stopping=\(stopping?.name ?? "-") "
            + "snapshots=\(snapshotInterval.map(String.init) ?? "-"); "
    }
}
