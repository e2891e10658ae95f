import NumericCore

/// A stepper's whole state for checkpoints: the unknowns (coefficients in grid layout, then the
/// globals) and the step count (τ = steps · Δτ). Everything else a step reads is fixed at construction
/// or rewritten from these, so a stepper restored from them steps bitwise as the one they were taken
/// from (Notes/checkpoints.md).
extension SPDEStepper {
    /// The unknowns, `noiseCount` values (a copy of `unknowns`).
    public var savedUnknowns: [Double] { Array(unknowns) }

    /// Sets the unknowns and the step count. Throws `InvalidArgument` for a wrong count or a negative step.
    public func restore(unknowns values: [Double], stepCount steps: Int) throws {
        try setCoefficients(values)
        guard steps >= 0 else { throw InvalidArgument("stepCount", steps, "must be >= 0") }
        stepCount = steps
    }
}
