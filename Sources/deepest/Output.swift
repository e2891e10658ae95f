import ArgumentParser
import Foundation
import NumericCore

/// `--format table|json` for every command.
enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case table, json
}

/// Printing and writing results: one JSON object with stable (sorted) keys, or a human table.
enum Output {
    /// Encodes `value` as one JSON object on one line; keys are sorted so that they are stable.
    static func json<T: Encodable>(_ value: T) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(
            positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    /// Prints `value` as JSON, or calls `table` to print the human form.
    static func emit<T: Encodable>(_ value: T, format: OutputFormat, table: () -> String) throws {
        switch format {
        case .json: print(try json(value))
        case .table: print(table(), terminator: "")
        }
    }

    /// A left-aligned text table with a header row.
    static func table(_ header: [String], _ rows: [[String]]) -> String {
        var widths = header.map(\.count)
        for row in rows {
            for (i, cell) in row.enumerated() where i < widths.count { widths[i] = max(widths[i], cell.count) }
        }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { i, cell in
                cell.padding(toLength: widths[min(i, widths.count - 1)], withPad: " ", startingAt: 0)
            }.joined(separator: "  ").trimmingCharacters(in: .whitespaces) + "\n"
        }
        return line(header) + line(widths.map { String(repeating: "-", count: $0) }) + rows.map(line).joined()
    }

    /// `%.*e` / `%.*g`-style number formatting for tables.
    static func sci(_ x: Double, _ digits: Int = 3) -> String { String(format: "%.\(digits)e", x) }
    static func fixed(_ x: Double, _ digits: Int = 3) -> String { String(format: "%.\(digits)f", x) }
}

/// A result file that could not be written (exit status 1).
struct WriteFailure: Error, CustomStringConvertible {
    let description: String
}

/// Writes a result file atomically: into a temporary file beside the target, then renamed, so a failed
/// or interrupted run never leaves a partial result.
enum AtomicFile {
    static func write(_ data: Data, to url: URL) throws {
        try Interruption.shared.guarded { try writeUnguarded(data, to: url) }
    }

    /// The folder must exist (result folders are staged by `OutputFolder`).
    private static func writeUnguarded(_ data: Data, to url: URL) throws {
        let directory = url.deletingLastPathComponent()
        let temporary = directory.appendingPathComponent(".\(url.lastPathComponent).\(getpid()).tmp")
        try data.write(to: temporary)
        // rename(2) replaces an existing target atomically. (Foundation's replaceItemAt on Linux removed
        // an existing target and then failed to move the new file, losing both.)
        guard rename(temporary.path, url.path) == 0 else {
            let reason = String(cString: strerror(errno))
            try? FileManager.default.removeItem(at: temporary)
            throw WriteFailure(description: "cannot write \(url.path): \(reason)")
        }
    }

    static func write(_ text: String, to url: URL) throws {
        try write(Data(text.utf8), to: url)
    }
}

/// A failure reported to the user as one line and a non-zero exit: `ExitStatus.invalidInput` (2) for
/// input refused before any work, `ExitStatus.numericalFailure` (3) for a run that ended with a
/// status other than success (its results are written and printed first).
struct CommandFailure: Error, CustomStringConvertible {
    let description: String
    let status: Int32
    init(_ message: String) { description = message; status = ExitStatus.invalidInput }
    init(numerical message: String) { description = message; status = ExitStatus.numericalFailure }

    /// A library error in the words of the command line: the argument's option name from `options`
    /// (an index suffix such as "[0]" is dropped for the look-up), else the library's name.
    static func invalid(_ error: InvalidArgument, options: [String: String]) -> CommandFailure {
        let base = error.argument.split(separator: "[").first.map(String.init) ?? error.argument
        let name = options[error.argument] ?? options[base] ?? error.argument
        return CommandFailure("invalid \(name) = \(error.value): \(error.requirement)")
    }
}

/// The exit statuses of `deepest` (README, "Command line").
enum ExitStatus {
    static let success: Int32 = 0
    /// Anything else that stopped the run (a result file that could not be written).
    static let otherFailure: Int32 = 1
    /// A usage error or invalid input, refused before any work.
    static let invalidInput: Int32 = 2
    /// The run finished but its status is not success (non-finite values, no convergence, an iteration limit).
    static let numericalFailure: Int32 = 3
}

/// Progress on stderr for long runs, only when stderr is a terminal: "label i/n, ETA s".
final class ProgressReporter {
    private let label: String
    private let total: Int
    private let start = Date()
    private let enabled = isatty(STDERR_FILENO) != 0
    private var lastPrint = Date.distantPast

    init(_ label: String, total: Int) {
        self.label = label
        self.total = total
    }

