import Foundation
import NumericCore
import Synchronization

/// Statistics of an ensemble of stochastic heat equation paths at the final time.
public struct HeatEnsembleResult: Sendable {
    /// ∫ u(τ_end, t)² dt over the paths.
    public let energy: SampleStatistics
    /// Mean over paths of û_j(τ_end)² and its standard error, per mode.
    public let modeSecondMoments: [Double]
    public let modeStandardErrors: [Double]
    /// E Σ_j û_j² in closed form when known (f = 0, u(0) = 0; see `StochasticHeatEquation.expectedModeEnergy`).
    public let exactEnergy: Double?
    public let paths: Int
    public let failedPaths: Int
    public let steps: Int
    public let timeStep: Double
    public let seed: UInt64
}

/// An ensemble algorithm for `StochasticHeatEquation`: `paths` independent paths of `scheme` with J = `modes`
/// and `steps` steps of Δτ = `timeStep`, reproducible from `seed`.
public struct HeatEnsemble: Sendable {
    public let scheme: HeatScheme
    public let modes: Int
    public let timeStep: Double
    public let steps: Int
    public let paths: Int
    public let seed: UInt64

    /// Throws `InvalidArgument` for non-positive modes, steps, paths or time step, or paths × modes beyond Int.
    public init(scheme: HeatScheme, modes: Int, timeStep: Double, steps: Int, paths: Int, seed: UInt64) throws {
        try Validate.positive(modes, "modes")
        try Validate.positive(timeStep, "timeStep")
        try Validate.positive(steps, "steps")
        try Validate.positive(paths, "paths")
        guard !paths.multipliedReportingOverflow(by: modes).overflow else {
            throw InvalidArgument("paths", paths, "paths × modes = \(paths) × \(modes) overflows Int")
        }
        self.scheme = scheme
        self.modes = modes
        self.timeStep = timeStep
        self.steps = steps
        self.paths = paths
        self.seed = seed
    }
}

/// Runs `ensemble` on `problem` over both cores. Path k draws its mode increments, step by step, from
/// `XoshiroRandomStream(seed: seed, index: k)`; results are reduced in path order, so they do not depend
/// on the thread count. The spectral schemes are the `SemilinearSPDE` engine's ensemble on
/// `problem.semilinear` (the same variates, the same bits); finite differences run their own stepper.
/// Cost: paths × steps × (J normals + one stepper step). `progress`, if given, is called from worker
/// threads with the number of completed paths.
public func solve(_ problem: StochasticHeatEquation, _ ensemble: HeatEnsemble,
                  progress: (@Sendable (Int) -> Void)? = nil) throws -> HeatEnsembleResult {
    let scheme = ensemble.scheme, modes = ensemble.modes, timeStep = ensemble.timeStep
    let steps = ensemble.steps, paths = ensemble.paths, seed = ensemble.seed
    guard scheme == .semiImplicitFiniteDifference else {
        let spectral = try SPDEEnsemble(scheme: scheme == .semiImplicitSpectral ? .semiImplicit : .exponentialEuler, modes: [modes],
                                        timeStep: timeStep, steps: steps, paths: paths, seed: seed)
        let run = try solve(try problem.semilinear, spectral, progress: progress)
        return HeatEnsembleResult(energy: run.energy, modeSecondMoments: run.modeSecondMoments, modeStandardErrors: run.modeStandardErrors,
                                  exactEnergy: scheme == .exponentialEulerSpectral
                                    ? problem.expectedModeEnergy(at: Double(steps) * timeStep, modes: modes) : nil,
                                  paths: paths, failedPaths: run.failedPaths, steps: steps, timeStep: timeStep, seed: seed)
    }
    // Built once here so that a construction error is thrown to the caller, not swallowed by a worker.
    _ = try HeatEquationStepper(problem, scheme: scheme, modes: modes, timeStep: timeStep)
    var energies = [Double](repeating: 0, count: paths)
    var squares = [Double](repeating: 0, count: paths * modes)
    var failed = [UInt8](repeating: 0, count: paths)
    let done = Atomic<Int>(0)
    let root = timeStep.squareRoot()
    energies.withUnsafeMutableBufferPointer { e in
        squares.withUnsafeMutableBufferPointer { s in
            failed.withUnsafeMutableBufferPointer { f in
                let energyOut = SharedMutablePointer(e.baseAddress!), squareOut = SharedMutablePointer(s.baseAddress!)
                let failedOut = SharedMutablePointer(f.baseAddress!)
                Parallel.forEachChunk(in: Distribution.block(of: paths)) { range in  // this rank's block (Notes/mpi-shards.md)
                    guard let stepper = try? HeatEquationStepper(problem, scheme: scheme, modes: modes, timeStep: timeStep) else {
                        for path in range { failedOut[path] = 1 }  // never reached: the same construction succeeded above
                        return
                    }
                    var increments = [Double](repeating: 0, count: modes)
                    for path in range {
                        stepper.reset()
                        var stream = XoshiroRandomStream(seed: seed, index: UInt64(path))
                        var ok = true
                        increments.withUnsafeMutableBufferPointer { dW in
                            for _ in 0..<steps {
                                stream.fillGaussian(dW, standardDeviation: root)
                                ok = stepper.step(increments: UnsafeBufferPointer(dW)) && ok
                            }
                        }
                        if !ok { failedOut[path] = 1 }
                        energyOut[path] = stepper.energy
                        let c = stepper.modeCoefficients
                        for j in 0..<modes { squareOut[path * modes + j] = c[j] * c[j] }
                        if let progress { progress(done.add(1, ordering: .relaxed).newValue) }
                    }
                }
            }
        }
    }
    try Distribution.gather(&energies, width: 1, count: paths)
    try Distribution.gather(&squares, width: modes, count: paths)
    try Distribution.gather(&failed, width: 1, count: paths)
    let good = (0..<paths).filter { failed[$0] == 0 }
    let energy = SampleStatistics(name: "energy", values: good.map { energies[$0] }, quantileLevels: [0.05, 0.5, 0.95])
    var moments = [Double](repeating: 0, count: modes), errors = [Double](repeating: 0, count: modes)
    for j in 0..<modes {
        let stats = SampleStatistics(name: "mode \(j)", values: good.map { squares[$0 * modes + j] })
        moments[j] = stats.mean
        errors[j] = stats.standardError
    }
    // Finite differences have no closed-form expected energy of their own (the spectral schemes returned above).
    return HeatEnsembleResult(energy: energy, modeSecondMoments: moments, modeStandardErrors: errors, exactEnergy: nil,
                              paths: paths, failedPaths: paths - good.count, steps: steps, timeStep: timeStep, seed: seed)
}
