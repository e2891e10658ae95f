import Dispatch
import Foundation

/// SIGINT and SIGTERM during a run: the staging folders of `OutputFolder` are removed, a child process
/// (the figure script) is killed, and the process exits with 128 + the signal number, so that an
/// interrupted run leaves no partial result and no orphan. The signals are received by dispatch sources
/// on their own queue (the main thread is busy with the numerics); the state is guarded by a lock that
/// `commit` also holds while results move into place.
final class Interruption: @unchecked Sendable {
    // @unchecked: every stored property is touched only while holding `lock`.
    static let shared = Interruption()

    private let lock = NSLock()
    private var staging: [URL] = []
    private var children: [pid_t] = []
    private var sources: [DispatchSourceSignal] = []
    private let queue = DispatchQueue(label: "deepest.signals")

    /// Installs the handlers (once, at start-up).
    func install() {
        for number in [SIGINT, SIGTERM] {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: queue)
            source.setEventHandler { [unowned self] in self.stop(signal: number) }
            source.resume()
            sources.append(source)
        }
    }

    /// Creates a staging folder and tracks it, under the lock (a signal sees both or neither).
    func create(staging folder: URL) throws {
        try lock.withLock {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            staging.append(folder)
        }
    }

    /// Runs `body` (writing one result file) with signals held off, so that a signal never races a
    /// write while it removes the staging folders.
    func guarded<T>(_ body: () throws -> T) rethrows -> T {
        lock.lock()
        defer { lock.unlock() }
        return try body()
    }

    func untrack(staging folder: URL) { lock.withLock { staging.removeAll { $0 == folder } } }
    func track(child: pid_t) { lock.withLock { children.append(child) } }
    func untrack(child: pid_t) { lock.withLock { children.removeAll { $0 == child } } }

    /// Runs `body` (moving results into place) with signals held off.
    func commit(_ body: () throws -> Void) throws {
        lock.lock()
        defer { lock.unlock() }
        try body()
        staging.removeAll()
    }

    private func stop(signal number: Int32) {
        lock.lock()  // never released: the process ends here
        for child in children { kill(child, SIGKILL) }
        if !children.isEmpty { usleep(100_000) }  // the child's last writes into the staging folder
        for folder in staging { try? FileManager.default.removeItem(at: folder) }
        let name = number == SIGINT ? "SIGINT" : "SIGTERM"
        let removed = staging.isEmpty ? "" : "; partial results removed"
        FileHandle.standardError.write(Data("deepest: interrupted by \(name)\(removed)\n".utf8))
        _exit(128 + number)
    }
}
