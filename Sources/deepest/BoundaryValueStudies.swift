import BoundaryValue
import NumericCore

/// Convergence studies of the boundary-value solvers (issue: boundary-value solvers). The mathematics
/// lives in `BoundaryValueConvergence`; this file only names the studies.
enum BoundaryValueStudies {
    static let list: [ConvergenceStudy] = [
        ConvergenceStudy(name: "collocation-trapezoid") { report(try BoundaryValueConvergence.collocation(.trapezoid)) },
        ConvergenceStudy(name: "collocation-lobatto3") { report(try BoundaryValueConvergence.collocation(.lobatto3)) },
        ConvergenceStudy(name: "shooting-rk4") { report(try BoundaryValueConvergence.shooting(.rk4)) },
        ConvergenceStudy(name: "shooting-gauss4") { report(try BoundaryValueConvergence.shooting(.gauss4)) },
        ConvergenceStudy(name: "chebyshev") { report(try BoundaryValueConvergence.chebyshev().data) },
    ]

    static func report(_ data: ConvergenceData) -> ConvergenceReport {
        ConvergenceReport(
            study: data.study, expectedOrder: data.expectedOrder, fittedOrder: data.fit.order,
            ci95: [data.fit.ci95.lowerBound, data.fit.ci95.upperBound],
            rows: zip(data.steps, data.errors).map { ConvergenceRow(h: $0, error: $1) }, note: data.note)
    }
}
