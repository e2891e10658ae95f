import ArgumentParser
import Foundation
import NumericCore

/// One row of a convergence study: a step (h, Δτ, 1/N, or N for spectral studies) and its error.
struct ConvergenceRow: Codable, Sendable {
    let h: Double
    let error: Double
}

/// What `deepest converge` prints: JSON keys study, expectedOrder, fittedOrder, ci95, rows, note.
struct ConvergenceReport: Codable, Sendable {
    let study: String
    let expectedOrder: Double
    let fittedOrder: Double
    let ci95: [Double]
    let rows: [ConvergenceRow]
    /// What error is measured and against what (closed form, reference solution, exact moments).
    let note: String
}

/// A named study: the library computes, this only names it for the command line.
struct ConvergenceStudy: Sendable {
    let name: String
    let run: @Sendable () throws -> ConvergenceReport
}

/// Every study `deepest converge` knows, from each solver family's list.
enum ConvergenceStudies {
    static var all: [ConvergenceStudy] { BoundaryValueStudies.list + StochasticStudies.list }
}

struct ConvergeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "converge",
        abstract: "Run a convergence study: errors at several steps and the least-squares fitted order with its 95% interval.")

    @Option(help: "Study name (run with --study list to see them).")
    var study: String

    @Option(help: "table or json")
    var format: OutputFormat = .table

    func run() throws {
        let studies = ConvergenceStudies.all
        guard let chosen = studies.first(where: { $0.name == study }) else {
            throw CommandFailure("invalid --study = \(study): must be one of \(studies.map(\.name).joined(separator: ", ")) (valid studies)")
        }
        let report = try chosen.run()
        try Output.emit(report, format: format) {
            var text = "study \(report.study): expected order \(report.expectedOrder), fitted "
            text += String(format: "%.3f, 95%% CI [%.3f, %.3f]\n", report.fittedOrder, report.ci95[0], report.ci95[1])
            text += Output.table(["h", "error"], report.rows.map { [Output.sci($0.h), Output.sci($0.error)] })
            return text + report.note + "\n"
        }
    }
}
