import Foundation

/// How a resumable run checkpoints (Notes/checkpoints.md): into `directory` (one file per run, named by
/// the run: `<prefix><name>.ckpt`), every `interval`, continuing from an existing checkpoint when
/// `resume` is set (without it an existing checkpoint is replaced). `configuration` is the caller's
/// canonical text of what the run's closures cannot tell (the problem behind them, the command's
/// options); the run adds its own sizes and seed to the fingerprint.
public struct CheckpointPolicy: Sendable {
    /// Every `steps` units of progress (paths of an ensemble, steps of a flow) or every `seconds` of
    /// wall time (then an ensemble works in blocks of 16 paths per worker and checkpoints after the
    /// first block that ends past the interval).
    public enum Interval: Sendable, Equatable {
        case steps(Int)
        case seconds(Double)
    }

    public let directory: URL
    public let interval: Interval
    public let resume: Bool
    public let configuration: String
    /// Prepended to the run's file name (a pipeline names its stages' checkpoints `stage-<i>-`).
    public var prefix: String = ""
    /// Test hook: called after every checkpoint written with its count (1, 2, …); returning false stops
    /// the run with `CheckpointError.halted`, as a kill would (with the checkpoint on disk).
    public var afterWrite: (@Sendable (Int) -> Bool)?

    /// Throws `InvalidArgument` for a non-positive interval.
    public init(directory: URL, interval: Interval, resume: Bool, configuration: String = "") throws {
        switch interval {
        case .steps(let k): try Validate.positive(k, "checkpoint-every")
        case .seconds(let s):
            guard s.isFinite, s >= 0 else { throw InvalidArgument("checkpoint-every", s, "must be a finite number of seconds >= 0") }
        }
        self.directory = directory
        self.interval = interval
        self.resume = resume
        self.configuration = configuration
    }

    /// The file of the run `name`.
    public func file(_ name: String) -> URL { directory.appendingPathComponent("\(prefix)\(name).ckpt") }

    /// This policy for a part of a larger run (a pipeline's stage): `prefix` appended.
    public func part(_ name: String) -> CheckpointPolicy {
        var copy = self
        copy.prefix += name
        return copy
    }

    /// The existing checkpoint of run `name` when resuming (nil when there is none or `resume` is off),
    /// refused unless it matches `kind` and `fingerprint`.
    public func restore(_ name: String, kind: String, fingerprint: CheckpointFingerprint) throws -> Checkpoint? {
        guard resume else { return nil }
        return try Checkpoint.read(from: file(name), kind: kind, fingerprint: fingerprint)
    }
}

/// Decides when a running loop writes its next checkpoint and writes it (with the test hook): one per
/// run, on the thread that drives the loop.
public final class CheckpointSchedule {
    public let policy: CheckpointPolicy
    public let file: URL
    private var lastProgress: Int
    private var lastTime = Date()
    private var written = 0

    /// `progress` is where the run starts (0, or the restored count).
    public init(_ policy: CheckpointPolicy, name: String, progress: Int) {
        self.policy = policy
        file = policy.file(name)
        lastProgress = progress
    }

    /// Whether a checkpoint is due at `progress` units done.
    public func isDue(at progress: Int) -> Bool {
        switch policy.interval {
        case .steps(let k): return progress - lastProgress >= k
        case .seconds(let s): return Date().timeIntervalSince(lastTime) >= s
        }
    }

    /// Writes `checkpoint()` (built only now) and runs the test hook; creates the folder on first use
    /// and removes the temporary files of earlier processes that were killed while writing this file.
    public func write(at progress: Int, _ checkpoint: () -> Checkpoint) throws {
        if written == 0 {
            do {
                try FileManager.default.createDirectory(at: policy.directory, withIntermediateDirectories: true)
            } catch {
                throw CheckpointError.unwritable(file, error.localizedDescription)
            }
            let stale = ".\(file.lastPathComponent)."
            for name in (try? FileManager.default.contentsOfDirectory(atPath: policy.directory.path)) ?? []
            where name.hasPrefix(stale) && name.hasSuffix(".tmp") {
                try? FileManager.default.removeItem(at: policy.directory.appendingPathComponent(name))
            }
        }
        try checkpoint().write(to: file)
        written += 1
        lastProgress = progress
        lastTime = Date()
        if let hook = policy.afterWrite, !hook(written) { throw CheckpointError.halted(written) }
    }
}
