import Dispatch
import Foundation
import NumericCore

/// SIGINT and SIGTERM during a run: the staging folders of `OutputFolder` are removed, a child process
/// (the figure script) is killed, and the process exits with 128 + the signal number, so that an
/// interrupted run leaves no partial result and no orphan. The signals are received by a thread of
/// their own in `sigwait` (the main thread is busy with the numerics); the state is guarded by a lock
/// that `commit` also holds while results move into place.
final class Interruption: @unchecked Sendable {
    // @unchecked: every stored property is touched only while holding `lock`.
    static let shared = Interruption()

    private let lock = NSLock()
    private var staging: [URL] = []
    private var children: [pid_t] = []
    /// The tool named in the message (`deepest` or `deepest-mpi`); only rank 0 prints it.
    private var tool = "deepest"
    /// Set once the run has ended (results committed or its error printed): a signal then only ends the
    /// process with this status. `mpirun` sends SIGTERM to the ranks still in MPI_Finalize as soon as one
    /// rank exits with a non-zero status; they must not report an interruption of a finished run.
    private var finishedStatus: Int32?

    /// Installs the handlers (once, at start-up): SIGINT and SIGTERM are blocked in this thread, so every
    /// thread started later (the worker pool's) inherits the mask, and one thread waits for them in
    /// `sigwait`, asleep in the kernel. Threads that existed before (OpenBLAS starts its own when the
    /// library loads) receive them in a handler that forwards them to that thread (`pthread_kill` is
    /// async-signal-safe). (A dispatch signal source instead made the worker pool's full-batch gradients
    /// about 2x slower on two cores.)
    func install(tool: String = "deepest") {
        lock.withLock { self.tool = tool }
        var set = sigset_t()
        sigemptyset(&set)
        sigaddset(&set, SIGINT)
        sigaddset(&set, SIGTERM)
        pthread_sigmask(SIG_BLOCK, &set, nil)
        var thread = pthread_t()
        let started = pthread_create(&thread, nil, { _ in
            var mask = sigset_t(), number: Int32 = 0
            sigemptyset(&mask)
            sigaddset(&mask, SIGINT)
            sigaddset(&mask, SIGTERM)
            while sigwait(&mask, &number) != 0 {}
            Interruption.shared.stop(signal: number)
            return nil
        }, nil)
        guard started == 0 else { return }
        interruptionWaiter = thread
        var action = sigaction()
        action.__sigaction_handler.sa_handler = { number in pthread_kill(interruptionWaiter, number) }
        sigemptyset(&action.sa_mask)
        sigaction(SIGINT, &action, nil)
        sigaction(SIGTERM, &action, nil)
    }

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

    /// The run has ended with `status` (see `finishedStatus`).
    func finished(status: Int32) { lock.withLock { finishedStatus = status } }

    fileprivate func stop(signal number: Int32) {
        lock.lock()  // never released: the process ends here
        if let finishedStatus { _exit(finishedStatus) }
        for child in children { kill(child, SIGKILL) }
        if !children.isEmpty { usleep(100_000) }  // the child's last writes into the staging folder
        for folder in staging { try? FileManager.default.removeItem(at: folder) }
        let name = number == SIGINT ? "SIGINT" : "SIGTERM"
        let removed = staging.isEmpty ? "" : "; partial results removed"
        if Distribution.isRoot { FileHandle.standardError.write(Data("\(tool): interrupted by \(name)\(removed)\n".utf8)) }
        _exit(128 + number)
    }
}

/// The thread that waits for SIGINT and SIGTERM (`Interruption.install`), for the forwarding handler:
/// written once before the handler is installed, read only by it.
nonisolated(unsafe) private var interruptionWaiter = pthread_t()
