/// Validation shared by the ensemble commands (`sde`, `spde`): a positive path count and a time step
/// that divides the horizon into a whole number of steps. Failures are one-line `CommandFailure`s.
enum EnsembleGrid {
    static func steps(paths: Int, dt: Double, horizon: Double) throws -> Int {
        guard paths > 0 else { throw CommandFailure("invalid --paths = \(paths): must be > 0") }
        guard horizon.isFinite, horizon > 0 else { throw CommandFailure("invalid --horizon = \(horizon): must be a finite number > 0") }
        guard dt.isFinite, dt > 0, dt <= horizon else {
            throw CommandFailure("invalid --dt = \(dt): must be in (0, --horizon = \(horizon)]")
        }
        let steps = (horizon / dt).rounded()
        guard abs(steps * dt - horizon) <= 1e-9 * horizon, steps <= 1e9 else {
            throw CommandFailure("invalid --dt = \(dt): must divide --horizon = \(horizon) into a whole number of steps (at most 1e9)")
        }
        return Int(steps)
    }
}