    func update(_ done: Int, detail: String = "") {
        guard enabled else { return }
        let now = Date()
        guard now.timeIntervalSince(lastPrint) > 0.2 || done == total else { return }
        lastPrint = now
        let elapsed = now.timeIntervalSince(start)
        let eta = done > 0 ? elapsed * Double(total - done) / Double(done) : .nan
        let etaText = eta.isFinite ? String(format: ", ETA %.0fs", eta) : ""
        FileHandle.standardError.write(Data("\r\(label) \(done)/\(total)\(etaText) \(detail)\u{1B}[K".utf8))
        if done == total { FileHandle.standardError.write(Data("\n".utf8)) }
    }

    /// One line for an event without a known total (a finished rung): "label: text".
    func note(_ text: String) {
        guard enabled else { return }
        FileHandle.standardError.write(Data("\r\(label): \(text) (\(String(format: "%.0fs", Date().timeIntervalSince(start))))\u{1B}[K\n".utf8))
    }
}

/// A result folder given by an option (`--out`): checked before any work (an existing folder that is
/// writable, or a path whose nearest existing parent is a writable folder), then written in a staging
/// folder (`stage()`) that `commit()` moves into place at the end: the folder is renamed when it did not
/// exist, else each file is renamed into it. An interrupted or failed run leaves no partial result
/// (`Interruption` removes the staging folder on SIGINT and SIGTERM).
final class OutputFolder {
    let url: URL
    private let existed: Bool
    private(set) var staging: URL?

    init(path: String, option: String) throws {
        url = URL(fileURLWithPath: path).standardized
        var isDirectory: ObjCBool = false
        let manager = FileManager.default
        if manager.fileExists(atPath: url.path, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else { throw CommandFailure("invalid \(option) = \(path): exists and is not a folder") }
            guard access(url.path, W_OK | X_OK) == 0 else { throw CommandFailure("invalid \(option) = \(path): the folder is not writable") }
            existed = true
        } else {
            var parent = url.deletingLastPathComponent()
            while !manager.fileExists(atPath: parent.path, isDirectory: &isDirectory) && parent.path != "/" {
                parent = parent.deletingLastPathComponent()
            }
            guard isDirectory.boolValue else {
                throw CommandFailure("invalid \(option) = \(path): cannot create the folder (\(parent.path) is not a folder)")
            }
            guard access(parent.path, W_OK | X_OK) == 0, Self.canCreate(in: parent) else {
                throw CommandFailure("invalid \(option) = \(path): cannot create the folder (\(parent.path) is not writable)")
            }
            existed = false
        }
        if existed, !Self.canCreate(in: url) {
            throw CommandFailure("invalid \(option) = \(path): the folder is not writable")
        }
    }

    /// Whether a folder can be made in `parent` (access(2) says yes to root on /proc): made and removed.
    private static func canCreate(in parent: URL) -> Bool {
        let probe = parent.appendingPathComponent(".deepest-probe-\(getpid())").path
        guard mkdir(probe, 0o700) == 0 else { return false }
        rmdir(probe)
        return true
    }

    /// The staging folder, created on first use: inside the result folder when it exists, else beside it.
    func stage() throws -> URL {
        if let staging { return staging }
        guard Distribution.isRoot else { throw WriteFailure(description: "only rank 0 writes results") }
        let name = ".deepest-partial-\(getpid())"
        let folder = existed ? url.appendingPathComponent(name)
            : url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent)\(name)")
        do {
            try Interruption.shared.create(staging: folder)
        } catch {
            throw WriteFailure(description: "cannot create \(folder.path): \(error.localizedDescription)")
        }
        staging = folder
        return folder
    }

    /// Writes each (name, text) in order into the staging folder.
    func write(_ files: [(String, String)]) throws {
        guard Distribution.isRoot else { return }  // deepest-mpi: rank 0 alone writes results
        let folder = try stage()
        for (name, text) in files { try AtomicFile.write(text, to: folder.appendingPathComponent(name)) }
    }

    /// Moves the staged files into the result folder (under the interruption lock, so that a signal sees
    /// either the staging folder or the complete result).
    func commit() throws {
        guard let staging else { return }
        try Interruption.shared.commit {
            if !existed {
                try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
                guard rename(staging.path, url.path) == 0 else {
                    throw WriteFailure(description: "cannot write \(url.path): \(String(cString: strerror(errno)))")
                }
                return
            }
            let names = try FileManager.default.contentsOfDirectory(atPath: staging.path)
            for name in names.sorted() {
                guard rename(staging.appendingPathComponent(name).path, url.appendingPathComponent(name).path) == 0 else {
                    throw WriteFailure(description: "cannot write \(url.appendingPathComponent(name).path): \(String(cString: strerror(errno)))")
                }
            }
            try? FileManager.default.removeItem(at: staging)
        }
        self.staging = nil
    }

    /// Removes the staging folder (a failed run).
    func discard() {
        guard let staging else { return }
        try? FileManager.default.removeItem(at: staging)
        Interruption.shared.untrack(staging: staging)
        self.staging = nil
    }
}
