import BoundaryValue

extension TrainingBoundaryValueProblem {
    /// The same problem as the BoundaryValue module's `BoundaryValueProblem` (separated conditions),
    /// ready for `solve(_:_:initialGuess:)` with `Collocation` and the module's other solvers. Note the
    /// generic collocation factors dense (2n)² blocks per interval, O(N n³) with n = Md + q: usable for
    /// small M; the per-sample Schur complement of Notes/deepest-learning-action.md §9 is what makes
    /// the cost linear in M.
    public func boundaryValueProblem() throws -> BoundaryValueProblem {
        try BoundaryValueProblem(
            dimension: dimension, start: start, end: end, field: field, fieldJacobian: fieldJacobian,
            boundaryConditions: .separated(startCount: startCount, start: startResidual, startJacobian: startJacobian,
                                           end: endResidual, endJacobian: endJacobian))
    }
}
