import Stochastic

/// Convergence studies of the stochastic schemes; the mathematics lives in `Stochastic`
/// (SDEConvergenceStudies, HeatConvergenceStudies). ci95 is the bootstrap interval over paths.
enum StochasticStudies {
    static let list: [ConvergenceStudy] = [
        ConvergenceStudy(name: "em-strong") { report(try SDEConvergenceStudies.strongGeometricBrownianMotion(scheme: .eulerMaruyama)) },
        ConvergenceStudy(name: "milstein-strong") { report(try SDEConvergenceStudies.strongGeometricBrownianMotion(scheme: .milstein)) },
        ConvergenceStudy(name: "em-weak") { report(try SDEConvergenceStudies.weakGeometricBrownianMotion()) },
        ConvergenceStudy(name: "em-additive-strong") { report(try SDEConvergenceStudies.strongAdditive()) },
        ConvergenceStudy(name: "ou-exact-strong") { report(try SDEConvergenceStudies.strongOrnsteinUhlenbeck()) },
        ConvergenceStudy(name: "ou-stationary") { report(try SDEConvergenceStudies.ornsteinUhlenbeckStationary().study) },
        ConvergenceStudy(name: "heat-time") { report(try HeatConvergenceStudies.time(modes: 16, diffusivity: 0.01, reaction: true, paths: 1000)) },
        ConvergenceStudy(name: "heat-time-white") { report(try HeatConvergenceStudies.time(modes: 128, diffusivity: 1, reaction: false, paths: 1000)) },
        ConvergenceStudy(name: "heat-time-trace-class") {
            report(try HeatConvergenceStudies.time(modes: 128, diffusivity: 1, reaction: false, regularity: 1, paths: 1000))
        },
        ConvergenceStudy(name: "heat-space") { report(try HeatConvergenceStudies.space(paths: 400)) },
    ]

    static func report(_ result: StochasticStudyResult) -> ConvergenceReport {
        ConvergenceReport(
            study: result.name, expectedOrder: result.expectedOrder, fittedOrder: result.fit.order,
            ci95: [result.bootstrap95.lowerBound, result.bootstrap95.upperBound],
            rows: zip(result.steps, result.errors).map { ConvergenceRow(h: $0, error: $1) },
            note: result.note + String(format: " (least-squares t-interval [%.3f, %.3f]; ci95 is the bootstrap over paths)",
                                       result.fit.ci95.lowerBound, result.fit.ci95.upperBound))
    }
}
