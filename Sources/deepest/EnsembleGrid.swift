/// Validation shared by the ensemble commands (`sde`, `spde`): a positive path count and a time step
/// that divides the horizon into a whole number of steps. Failures are one-line `CommandFailure`s.
enum EnsembleGrid {
    static func steps(paths: Int, dt: Double, horizon: Double) throws -> Int {
        guard paths > 0 else { throw CommandFailure("--paths must be > 0 (got \(paths))") }
        guard horizon.isFinite, horizon > 0 else { throw CommandFailure("--horizon must be > 0 (got \(horizon))") }
        guard dt.isFinite, dt > 0, dt <= horizon else {
            throw CommandFailure("--dt must be in (0, horizon = \(horizon)] (got \(dt))")
        }
        let steps = (horizon / dt).rounded()
        guard abs(steps * dt - horizon) <= 1e-9 * horizon, steps <= 1e9 else {
            throw CommandFailure("--dt \(dt) must divide --horizon \(horizon) into a whole number of steps")
        }
        return Int(steps)
    }
}
