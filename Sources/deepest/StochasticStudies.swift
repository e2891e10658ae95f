/// Convergence studies of the stochastic schemes (issue: stochastic engine).
enum StochasticStudies {
    static let list: [ConvergenceStudy] = []
}
