import ArgumentParser
import Foundation
import NumericCore
import Yams

/// A sweep's grid of runs (`deepest sweep --config sweep.yaml`, Notes/checkpoints.md): a command, fixed
/// options and axes, each a list of values of one of the command's options. The points are the
/// Cartesian product of the axes in the file's order, the first axis slowest (row-major), numbered
/// 0..<count: the order and the names do not depend on how many processes run them, so a point list
/// can be split over local jobs or MPI ranks (`points(rank:of:)`) and merged in index order.
///
///     command: escape
///     options: {problem: linear-saddle, paths: 200}
///     axes:
///       temperatures: [0.1, 0.05, 0.02]
///       seed: [1, 2, 3]
///
/// A value is a scalar (`--key value`), a boolean (`true`: the flag `--key`; `false`: left out) or a
/// list (`--key v1 v2 …`, for options that take several values). Every point is parsed by the command
/// before any runs, so an unknown option or a bad value is refused in one line naming the key.
/// Cost: O(points × options) to build and check.
struct SweepPlan {
    /// An option's value in the file.
    enum Value: Equatable, Sendable, CustomStringConvertible {
        case scalar(String)
        case flag(Bool)
        case list([String])

        func arguments(_ key: String) -> [String] {
            switch self {
            case .scalar(let text): return ["--\(key)", text]
            case .flag(let on): return on ? ["--\(key)"] : []
            case .list(let items): return ["--\(key)"] + items
            }
        }

        var description: String {
            switch self {
            case .scalar(let text): return text
            case .flag(let on): return on ? "true" : "false"
            case .list(let items): return items.joined(separator: " ")
            }
        }
    }

    /// One run: its index in the grid, its axis values and the full argument list of `deepest`.
    struct Point: Sendable {
        let index: Int
        let axes: [(String, Value)]
        let arguments: [String]

        /// A stable name from the arguments (not the index, so a grid that grows keeps its files):
        /// point-<16 hex digits of StableHash>.
        var name: String {
            var hash = StableHash()
            for argument in arguments { hash.combine(argument) }
            return "point-\(hash.hex)"
        }
    }

    static let keys = ["command", "options", "axes", "out"]
    /// Options the sweep sets itself or that would make points collide.
    static let reserved = ["format": "the sweep sets --format json", "out": "the sweep writes each point's JSON",
                           "checkpoint": "points are resumed by the sweep", "resume": "points are resumed by the sweep",
                           "help": "not a run"]

    let file: String
    let command: [String]
    let options: [(String, Value)]
    let axes: [(String, [Value])]
    let out: String?
    let points: [Point]

    /// The points rank `rank` of `size` runs: index ≡ rank (mod size).
    func points(rank: Int, of size: Int) -> [Point] {
        points.filter { $0.index % size == rank }
    }

