import ArgumentParser
import Foundation

/// `deepest study all --out DIR`: every study at its default size (stability on spirals, also of the
/// continuum recipe collocation-reduced's flow; adversarial on spirals, circles and digits; the
/// landscape of the 3×3 example and of the spirals networks; depth on spirals with seeds 1 and 2),
/// each in a subfolder of DIR, then `report.md` with every table and figure (`study_figures.py report`).
/// The studies' own tables are not printed; stdout has one summary (JSON: {out, studies: [{name,
/// folder, arguments, status, seconds}]}). A study that fails is recorded with its message and the
/// others still run; the exit status is then that of the first failure (after the report is written).
struct AllStudiesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "all", abstract: "Run every study at default sizes and write report.md (make report).")

    @Option(help: "Folder for the studies' subfolders and report.md.") var out: String
    @Option(help: "table or json") var format: OutputFormat = .table
    @Option(name: .customLong("data-dir"), help: "Folder of the built-in data sets (default: Experiments/data).") var dataDirectory: String?
    @Flag(inversion: .prefixedNo, help: "Draw the figures and write report.md (needs python3 with matplotlib).") var figures = true

    struct Study: Encodable {
        let name: String, folder: String, arguments: [String], status: String, seconds: Double
    }

    struct Summary: Encodable {
        let out: String
        let studies: [Study]
    }

    /// The studies and their arguments (without --out).
    static let plan: [(name: String, command: ParsableCommand.Type, arguments: [String])] = [
        ("stability", StabilityStudyCommand.self, ["--dataset", "spirals"]),
        ("stability-continuum", StabilityStudyCommand.self,
         ["--dataset", "spirals", "--recipe", "collocation-reduced", "--baselines", "none", "--kernels", "antisymmetric"]),
        ("adversarial-spirals", AdversarialStudyCommand.self, ["--dataset", "spirals"]),
        ("adversarial-circles", AdversarialStudyCommand.self, ["--dataset", "circles"]),
        ("adversarial-digits", AdversarialStudyCommand.self, ["--dataset", "digits"]),
        ("landscape", LandscapeStudyCommand.self, ["--dataset", "spirals"]),
        ("depth", DepthStudyCommand.self, ["--dataset", "spirals", "--seeds", "1,2"]),
    ]

    func run() throws {
        let folder = try OutputFolder(path: out, option: "--out")
        defer { folder.discard() }
        let staging = try folder.stage()
        var studies = [Study]()
        var firstFailure: Error?
        let progress = ProgressReporter("study all", total: Self.plan.count)
        for (index, entry) in Self.plan.enumerated() {
            var arguments = entry.arguments + ["--out", staging.appendingPathComponent(entry.name).path]
            if let dataDirectory { arguments += ["--data-dir", dataDirectory] }
            if !figures { arguments.append("--no-figures") }
            let start = Date()
            var status = "ok"
            do {
                var command = try entry.command.parseAsRoot(arguments)
                try Self.silencingStandardOutput { try command.run() }
            } catch {
                status = "failed: \(String(describing: error))"
                if firstFailure == nil { firstFailure = error }
            }
            studies.append(Study(name: entry.name, folder: entry.name, arguments: entry.arguments, status: status,
                                 seconds: Date().timeIntervalSince(start)))
            progress.update(index + 1)
        }
        let summary = Summary(out: folder.url.path, studies: studies)
        try AtomicFile.write(try Output.json(summary) + "\n", to: staging.appendingPathComponent("studies.json"))
        if figures, let reason = ComparisonReport.render(folder: staging, script: "study_figures.py", arguments: ["report"]) {
            FileHandle.standardError.write(Data("deepest: report.md not written: \(reason)\n".utf8))
        }
        try folder.commit()
        try Output.emit(summary, format: format) {
            Output.table(["study", "folder", "seconds", "status"], studies.map {
                [$0.name, $0.folder, Output.fixed($0.seconds, 1), $0.status]
            }) + (figures ? "report: \(folder.url.appendingPathComponent("report.md").path)\n" : "")
        }
        if let firstFailure { throw firstFailure }
    }

    /// Runs `body` with file descriptor 1 on /dev/null (the studies print their own tables).
    static func silencingStandardOutput(_ body: () throws -> Void) rethrows {
        fflush(nil)
        let saved = dup(STDOUT_FILENO)
        let null = open("/dev/null", O_WRONLY)
        if saved >= 0, null >= 0 { dup2(null, STDOUT_FILENO) }
        defer {
            fflush(nil)
            if saved >= 0 {
                dup2(saved, STDOUT_FILENO)
                close(saved)
            }
            if null >= 0 { close(null) }
        }
        try body()
    }
}
