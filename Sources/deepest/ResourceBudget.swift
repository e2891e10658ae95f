import ArgumentParser
import Foundation

/// `--max-memory` and `--max-work`, shared by every command that allocates in proportion to its options
/// (bvp, sde, spde, train, compare).
struct ResourceOptions: ParsableArguments {
    @Option(name: .customLong("max-memory"),
            help: "Largest memory a run may need, in bytes (suffix K, M, G or T; default: MemAvailable of /proc/meminfo).")
    var maxMemory: String?
    @Option(name: .customLong("max-work"),
            help: "Largest estimated work, in elementary operations (default 1e11, minutes to an hour on one core).")
    var maxWork: String?

    func budget() throws -> ResourceBudget {
        var budget = ResourceBudget()
        if let text = maxMemory {
            guard let bytes = ResourceBudget.parseSize(text), bytes > 0 else {
                throw CommandFailure("invalid --max-memory = \(text): must be a positive number of bytes, optionally with K, M, G or T")
            }
            budget.memoryLimit = bytes
            budget.memorySource = "--max-memory"
        }
        if let text = maxWork {
            guard let work = Double(text), work.isFinite, work >= 1, work < 9e18 else {
                throw CommandFailure("invalid --max-work = \(text): must be a number in [1, 9e18)")
            }
            budget.workLimit = Int(work)
            budget.workSource = "--max-work"
        }
        return budget
    }
}

/// What a run may use: memory (MemAvailable or `--max-memory`) and work (`defaultWorkLimit` elementary
/// operations or `--max-work`). Estimates are products of option values computed with overflow-checked
/// arithmetic (`Size`); a run whose estimate is above a limit, or overflows, is refused before it
/// allocates, in one line naming the options, the estimate and the limit.
struct ResourceBudget {
    /// 10^11 elementary operations (a path step of one component, a multiply-add of a layer): minutes to
    /// an hour on one core. Long but feasible runs fit; larger ones need `--max-work`.
    static let defaultWorkLimit = 100_000_000_000

    var memoryLimit: Int = ResourceBudget.availableMemory() ?? (8 << 30)
    var memorySource = ResourceBudget.availableMemory() == nil ? "assumed 8 GiB" : "MemAvailable"
    var workLimit = ResourceBudget.defaultWorkLimit
    var workSource = "default"

    /// Refuses the run when `bytes` or `work` (nil: the estimate overflowed) is above its limit.
    /// `blame` names the options behind the estimate as the user typed them, e.g. "--paths = 10000".
    func check(bytes: Int?, work: Int?, blame: String) throws {
        switch bytes {
        case nil:
            throw CommandFailure("invalid \(blame): the memory estimate overflows 64 bits, far above the limit of \(Self.bytesText(memoryLimit)) (\(memorySource))")
        case let bytes? where bytes > memoryLimit:
            throw CommandFailure("invalid \(blame): needs about \(Self.bytesText(bytes)) of memory, above the limit of \(Self.bytesText(memoryLimit)) (\(memorySource == "--max-memory" ? "--max-memory" : memorySource + "; raise with --max-memory"))")
        default: break
        }
        switch work {
        case nil:
            throw CommandFailure("invalid \(blame): the work estimate overflows 64 bits, far above the limit of \(Self.countText(workLimit)) operations (\(workSource))")
        case let work? where work > workLimit:
            throw CommandFailure("invalid \(blame): about \(Self.countText(work)) operations, above the limit of \(Self.countText(workLimit)) (\(workSource == "--max-work" ? "--max-work" : workSource + "; raise with --max-work"))")
        default: break
        }
    }

    /// MemAvailable of /proc/meminfo in bytes (nil when it cannot be read).
    static func availableMemory() -> Int? {
        guard let text = try? String(contentsOfFile: "/proc/meminfo", encoding: .utf8) else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix("MemAvailable:") {
            let fields = line.split(separator: " ")
            guard fields.count >= 2, let kib = Int(fields[1]) else { return nil }
            return Size.product(kib, 1024)
        }
        return nil
    }

    /// "123", "1.5G", "512M", "2e9".
    static func parseSize(_ text: String) -> Int? {
        let units: [Character: Double] = ["K": 1024, "M": 1_048_576, "G": 1_073_741_824, "T": 1_099_511_627_776]
        var body = Substring(text.uppercased())
        var scale = 1.0
        if let last = body.last, let unit = units[last] { scale = unit; body = body.dropLast() }
        if body.hasSuffix("B") && scale == 1 { body = body.dropLast() }
        guard let value = Double(body), value.isFinite, value > 0 else { return nil }
        let bytes = value * scale
        guard bytes < 9e18 else { return nil }
        return Int(bytes)
    }

    static func bytesText(_ bytes: Int) -> String {
        let units = ["bytes", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"]
        var value = Double(bytes), unit = 0
        while value >= 1024 && unit < units.count - 1 { value /= 1024; unit += 1 }
        return unit == 0 ? "\(bytes) bytes" : String(format: "%.1f %@", value, units[unit])
    }

    static func countText(_ count: Int) -> String { count < 100_000 ? "\(count)" : String(format: "%.1e", Double(count)) }
}

/// Overflow-checked size arithmetic: nil once any step overflows (or a factor is negative).
enum Size {
    static func product(_ factors: Int?...) -> Int? { product(factors) }

    static func product(_ factors: [Int?]) -> Int? {
        var result = 1
        for factor in factors {
            guard let factor, factor >= 0 else { return nil }
            let (p, overflow) = result.multipliedReportingOverflow(by: factor)
            if overflow { return nil }
            result = p
        }
        return result
    }

    static func sum(_ terms: Int?...) -> Int? {
        var result = 0
        for term in terms {
            guard let term else { return nil }
            let (s, overflow) = result.addingReportingOverflow(term)
            if overflow { return nil }
            result = s
        }
        return result
    }
}