    /// Reads and checks `path`: at most 1 MiB, 10000 values, depth 32 (as `--config` of train);
    /// `maximumPoints` bounds the grid.
    init(path: String, maximumPoints: Int) throws {
        file = path
        let text: String
        let size = ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? NSNumber)?.intValue ?? 0
        guard size <= TrainSettings.maximumConfigBytes else {
            throw CommandFailure("invalid --config = \(path): \(size) bytes, above the limit of \(TrainSettings.maximumConfigBytes)")
        }
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw CommandFailure("invalid --config = \(path): cannot read the file")
        }
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch {
            throw CommandFailure("config file \(path) is not valid YAML: \("\(error)".split(separator: "\n").first ?? "")")
        }
        guard let root, let mapping = root.mapping else { throw CommandFailure("config file \(path) must be a mapping with command, options and axes") }
        var budget = TrainSettings.maximumConfigValues
        try TrainSettings.countValues(root, depth: 0, budget: &budget, path: path)
        for (key, _) in mapping where !Self.keys.contains(key.string ?? "") {
            throw CommandFailure("config file \(path): unknown key '\(key.string ?? "?")'; allowed keys: \(Self.keys.joined(separator: ", "))")
        }
        guard let commandText = mapping["command"]?.string, !commandText.isEmpty else {
            throw CommandFailure("config file \(path): 'command' must name a deepest command (for example command: escape)")
        }
        command = commandText.split(separator: " ").map(String.init)
        let names = CommandRegistry.all.map { $0.configuration.commandName ?? "" }.filter { $0 != "sweep" }
        guard names.contains(command[0]) else {
            throw CommandFailure("invalid command = \(commandText) in \(path): must be one of \(names.sorted().joined(separator: ", "))")
        }
        out = mapping["out"]?.string
        func values(_ section: String) throws -> [(String, Node)] {
            guard let node = mapping[section] else { return [] }
            guard let pairs = node.mapping else { throw CommandFailure("invalid \(section) in \(path): must be a mapping of option names to values") }
            return try pairs.map { key, value in
                guard let name = key.string, !name.isEmpty else { throw CommandFailure("invalid \(section) in \(path): a key is not an option name") }
                let bare = name.hasPrefix("--") ? String(name.dropFirst(2)) : name
                if let reason = Self.reserved[bare] { throw CommandFailure("invalid \(section).\(name) in \(path): \(reason)") }
                return (bare, value)
            }
        }
        func value(_ node: Node, _ key: String) throws -> Value {
            switch node {
            case .scalar(let scalar):
                if scalar.style == .plain, let bool = Bool.construct(from: scalar) { return .flag(bool) }
                return .scalar(scalar.string)
            case .sequence(let items):
                return .list(try items.map { item in
                    guard let text = item.scalar?.string else { throw CommandFailure("invalid \(key) in \(path): a list of lists or mappings") }
                    return text
                })
            default:
                throw CommandFailure("invalid \(key) in \(path): must be a value or a list of values")
            }
        }
        options = try values("options").map { ($0, try value($1, "options.\($0)")) }
        axes = try values("axes").map { name, node in
            guard let items = node.sequence else { throw CommandFailure("invalid axes.\(name) in \(path): must be a list of values") }
            guard !items.isEmpty else { throw CommandFailure("invalid axes.\(name) = []: must list at least one value") }
            return (name, try items.map { try value($0, "axes.\(name)") })
        }
        for (name, _) in axes where options.contains(where: { $0.0 == name }) {
            throw CommandFailure("invalid axes.\(name) in \(path): also set in options")
        }
        var count = 1
        for (_, items) in axes {
            let (product, overflow) = count.multipliedReportingOverflow(by: items.count)
            guard !overflow, product <= maximumPoints else {
                throw CommandFailure("invalid axes in \(path): \(axes.map { String($0.1.count) }.joined(separator: " × ")) points, "
                                     + "above --max-points \(maximumPoints)")
            }
            count = product
        }
        let fixed = options.flatMap { $0.1.arguments($0.0) }
        var built: [Point] = []
        built.reserveCapacity(count)
        for index in 0..<count {
            var rest = index, chosen: [(String, Value)] = []
            for (name, items) in axes.reversed() {
                chosen.append((name, items[rest % items.count]))
                rest /= items.count
            }
            chosen.reverse()
            built.append(Point(index: index, axes: chosen,
                               arguments: command + fixed + chosen.flatMap { $0.1.arguments($0.0) } + ["--format", "json"]))
        }
        points = built
        try check()
    }

    /// Parses every point with the command (options, value types, validation; nothing runs) and names the
    /// offending key of the first that fails.
    func check() throws {
        for point in points {
            do {
                _ = try Deepest.parseAsRoot(point.arguments)
            } catch {
                let message = Deepest.message(for: error).split(separator: "\n").first.map(String.init) ?? "\(error)"
                let keys = options.map { ("options.\($0.0)", $0.0, $0.1) } + point.axes.map { ("axes.\($0.0)", $0.0, $0.1) }
                if let (label, _, value) = keys.first(where: { message.contains("'--\($0.1)'") || message.contains("--\($0.1) ") || message.hasSuffix("--\($0.1)") }) {
                    if message.lowercased().contains("unknown option") {
                        throw CommandFailure("invalid \(label) in \(file): \(command.joined(separator: " ")) has no option --\(label.split(separator: ".").last!)")
                    }
                    throw CommandFailure("invalid \(label) = \(value) in \(file) (point \(point.index)): \(message)")
                }
                throw CommandFailure("invalid point \(point.index) of \(file) (\(point.arguments.joined(separator: " "))): \(message)")
            }
        }
    }
}
