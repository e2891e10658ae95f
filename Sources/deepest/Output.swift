import ArgumentParser
import Foundation

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

/// Writes a result file atomically: into a temporary file beside the target, then renamed, so a failed
/// or interrupted run never leaves a partial result.
enum AtomicFile {
    static func write(_ data: Data, to url: URL) throws {
        let directory = url.deletingLastPathComponent()
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let temporary = directory.appendingPathComponent(".\(url.lastPathComponent).\(getpid()).tmp")
        try data.write(to: temporary)
        // rename(2) replaces an existing target atomically. (Foundation's replaceItemAt on Linux removed
        // an existing target and then failed to move the new file, losing both.)
        guard rename(temporary.path, url.path) == 0 else {
            let reason = String(cString: strerror(errno))
            try? FileManager.default.removeItem(at: temporary)
            throw CommandFailure("cannot write \(url.path): \(reason)")
        }
    }

    static func write(_ text: String, to url: URL) throws {
        try write(Data(text.utf8), to: url)
    }
}

/// A failure reported to the user as one line and a non-zero exit.
struct CommandFailure: Error, CustomStringConvertible {
    let description: String
    init(_ message: String) { description = message }
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

/// A result folder given by an option (`--out`): checked before any work (it must be a folder or
/// creatable as one, and writable), then written file by file through `AtomicFile`.
struct OutputFolder {
    let url: URL

    init(path: String, option: String) throws {
        url = URL(fileURLWithPath: path)
        var isDirectory: ObjCBool = false
        let manager = FileManager.default
        if manager.fileExists(atPath: path, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else { throw CommandFailure("invalid \(option) = \(path): exists and is not a folder") }
        } else {
            do {
                try manager.createDirectory(at: url, withIntermediateDirectories: true)
            } catch {
                throw CommandFailure("invalid \(option) = \(path): cannot create the folder")
            }
        }
        guard access(path, W_OK) == 0 else { throw CommandFailure("invalid \(option) = \(path): the folder is not writable") }
    }

    /// Writes each (name, text) in order.
    func write(_ files: [(String, String)]) throws {
        for (name, text) in files { try AtomicFile.write(text, to: url.appendingPathComponent(name)) }
    }
}
