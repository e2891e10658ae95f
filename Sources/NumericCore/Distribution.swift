import Synchronization

/// The process group of this run and the fixed blocks of work it splits (Notes/mpi-shards.md).
///
/// Item i of n (a path, a level's path) belongs to the rank whose block `block(of: n, rank:, size:)`
/// contains it: contiguous blocks, the first n mod P of them one item longer. A distributed loop computes
/// its own block into the per-item slots of a full-size array and calls `gather`, which fills in the other
/// ranks' blocks byte for byte; the reduction that follows (in index order, as in a one-process run) then
/// sees exactly the slots of a one-process run, so its result is bitwise the same for any rank and thread
/// count. With the default `SerialProcessGroup` the block is 0 ..< n and `gather` does nothing.
///
/// Every collective goes through `exchange`, which frames each rank's buffer with a kind (data, failure,
/// done): a rank that fails calls `fail` once, which meets the others' next collective, and they throw
/// `PeerFailure` instead of waiting for it forever. After a failure is seen or sent a rank exchanges no more.
public enum Distribution {
    private static let current = Mutex(ProcessSession(group: SerialProcessGroup()))

    /// Makes `group` the process group of this run; call once, before any work.
    public static func install(_ group: any ProcessGroup) {
        current.withLock { $0 = ProcessSession(group: group) }
    }

    /// The session of this run (a serial one unless `install` was called).
    public static var session: ProcessSession { current.withLock { $0 } }
    public static var rank: Int { session.group.rank }
    public static var size: Int { session.group.size }
    /// Rank 0: the only rank that prints and writes result files.
    public static var isRoot: Bool { session.group.rank == 0 }

    /// This rank's block of `count` items (`ProcessSession.block(of:)`).
    public static func block(of count: Int) -> Range<Int> { session.block(of: count) }

    /// Rank `rank`'s block of `count` items among `size` ranks: ⌊count/size⌋ items, one more for the
    /// first count mod size ranks, in rank order (no overflow for any count).
    public static func block(of count: Int, rank: Int, size: Int) -> Range<Int> {
        guard count > 0, size > 0, rank >= 0, rank < size else { return 0..<0 }
        let quotient = count / size, remainder = count % size
        let lower = quotient * rank + min(rank, remainder)
        return lower..<(lower + quotient + (rank < remainder ? 1 : 0))
    }

    /// `ProcessSession.gather` on this run's session.
    public static func gather<T: BitwiseCopyable>(_ slots: inout [T], width: Int, count: Int) throws {
        try session.gather(&slots, width: width, count: count)
    }

    /// `ProcessSession.exchange` on this run's session.
    public static func exchange(_ payload: [UInt8]) throws -> [[UInt8]] { try session.exchange(payload) }

    /// `ProcessSession.fail` on this run's session.
    public static func fail(message: String, status: Int32) { session.fail(message: message, status: status) }

    /// `ProcessSession.finish` on this run's session.
    public static func finish() throws { try session.finish() }
}
