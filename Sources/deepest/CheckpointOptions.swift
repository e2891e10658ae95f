import ArgumentParser
import Foundation
import NumericCore

/// `--checkpoint DIR`, `--checkpoint-every K|Ns` and `--resume` of the long runs (`spde`, `anneal`,
/// `train` with a Langevin stage or a continuum rung ladder): the library's `CheckpointPolicy`
/// (Notes/checkpoints.md). The checkpoint's configuration is the command line without the options that
/// cannot change a result bit (these, `--format`, `--out`, `--no-figures`, `--measure-transforms`,
/// `--max-memory`, `--max-work`), in any order, so a resume must repeat the run's other options and
/// values; a checkpoint of another configuration, seed or package version is refused in one line (exit 2).
struct CheckpointOptions: ParsableArguments {
    @Option(help: "Folder for checkpoints (written atomically every --checkpoint-every; kept after the run).")
    var checkpoint: String?
    @Option(name: .customLong("checkpoint-every"),
            help: "With --checkpoint: every K paths (spde), steps (langevin) or rungs (ladders), or every N seconds written Ns (default 60s).")
    var checkpointEvery: String?
    @Flag(help: "With --checkpoint: continue from the checkpoint there (none yet: start from the beginning).")
    var resume = false
    /// Test hook (Tests/cli/test_resume_cli.py): sleep this many seconds after each checkpoint.
    @Option(name: .customLong("checkpoint-pause"), parsing: .unconditional, help: .hidden)
    var checkpointPause: Double?

    /// Options left out of the checkpoint's configuration: (name, takes a value).
    static let ignored: [(String, Bool)] = [("--checkpoint", true), ("--checkpoint-every", true), ("--checkpoint-pause", true),
                                            ("--resume", false), ("--format", true), ("--out", true), ("--no-figures", false),
                                            ("--figures", false), ("--measure-transforms", false), ("--max-memory", true),
                                            ("--max-work", true)]

    /// The command line as the checkpoint's configuration: `ignored` options dropped, `--key=value` split,
    /// and the options (each with the values after it) sorted, so that their order does not matter.
    static func configuration(_ arguments: [String] = Array(CommandLine.arguments.dropFirst())) -> String {
        var tokens: [String] = []
        for argument in arguments {
            if argument.hasPrefix("--"), let equals = argument.firstIndex(of: "=") {
                tokens += [String(argument[..<equals]), String(argument[argument.index(after: equals)...])]
            } else {
                tokens.append(argument)
            }
        }
        var head: [String] = [], groups: [[String]] = [], skipNext = false
        for token in tokens {
            if skipNext { skipNext = false; continue }
            if token.hasPrefix("--") {
                if let (_, takesValue) = ignored.first(where: { $0.0 == token }) {
                    skipNext = takesValue
                    groups.append([])  // values of an ignored option (none follow a flag) go nowhere
                    continue
                }
                groups.append([token])
            } else if groups.isEmpty {
                head.append(token)
            } else if !groups[groups.count - 1].isEmpty {
                groups[groups.count - 1].append(token)
            }
        }
        let sorted = groups.filter { !$0.isEmpty }.map { $0.joined(separator: "\u{1F}") }.sorted()
        return "deepest " + (head + sorted).joined(separator: "\u{1E}")
    }

    /// nil without --checkpoint; refuses the other options without it and bad values, in one line.
    /// `supported` is nil when the run can checkpoint, else why not (then --checkpoint is refused).
    func policy(unsupported: String? = nil) throws -> CheckpointPolicy? {
        guard let checkpoint else {
            if resume { throw CommandFailure("invalid --resume: needs --checkpoint DIR") }
            if let checkpointEvery { throw CommandFailure("invalid --checkpoint-every = \(checkpointEvery): needs --checkpoint DIR") }
            return nil
        }
        if let unsupported { throw CommandFailure("invalid --checkpoint = \(checkpoint): \(unsupported)") }
        _ = try OutputFolder(path: checkpoint, option: "--checkpoint")  // checked, created at the first checkpoint
        let interval = try Self.interval(checkpointEvery ?? "60s")
        var policy: CheckpointPolicy
        do {
            policy = try CheckpointPolicy(directory: URL(fileURLWithPath: checkpoint).standardized, interval: interval, resume: resume,
                                          configuration: Self.configuration())
        } catch let error as InvalidArgument {
            throw CommandFailure("invalid --checkpoint-every = \(checkpointEvery ?? "60s"): \(error.requirement)")
        }
        if let pause = checkpointPause {
            guard pause.isFinite, pause >= 0, pause <= 60 else { throw CommandFailure("invalid --checkpoint-pause = \(pause): must be in [0, 60]") }
            policy.afterWrite = { _ in
                usleep(UInt32(pause * 1e6))
                return true
            }
        }
        return policy
    }

    /// "K" (a positive step count) or "Ns" (seconds >= 0).
    static func interval(_ text: String) throws -> CheckpointPolicy.Interval {
        if text.hasSuffix("s"), let seconds = Double(text.dropLast()), seconds.isFinite, seconds >= 0 { return .seconds(seconds) }
        if let steps = Int(text), steps > 0 { return .steps(steps) }
        throw CommandFailure("invalid --checkpoint-every = \(text): must be a step count K > 0 or seconds such as 30s")
    }
}
