/// Convergence studies of the boundary-value solvers (issue: boundary-value solvers).
enum BoundaryValueStudies {
    static let list: [ConvergenceStudy] = []
}
