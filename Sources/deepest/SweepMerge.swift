import Foundation

/// Any JSON value, decoded losslessly enough to merge sweep results (integers stay integers; doubles
/// round-trip, Swift printing the shortest digits that read back to the same bits).
enum JSONValue: Codable, Equatable, Sendable {
    case null
    case bool(Bool)
    case integer(Int)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    init(from decoder: Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() { self = .null }
        else if let value = try? container.decode(Bool.self) { self = .bool(value) }
        else if let value = try? container.decode(Int.self) { self = .integer(value) }
        else if let value = try? container.decode(Double.self) { self = .number(value) }
        else if let value = try? container.decode(String.self) { self = .string(value) }
        else if let value = try? container.decode([JSONValue].self) { self = .array(value) }
        else { self = .object(try container.decode([String: JSONValue].self)) }
    }

    func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .bool(let value): try container.encode(value)
        case .integer(let value): try container.encode(value)
        case .number(let value): try container.encode(value)
        case .string(let value): try container.encode(value)
        case .array(let value): try container.encode(value)
        case .object(let value): try container.encode(value)
        }
    }

    /// The CSV cell of a scalar (nil for arrays and objects).
    var cell: String? {
        switch self {
        case .null: return ""
        case .bool(let value): return value ? "true" : "false"
        case .integer(let value): return String(value)
        case .number(let value): return "\(value)"
        case .string(let value): return value
        case .array, .object: return nil
        }
    }
}

/// The merged CSV of a sweep: one row per point in grid order (points without a record are left out):
/// point, name, exitStatus, the axes in the file's order, then every scalar key of the commands' JSON
/// (sorted; a key named like an axis is left out, the axis column holds it). Cells with a comma, quote
/// or newline are quoted.
enum SweepMerge {
    static func csv(_ plan: SweepPlan, runner: SweepPointRunner) -> String {
        let records = plan.points.compactMap { point in runner.record(point).map { (point, $0) } }
        let axisNames = plan.axes.map(\.0)
        var keys = Set<String>()
        for (_, record) in records {
            if case .object(let fields) = record.result {
                for (key, value) in fields where value.cell != nil && !axisNames.contains(key) { keys.insert(key) }
            }
        }
        let columns = keys.sorted()
        var lines = [(["point", "name", "exitStatus"] + axisNames + columns).map(quote).joined(separator: ",")]
        for (point, record) in records {
            guard case .object(let fields) = record.result else { continue }
            let cells = ["\(point.index)", point.name, "\(record.exitStatus)"] + point.axes.map { $0.1.description }
                + columns.map { fields[$0]?.cell ?? "" }
            lines.append(cells.map(quote).joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    static func quote(_ cell: String) -> String {
        guard cell.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return cell }
        return "\"" + cell.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
