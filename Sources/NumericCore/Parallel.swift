@preconcurrency import CGSL
import Foundation

/// A raw pointer that may cross into `Parallel.forEach` workers. Safe only when every worker writes
/// a disjoint part of the buffer, which is the contract of every caller in this package.
public struct SharedMutablePointer<Element>: @unchecked Sendable {
    public let base: UnsafeMutablePointer<Element>
    public init(_ base: UnsafeMutablePointer<Element>) { self.base = base }
    @inlinable public subscript(i: Int) -> Element {
        get { base[i] }
        nonmutating set { base[i] = newValue }
    }
}

/// A read-only view of a pinned buffer that may cross into `Parallel.forEach` workers (inputs,
/// weights, targets shared by every worker). Unlike `SharedMutablePointer`, it cannot be written.
public struct SharedPointer<Element>: @unchecked Sendable {
    public let base: UnsafePointer<Element>
    /// `buffer` must have a base address (any non-empty array's buffer has one).
    public init(_ buffer: UnsafeBufferPointer<Element>) {
        base = buffer.baseAddress!
    }
    @inlinable public subscript(i: Int) -> Element { base[i] }
}

/// Parallel loops over independent items (samples, paths, segments) on all cores.
///
/// Results never depend on the number of threads: callers write item i's result to slot i and reduce
/// the slots afterwards in index order. OpenBLAS is switched to one thread the first time a parallel
/// loop runs, so the package's own parallelism and OpenBLAS's do not oversubscribe the cores.
public enum Parallel {
    /// Number of workers the loops use: the environment variable DEEPEST_THREADS when it is an integer
    /// in 1 ... the active processor count (one thread per MPI rank: `DEEPEST_THREADS=1`), else the
    /// active processor count. Read once per process.
    public static var workerCount: Int { configuredWorkers }

    private static let configuredWorkers: Int = {
        let cores = max(1, ProcessInfo.processInfo.activeProcessorCount)
        guard let text = ProcessInfo.processInfo.environment["DEEPEST_THREADS"], let n = Int(text), n >= 1 else { return cores }
        return min(n, cores)
    }()

    private static let singleThreadedBLAS: Bool = {
        openblas_set_num_threads(1)
        return true
    }()

    /// Switches OpenBLAS to one thread (once per process). Called by every NumericCore routine that
    /// reaches BLAS: the package parallelises over samples, paths and segments itself, and OpenBLAS's
    /// own threads on the small blocks of structured solves only spin (measured with perf: ~10% of a
    /// collocation solve in sched_yield).
    @usableFromInline static func useSingleThreadedBLAS() {
        _ = singleThreadedBLAS
    }

    /// Runs `body(i)` for i in 0..<count, concurrently when count > 1 (on `WorkerPool`'s threads, which
    /// pick up a loop within microseconds of its start, so loops of tens of microseconds pay off). A loop
    /// started inside another, or from another thread while the pool runs a loop, runs serially on its
    /// caller.
    public static func forEach(_ count: Int, _ body: @Sendable (Int) -> Void) {
        _ = singleThreadedBLAS
        if count <= 0 { return }
        WorkerPool.shared.run(count, body)
    }

    /// Splits 0..<count into `workerCount` contiguous ranges and runs `body(range)` on each; use when
    /// per-item work is small and a worker should keep its own workspace across items. The ranges
    /// depend on the number of cores, so results must go to per-item slots: a per-range partial sum
    /// would make the result depend on the machine (use `forEach` over fixed blocks for that).
    public static func forEachChunk(_ count: Int, _ body: @Sendable (Range<Int>) -> Void) {
        forEachChunk(in: 0..<count, body)
    }

    /// `forEachChunk` over the items of `items` (a rank's block of paths, `Distribution.block(of:)`).
    public static func forEachChunk(in items: Range<Int>, _ body: @Sendable (Range<Int>) -> Void) {
        let count = items.count, first = items.lowerBound
        let chunks = max(1, min(workerCount, count))
        forEach(chunks) { c in
            let lower = count * c / chunks, upper = count * (c + 1) / chunks
            if lower < upper { body((first + lower)..<(first + upper)) }
        }
    }
}
