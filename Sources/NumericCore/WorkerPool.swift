@preconcurrency import CGSL
import Dispatch
import Foundation
import Synchronization

/// The threads behind `Parallel.forEach`: one helper per extra core, started on first use, that
/// spins for a short while after each parallel loop before it goes to sleep.
///
/// Why not `DispatchQueue.concurrentPerform`: its workers park after every loop, and waking one
/// costs more than the work of a fine-grained loop. Measured on this package's 2-core machine type
/// (a VM): two items of 250 µs each ran no faster than serially, only items of milliseconds were
/// split, and a semaphore round trip takes about 20 µs. The structured solvers issue loops of
/// 10–500 µs back to back (assembly, the two halves of an elimination, residual control), so a helper
/// that keeps polling for `spinLimit` after a loop picks up the next one within microseconds
/// (measured: two items of 8.5 µs in 10.6 µs, of 85 µs in 87 µs). It polls with `sched_yield`, so it
/// gives its processor to any other runnable thread queued there. Each helper binds itself to an
/// allowed processor other than its creator's (`deepest_bind_after`, within the process's affinity
/// set): placed on the caller's processor, a polling helper only ran when the caller yielded, and a
/// third of the processes ran at single-thread speed (measured on LQ n = 10 collocation; with the
/// binding, 1 slow process in 12).
///
/// One loop at a time: a loop started while the pool is busy (from another thread, or nested inside
/// an item) runs serially on its caller. Items are handed out one by one under a lock; callers write
/// item i's result to slot i, so results never depend on which thread ran which item. On a machine
/// with many cores every helper polls for `spinLimit` after each loop and takes the item lock: cheap
/// for the package's loops of 2 to a few thousand items, but the pool is sized for small machines.
final class WorkerPool: Sendable {
    static let shared = WorkerPool(helpers: max(0, Parallel.workerCount - 1))

    /// How long a helper spins for the next loop before it sleeps (nanoseconds).
    static let spinLimit: UInt64 = 1_000_000

    /// The loop being run: its number, body, item count and the next item to hand out.
    private struct Loop {
        var number = 0
        var body: (@Sendable (Int) -> Void)?
        var count = 0
        var next = 0
    }

    private let helpers: Int
    private let loop = Mutex(Loop())
    /// The number of the latest loop, read by spinning helpers without the lock.
    private let published = Atomic<Int>(0)
    private let completed = Atomic<Int>(0)
    private let busy = Atomic<Bool>(false)
    private let started = Atomic<Bool>(false)
    private let sleepers = Atomic<Int>(0)
    private let wake = DispatchSemaphore(value: 0)

    private init(helpers: Int) { self.helpers = helpers }

    /// Runs `body(i)` for i in 0..<count on the caller and the helpers; returns when all are done.
    func run(_ count: Int, _ body: @Sendable (Int) -> Void) {
        guard helpers > 0, count > 1,
              busy.compareExchange(expected: false, desired: true, ordering: .acquiring).exchanged else {
            for i in 0..<count { body(i) }
            return
        }
        defer { busy.store(false, ordering: .releasing) }
        startHelpersOnce()
        withoutActuallyEscaping(body) { body in
            completed.store(0, ordering: .relaxed)
            let number = loop.withLock { state -> Int in
                state.number += 1
                state.body = body
                state.count = count
                state.next = 0
                return state.number
            }
            published.store(number, ordering: .sequentiallyConsistent)
            let asleep = sleepers.load(ordering: .sequentiallyConsistent)
            for _ in 0..<min(asleep, count - 1) { wake.signal() }
            work(on: number)
            while completed.load(ordering: .acquiring) < count { spinPause() }
            // No helper can take an item of this loop any more: the body may go out of scope.
            loop.withLock { $0.body = nil }
        }
    }

    /// Takes and runs items of loop `number` until none are left.
    private func work(on number: Int) {
        while runNextItem(of: number) { completed.add(1, ordering: .releasing) }
    }

    /// Runs one item of loop `number`; false when none is left. Not inlined: its copy of the body is
    /// released when it returns, before the item is counted as completed (the body may end its
    /// scope as soon as the last item is counted).
    @inline(never)
    private func runNextItem(of number: Int) -> Bool {
        let next = loop.withLock { state -> (Int, @Sendable (Int) -> Void)? in
            guard state.number == number, state.next < state.count, let body = state.body else { return nil }
            state.next += 1
            return (state.next - 1, body)
        }
        guard let (item, body) = next else { return false }
        body(item)
        return true
    }

    private func startHelpersOnce() {
        guard started.compareExchange(expected: false, desired: true, ordering: .acquiringAndReleasing).exchanged else { return }
        let callerProcessor = deepest_current_processor()
        for helper in 0..<helpers {
            let thread = Thread { [self] in
                // Off the caller's processor: placed on it, a helper only runs when the caller yields.
                _ = deepest_bind_after(callerProcessor, Int32(helper + 1))
                helperLoop()
            }
            thread.name = "deepest.worker"
            thread.start()
        }
    }

    private func helperLoop() {
        var seen = published.load(ordering: .acquiring)
        while true {
            var spinStart = DispatchTime.now().uptimeNanoseconds
            while published.load(ordering: .acquiring) == seen {
                spinPause()
                if DispatchTime.now().uptimeNanoseconds - spinStart > Self.spinLimit {
                    sleepers.add(1, ordering: .sequentiallyConsistent)
                    if published.load(ordering: .sequentiallyConsistent) == seen { wake.wait() }
                    sleepers.subtract(1, ordering: .sequentiallyConsistent)
                    spinStart = DispatchTime.now().uptimeNanoseconds
                }
            }
            seen = published.load(ordering: .acquiring)
            work(on: seen)
        }
    }

    /// One round of waiting: gives the processor to any other runnable thread (a spinning helper
    /// placed on the caller's processor must not slow the caller down), else returns at once.
    @inline(__always)
    private func spinPause() {
        sched_yield()
    }
}
