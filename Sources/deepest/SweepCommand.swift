import ArgumentParser
import Foundation
import NumericCore

/// `deepest sweep --config sweep.yaml [--jobs N] [--out DIR]`: runs every point of a `SweepPlan` as a
/// child process of this same `deepest` binary (`SweepPointRunner`), `--jobs` at a time, writes each
/// point's JSON to `DIR/points/<name>.json` (atomically, with the point's arguments, axis values and exit
/// status beside the command's JSON), skips points whose file exists with the same arguments (a killed
/// sweep resumes), and at the end merges them into `DIR/sweep.csv` (one row per point in grid order:
/// point, name, exitStatus, the axes, then the scalar keys of the command's JSON) and `DIR/sweep.json`.
/// `--shard r/R` runs only the points with index ≡ r (mod R) (`SweepPlan.points(rank:of:)`), for job
/// arrays; the merge covers every point with a record, so a last run without `--shard` (all skipped)
/// merges the shards. Under `mpirun -n P deepest-mpi sweep` rank r runs the points with index ≡ r (mod P)
/// as plain `deepest` processes, the ranks meet, and rank 0 merges and reports (`--shard` is then refused).
/// Exit status 1 when a point failed (no JSON), after the merge of the others.
struct SweepCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sweep",
        abstract: "Run a grid of deepest runs (a command, fixed options and axes from a YAML file); resumable.")

    @Option(help: "YAML file: command, options (fixed), axes (option: [values]), optionally out.")
    var config: String
    @Option(parsing: .unconditional, help: "Points run at once as local processes.")
    var jobs: Int = 1
    @Option(help: "Folder for points/*.json, sweep.csv and sweep.json (default: the file's out key).")
    var out: String?
    @Option(help: "Run only shard r of R (r/R, 0 <= r < R): the points with index = r mod R (Slurm job arrays).")
    var shard: String?
    @Option(name: .customLong("max-points"), parsing: .unconditional, help: "Refuse grids with more points.")
    var maxPoints: Int = 10_000
    @Option(help: "table or json")
    var format: OutputFormat = .table

    struct Summary: Codable {
        let command: String
        let points: Int
        let ran: Int
        let skipped: Int
        let failed: Int
        let out: String
        let csv: String
    }

    func run() throws {
        guard (1...256).contains(jobs) else { throw CommandFailure("invalid --jobs = \(jobs): must be in 1...256") }
        guard maxPoints > 0 else { throw CommandFailure("invalid --max-points = \(maxPoints): must be > 0") }
        var (rank, ranks) = try Self.shard(shard)
        if Distribution.size > 1 {
            guard shard == nil else { throw CommandFailure("invalid --shard = \(shard!): the MPI ranks are the shards under deepest-mpi") }
            (rank, ranks) = (Distribution.rank, Distribution.size)
        }
        let plan = try SweepPlan(path: config, maximumPoints: maxPoints)
        guard let outPath = out ?? plan.out else { throw CommandFailure("invalid --out: a sweep needs --out DIR (or out: in \(config))") }
        _ = try OutputFolder(path: outPath, option: "--out")
        let folder = URL(fileURLWithPath: outPath).standardized
        let pointFolder = folder.appendingPathComponent("points")
        do {
            try FileManager.default.createDirectory(at: pointFolder, withIntermediateDirectories: true)
        } catch {
            throw WriteFailure(description: "cannot create \(pointFolder.path): \(error.localizedDescription)")
        }
        let runner = try SweepPointRunner(folder: pointFolder)
        let mine = plan.points(rank: rank, of: ranks)
        let pending = mine.filter { !runner.isDone($0) }
        let progress = SharedProgress("sweep points", total: mine.count)
        progress.update(mine.count - pending.count)
        let outcomes = runner.run(pending, jobs: jobs) { done in progress.update(mine.count - pending.count + done) }
        var failures = outcomes.filter { !$0.succeeded }
        var (pendingCount, mineCount) = (pending.count, mine.count)
        if Distribution.size > 1 {
            // Every rank's points are done (or failed) before rank 0 merges: the ranks meet, with their counts
            // and failed points.
            let report = RankReport(pending: pending.count, mine: mine.count, failed: failures.map(\.point.index))
            let all = try Distribution.exchange(Array(try JSONEncoder().encode(report)))
            guard Distribution.isRoot else { return }
            let reports = try all.map { try JSONDecoder().decode(RankReport.self, from: Data($0)) }
            pendingCount = reports.reduce(0) { $0 + $1.pending }
            mineCount = reports.reduce(0) { $0 + $1.mine }
            let others = Set(reports.dropFirst().flatMap(\.failed))
            failures += plan.points.filter { others.contains($0.index) }.map {
                SweepPointRunner.Outcome(point: $0, succeeded: false, message: "failed on another rank (its message is above)")
            }
        }
        for failure in failures {
            FileHandle.standardError.write(Data("deepest: sweep point \(failure.point.index) (\(failure.point.arguments.joined(separator: " "))): \(failure.message)\n".utf8))
        }
        let csv = SweepMerge.csv(plan, runner: runner)
        try AtomicFile.write(csv, to: folder.appendingPathComponent("sweep.csv"))
        let summary = Summary(command: plan.command.joined(separator: " "), points: plan.points.count, ran: pendingCount - failures.count,
                              skipped: mineCount - pendingCount, failed: failures.count, out: folder.path,
                              csv: folder.appendingPathComponent("sweep.csv").path)
        try AtomicFile.write(try Output.json(summary) + "\n", to: folder.appendingPathComponent("sweep.json"))
        try Output.emit(summary, format: format) {
            Output.table(["quantity", "value"], [["command", summary.command], ["points", "\(summary.points)"],
                                                 ["this shard", "\(mineCount)"], ["ran", "\(summary.ran)"],
                                                 ["skipped (done before)", "\(summary.skipped)"], ["failed", "\(summary.failed)"],
                                                 ["merged CSV", summary.csv]])
        }
        if !failures.isEmpty {
            throw WriteFailure(description: "\(failures.count) of \(plan.points.count) sweep points failed (the first: point \(failures[0].point.index), "
                               + "\(failures[0].message)); the others are in \(summary.csv)")
        }
    }

    /// What a rank tells rank 0 when its points are done.
    struct RankReport: Codable {
        let pending: Int
        let mine: Int
        let failed: [Int]
    }

    /// "r/R" → (r, R); none → (0, 1).
    static func shard(_ text: String?) throws -> (Int, Int) {
        guard let text else { return (0, 1) }
        let parts = text.split(separator: "/", omittingEmptySubsequences: false).map { Int($0) }
        guard parts.count == 2, let r = parts[0], let count = parts[1], count > 0, (0..<count).contains(r) else {
            throw CommandFailure("invalid --shard = \(text): must be r/R with 0 <= r < R")
        }
        return (r, count)
    }
}
