import Foundation

/// Draws the figures of a result folder by running a bundled script (matplotlib, DESIGN.md: plots come
/// from a well-kept plotting library) with `python3`, or with the interpreter named by the environment
/// variable DEEPEST_PYTHON: `compare_report.py` (figures and report.md of `deepest compare`),
/// `spde_figures.py` (the field of `deepest spde`, the annealing heat map of a Langevin stage) and `study_figures.py` (the figures of `deepest study`
/// and report.md of `deepest study all`).
enum ComparisonReport {
    /// A bundled script, looked up where SwiftPM places an executable's resources (next to the
    /// binary); nil when the binary was copied without them.
    static func script(_ name: String) -> URL? {
        let executable = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        let candidates = [Bundle.main.bundleURL, executable.deletingLastPathComponent()].map {
            $0.appendingPathComponent("DeepestLearning_DeepestCommands.resources/\(name)")
        }
        return candidates.first { FileManager.default.fileExists(atPath: $0.path) }
    }

    /// Runs the script `name` (default compare_report.py; the studies' figures: study_figures.py) on
    /// `folder` with `arguments` after the folder. Returns nil on success, else one line saying why
    /// nothing was drawn (the CSV and JSON results are complete either way).
    static func render(folder: URL, script name: String = "compare_report.py", arguments: [String] = []) -> String? {
        guard let script = script(name) else { return "\(name) is not next to the deepest binary" }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        let python = ProcessInfo.processInfo.environment["DEEPEST_PYTHON"] ?? "python3"
        process.arguments = [python, script.path, folder.path] + arguments
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        do {
            try process.run()
        } catch {
            return "could not start \(python): \(error.localizedDescription)"
        }
        // Killed with the run on SIGINT or SIGTERM (`Interruption`).
        Interruption.shared.track(child: process.processIdentifier)
        let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        Interruption.shared.untrack(child: process.processIdentifier)
        guard process.terminationStatus != 0 else { return nil }
        let last = message.split(separator: "\n").last.map(String.init) ?? "exit status \(process.terminationStatus)"
        return last.contains("No module named 'matplotlib'")
            ? "matplotlib is not installed (pip install matplotlib, or make demo)" : last
    }
}
