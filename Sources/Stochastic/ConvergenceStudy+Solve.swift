import NumericCore

extension ConvergenceStudy {
    /// Path p's reference: the exact solution or the fine solution on `path`, nil for an exact expectation
    /// (and for a failed reference, reported through `failed`).
    @inlinable
    func referenceSolution<Solver: PathwiseSolver>(_ solver: Solver, on path: BrownianPath, failed: inout Bool) -> [Double]? {
        let value: [Double]?
        switch reference {
        case .exactExpectation: return nil
        case .exactSolution(let exact): value = exact(path)
        case .fineSolution(let fine): value = solver.solve(on: path, resolution: fine)
        }
        guard let value, value.allSatisfy(\.isFinite) else {
            failed = true
            return nil
        }
        return value
    }

    /// ‖x − y‖² with the study's weights, the shorter vector padded with zeros.
    @usableFromInline
    func squaredDistance(_ x: [Double], _ y: [Double]) -> Double {
        var sum = 0.0
        for i in 0..<max(x.count, y.count) {
            let d = (i < x.count ? x[i] : 0) - (i < y.count ? y[i] : 0)
            if let normWeights, i < normWeights.count { sum += normWeights[i] * d * d } else { sum += d * d }
        }
        return sum
    }

    /// φ(x) for the weak functional (0 without one).
    @usableFromInline
    func weakValue(_ x: [Double]) -> Double {
        guard let weakFunctional else { return 0 }
        return x.withUnsafeBufferPointer { weakFunctional.evaluate($0) }
    }
}

/// Runs `study` for `solver` over both cores: path p is `BrownianPath(seed: study.seed, index: p,
/// dimension: solver.wienerDimension, steps: study.fineSteps, duration: solver.horizon)`, the reference
/// and every level are solved on it, and the per-path squared errors and weak differences go to slots
/// p·levels + l, reduced in path order afterwards. The result is therefore bitwise the same for any
/// thread count and any `study.chunks`, and any path can be recomputed alone.
///
/// Cost: paths × (reference + Σ_levels cost of one solve) + the bootstrap, resamples × paths × levels
/// additions per measure. Memory: paths × levels doubles per measure, one path per worker.
/// A path on which the solver returns nil or a non-finite value (at any level or the reference), or φ is
/// not finite, is counted in `failedPaths` and excluded from every level.
///
/// Throws `InvalidArgument` for a solver with wienerDimension < 1 or a non-positive horizon, or if
/// paths × levels overflows. (`@inlinable` so the loop is specialised to the solver's type.)
@inlinable
public func solve<Solver: PathwiseSolver>(_ solver: Solver, _ study: ConvergenceStudy) throws -> ConvergenceStudyResult {
    try Validate.positive(solver.wienerDimension, "solver.wienerDimension")
    try Validate.positive(solver.horizon, "solver.horizon")
    let levelCount = study.levels.count, paths = study.paths
    guard !paths.multipliedReportingOverflow(by: levelCount).overflow else {
        throw InvalidArgument("paths", paths, "paths × \(levelCount) levels overflow Int")
    }
    let measuresWeak = study.weakFunctional != nil
    var squared = [Double](repeating: 0, count: paths * levelCount)
    var differences = [Double](repeating: 0, count: measuresWeak ? paths * levelCount : 0)
    var failed = [UInt8](repeating: 0, count: paths)
    // This rank's fixed block of paths (all of them in a one-process run; Notes/mpi-shards.md).
    let block = Distribution.block(of: paths), local = block.count
    let chunks = min(study.chunks, local), fineSteps = study.fineSteps
    let dimension = solver.wienerDimension, horizon = solver.horizon
    squared.withUnsafeMutableBufferPointer { squaredBuffer in
        differences.withUnsafeMutableBufferPointer { differenceBuffer in
            failed.withUnsafeMutableBufferPointer { failedBuffer in
                let squaredOut = SharedMutablePointer(squaredBuffer.baseAddress!)
                // An empty array's buffer may have no base address: only touched when weak errors are measured.
                let differenceOut = differenceBuffer.baseAddress.map(SharedMutablePointer.init)
                let failedOut = SharedMutablePointer(failedBuffer.baseAddress!)
                Parallel.forEach(chunks) { c in
                    for p in (block.lowerBound + local * c / chunks)..<(block.lowerBound + local * (c + 1) / chunks) {
                        // Cannot throw: dimension, steps and duration were validated above.
                        guard let path = try? BrownianPath(seed: study.seed, index: UInt64(p), dimension: dimension,
                                                           steps: fineSteps, duration: horizon) else {
                            failedOut[p] = 1
                            continue
                        }
                        var pathFailed = false
                        let reference = study.referenceSolution(solver, on: path, failed: &pathFailed)
                        let referenceValue = reference.map { study.weakValue($0) } ?? 0
                        for (l, level) in study.levels.enumerated() where !pathFailed {
                            guard let x = solver.solve(on: path, resolution: level), x.allSatisfy(\.isFinite) else {
                                pathFailed = true
                                break
                            }
                            if let reference { squaredOut[p * levelCount + l] = study.squaredDistance(x, reference) }
                            if let differenceOut, measuresWeak {
                                let value = study.weakValue(x)
                                if !value.isFinite || !referenceValue.isFinite { pathFailed = true }
                                differenceOut[p * levelCount + l] = value - referenceValue
                            }
                        }
                        if pathFailed { failedOut[p] = 1 }
                    }
                }
            }
        }
    }
    try Distribution.gather(&squared, width: levelCount, count: paths)
    if measuresWeak { try Distribution.gather(&differences, width: levelCount, count: paths) }
    try Distribution.gather(&failed, width: 1, count: paths)
    return ConvergenceStudyResult(study: study, horizon: horizon, squared: squared, differences: differences, failed: failed)
}
