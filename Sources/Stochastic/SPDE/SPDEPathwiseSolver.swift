import NumericCore

/// A `SemilinearSPDE` with an `SPDEScheme`, as a `PathwiseSolver` for convergence studies in time and
/// in the number of modes (Notes/convergence-studies.md).
///
/// The Wiener processes are the noise modes of the finest grid, `finestModes` (one count per axis), in
/// mode order: component c, mode (j_x, j_y) at c·P + j_y·n_x + j_x. A resolution with J modes solves on
/// J modes along x (and J·n_y/n_x along y in 2-D), driving mode (j_x, j_y) by the same Wiener process
/// as on the finest grid (nested mode sets), with `resolution.steps` steps of the summed increments.
/// The result is the coefficient vector embedded in the finest grid's mode order (zeros for the modes
/// the resolution lacks), so that a study's zero padding compares the same functions; the Nyquist
/// cosine of an even periodic axis, which is a different function on every grid, is left out (set to 0).
/// Cost per call: one `SPDEStepper` (plans cached) and steps × (one step + a gather of the increments).
public struct SPDEPathwiseSolver: PathwiseSolver {
    public let problem: SemilinearSPDE
    public let scheme: SPDEScheme
    public let horizon: Double
    public let finestModes: [Int]
    let finestGrid: SpectralGrid

    /// Throws `InvalidArgument` for a horizon that is not positive or modes that do not fit the problem.
    public init(_ problem: SemilinearSPDE, scheme: SPDEScheme, horizon: Double, finestModes: [Int]) throws {
        try Validate.positive(horizon, "horizon")
        finestGrid = try problem.grid(modes: finestModes)
        self.problem = problem
        self.scheme = scheme
        self.horizon = horizon
        self.finestModes = finestModes
    }

    /// The finest grid's coefficients and the globals.
    public var wienerDimension: Int { finestGrid.count + problem.globalCount }

    /// The modes along each axis for `resolution` (the finest when it gives none).
    public func modes(for resolution: StudyResolution) -> [Int] {
        guard let j = resolution.modes else { return finestModes }
        return finestModes.count == 1 ? [j] : [j, max(1, j * finestModes[1] / finestModes[0])]
    }

    public func solve(on path: BrownianPath, resolution: StudyResolution) -> [Double]? {
        let modes = modes(for: resolution)
        guard path.dimension == wienerDimension, zip(modes, finestModes).allSatisfy({ $0 <= $1 }),
              let increments = try? path.increments(steps: resolution.steps),
              let stepper = try? SPDEStepper(problem, modes: modes, scheme: scheme, timeStep: horizon / Double(resolution.steps))
        else { return nil }
        let grid = stepper.grid, fine = finestGrid
        // Mode-order index on this grid → mode-order index on the finest grid.
        let nx = grid.axes[0].count, fineNx = fine.axes[0].count
        let embedding = (0..<stepper.noiseCount).map { k -> Int in
            guard k < grid.count else { return fine.count + k - grid.count }  // the globals
            let c = k / grid.pointCount, p = k % grid.pointCount
            return c * fine.pointCount + (p / nx) * fineNx + p % nx
        }
        let noisy = problem.noise.isActive, n = stepper.noiseCount, d = path.dimension
        var dW = [Double](repeating: 0, count: n)
        for s in 0..<resolution.steps {
            let ok = dW.withUnsafeMutableBufferPointer { buffer -> Bool in
                for k in 0..<n { buffer[k] = increments[s * d + embedding[k]] }
                return stepper.step(increments: noisy ? UnsafePointer(buffer.baseAddress!) : nil)
            }
            guard ok else { return nil }
        }
        var result = [Double](repeating: 0, count: wienerDimension)
        let coefficients = stepper.modeCoefficients
        for k in grid.count..<n { result[embedding[k]] = coefficients[k] }
        for k in 0..<grid.count {
            let p = grid.modeSlots[k % grid.pointCount]
            // A Nyquist cosine is left out only along an axis coarser than the finest grid's.
            let nyquistX = grid.axes[0].basis.isNyquist(slot: p % nx, count: nx) && nx < finestModes[0]
            let nyquistY = grid.dimension == 2 && grid.axes[1].basis.isNyquist(slot: p / nx, count: grid.axes[1].count)
                && grid.axes[1].count < finestModes[1]
            if nyquistX || nyquistY { continue }
            result[embedding[k]] = coefficients[k]
        }
        return result
    }
}
