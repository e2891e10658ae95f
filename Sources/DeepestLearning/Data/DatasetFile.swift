import Foundation
import NumericCore

/// A data file that could not be read: the message names the file and, for bad content, the line.
public struct DatasetFileError: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// Reader for the package's CSV data files: an optional header line (its first field is not a
/// number), then one sample per line with the input columns first and `targetColumns` target
/// columns last. Every row must have the same number of fields and every field must be a finite
/// number; otherwise the error names the 1-based line number. Cost O(file size).
public enum DatasetFile {
    /// Parsed numeric rows: `values` row-major, `columns` per row.
    public struct Table: Sendable {
        public let values: [Double]
        public let columns: Int
        public var rows: Int { values.count / max(columns, 1) }
    }

    /// Reads and validates a CSV file.
    public static func table(at url: URL) throws -> Table {
        let text: String
        do {
            text = try String(contentsOf: url, encoding: .utf8)
        } catch {
            throw DatasetFileError("cannot read data file \(url.path): \(error.localizedDescription)")
        }
        return try table(text: text, name: url.lastPathComponent)
    }

    /// Parses CSV text; `name` is used in error messages.
    public static func table(text: String, name: String) throws -> Table {
        var values = [Double]()
        var columns = -1
        var lineNumber = 0
        // "\r\n" is one Character in Swift, so lines are split on every newline character (LF, CRLF, CR).
        for line in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline) {
            lineNumber += 1
            if line.allSatisfy({ $0 == " " || $0 == "\t" }) { continue }
            let fields = line.split(separator: ",", omittingEmptySubsequences: false)
            if columns < 0 && lineNumber == 1,
               Double(fields[0].trimmingCharacters(in: .whitespaces)) == nil,
               !fields[0].lowercased().contains("nan"), !fields[0].lowercased().contains("inf") {
                continue  // header
            }
            if columns < 0 { columns = fields.count }
            guard fields.count == columns else {
                throw DatasetFileError("\(name) line \(lineNumber): \(fields.count) fields, expected \(columns) (ragged row)")
            }
            for (index, field) in fields.enumerated() {
                let trimmed = field.trimmingCharacters(in: .whitespaces)
                guard let value = Double(trimmed), value.isFinite else {
                    throw DatasetFileError("\(name) line \(lineNumber): field \(index + 1) '\(trimmed)' is not a finite number")
                }
                values.append(value)
            }
        }
        guard columns > 0 else { throw DatasetFileError("\(name): no data rows") }
        return Table(values: values, columns: columns)
    }

    /// A classification data set: every column but the last is an input, the last an integer label
    /// in 0..<classes. Inputs are multiplied by `inputScale`.
    public static func classification(_ table: Table, classes: Int, inputScale: Double = 1, name: String) throws -> Dataset {
        let m = table.columns - 1
        guard m >= 1 else { throw DatasetFileError("\(name): needs at least one input column and a label column") }
        var inputs = [Double](), labels = [Int]()
        inputs.reserveCapacity(table.rows * m)
        for r in 0..<table.rows {
            for j in 0..<m { inputs.append(inputScale * table.values[r * table.columns + j]) }
            let raw = table.values[r * table.columns + m]
            guard raw.rounded() == raw, raw >= 0, raw < Double(classes) else {
                throw DatasetFileError("\(name) data row \(r + 1): label \(raw) is not an integer in 0..<\(classes)")
            }
            labels.append(Int(raw))
        }
        return try Dataset(inputs: inputs, inputDimension: m, targets: .classes(labels: labels, count: classes))
    }

    /// A regression data set: the first `columns − targetDimension` columns are inputs, the rest targets.
    public static func regression(_ table: Table, targetDimension: Int = 1, name: String) throws -> Dataset {
        let m = table.columns - targetDimension
        guard m >= 1 else { throw DatasetFileError("\(name): needs at least one input column") }
        var inputs = [Double](), targets = [Double]()
        for r in 0..<table.rows {
            for j in 0..<table.columns {
                let v = table.values[r * table.columns + j]
                if j < m { inputs.append(v) } else { targets.append(v) }
            }
        }
        return try Dataset(inputs: inputs, inputDimension: m, targets: .values(targets, dimension: targetDimension))
    }
}
