import Foundation

/// A `ProgressReporter` that worker threads may update: calls are serialised by a lock.
final class SharedProgress: @unchecked Sendable {
    // @unchecked: the reporter is only touched while holding `lock`.
    private let lock = NSLock()
    private let reporter: ProgressReporter

    init(_ label: String, total: Int) { reporter = ProgressReporter(label, total: total) }

    func update(_ done: Int) {
        lock.lock()
        reporter.update(done)
        lock.unlock()
    }
}
