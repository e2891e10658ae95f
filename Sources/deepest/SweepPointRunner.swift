import Dispatch
import Foundation
import Synchronization

/// Runs sweep points as child processes of this `deepest` binary (/proc/self/exe; under `deepest-mpi`
/// the `deepest` beside it) and records each in
/// `<folder>/<point name>.json`, written atomically: `{arguments, axes, exitStatus, index, name, result}`
/// with the command's JSON as `result`. A point counts as done when its file exists with the same
/// arguments and a result (exit status 0, or 3: a numerical failure is a result too). Child processes
/// are tracked by `Interruption`, so SIGINT or SIGTERM to the sweep ends them too (SIGKILL cannot be
/// forwarded: a running point then finishes on its own, and writes nothing, its output going nowhere).
final class SweepPointRunner: Sendable {
    let folder: URL
    let executable: String

    struct Outcome: Sendable {
        let point: SweepPlan.Point
        let succeeded: Bool
        let message: String
    }

    /// The record of a point on disk.
    struct Record: Codable {
        let arguments: [String]
        let axes: [String: String]
        let exitStatus: Int32
        let index: Int
        let name: String
        let result: JSONValue
    }

    init(folder: URL) throws {
        self.folder = folder
        var buffer = [CChar](repeating: 0, count: 4096)
        let length = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        guard length > 0 else { throw WriteFailure(description: "cannot find the deepest executable (/proc/self/exe)") }
        let own = URL(fileURLWithPath: String(decoding: buffer[0..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self))
        // Under deepest-mpi the points run as plain `deepest` processes (its sibling in the build folder):
        // a child of an MPI rank must not start MPI itself.
        if own.lastPathComponent == "deepest-mpi" {
            let sibling = own.deletingLastPathComponent().appendingPathComponent("deepest")
            guard FileManager.default.isExecutableFile(atPath: sibling.path) else {
                throw WriteFailure(description: "deepest-mpi sweep runs its points with deepest, which is not beside it (\(sibling.path))")
            }
            executable = sibling.path
        } else {
            executable = own.path
        }
    }

    func file(_ point: SweepPlan.Point) -> URL { folder.appendingPathComponent(point.name + ".json") }

    /// The point's record, if its file exists, parses and has the point's arguments.
    func record(_ point: SweepPlan.Point) -> Record? {
        guard let data = FileManager.default.contents(atPath: file(point).path),
              let record = try? JSONDecoder().decode(Record.self, from: data), record.arguments == point.arguments else { return nil }
        return record
    }

    func isDone(_ point: SweepPlan.Point) -> Bool { record(point) != nil }

    /// Runs `points`, `jobs` at a time (each job takes the next point in grid order); `progress(done)`
    /// after each. Returns the outcomes in the order of `points`.
    func run(_ points: [SweepPlan.Point], jobs: Int, progress: @escaping @Sendable (Int) -> Void) -> [Outcome] {
        let next = Atomic<Int>(0), finished = Atomic<Int>(0)
        let outcomes = Mutex<[Int: Outcome]>([:])
        let group = DispatchGroup()
        for _ in 0..<min(jobs, points.count) {
            group.enter()
            Thread.detachNewThread {
                defer { group.leave() }
                while true {
                    let i = next.add(1, ordering: .relaxed).oldValue
                    guard i < points.count else { return }
                    let outcome = self.run(points[i])
                    outcomes.withLock { $0[i] = outcome }
                    progress(finished.add(1, ordering: .relaxed).newValue)
                }
            }
        }
        group.wait()
        let all = outcomes.withLock { $0 }
        return points.indices.map { all[$0]! }
    }

    /// Runs one point and writes its record.
    func run(_ point: SweepPlan.Point) -> Outcome {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = point.arguments
        // Not the MPI job's environment (Open MPI's variables would make the child join the job).
        process.environment = ProcessInfo.processInfo.environment.filter { key, _ in
            !(key.hasPrefix("OMPI_") || key.hasPrefix("PMIX_") || key.hasPrefix("PRTE_"))
        }
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardInput = FileHandle.nullDevice
        do {
            try process.run()
        } catch {
            return Outcome(point: point, succeeded: false, message: "cannot start \(executable): \(error.localizedDescription)")
        }
        let pid = process.processIdentifier
        Interruption.shared.track(child: pid)
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        Interruption.shared.untrack(child: pid)
        let status = process.terminationStatus
        guard process.terminationReason == .exit else {
            return Outcome(point: point, succeeded: false, message: "killed by signal \(status)")
        }
        guard status == ExitStatus.success || status == ExitStatus.numericalFailure else {
            return Outcome(point: point, succeeded: false, message: "exit status \(status) (its message is above)")
        }
        guard let result = try? JSONDecoder().decode(JSONValue.self, from: output), case .object = result else {
            return Outcome(point: point, succeeded: false, message: "exit status \(status) without a JSON object on stdout")
        }
        let record = Record(arguments: point.arguments, axes: Dictionary(uniqueKeysWithValues: point.axes.map { ($0.0, $0.1.description) }),
                            exitStatus: status, index: point.index, name: point.name, result: result)
        do {
            try AtomicFile.write(try Output.json(record) + "\n", to: file(point))
        } catch {
            return Outcome(point: point, succeeded: false, message: "\(error)")
        }
        return Outcome(point: point, succeeded: true, message: "")
    }
}
