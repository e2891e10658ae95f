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
    private struct State: Sendable {
        var group: any ProcessGroup = SerialProcessGroup()
        var stopped = false
    }
    private static let state = Mutex(State())

    private enum Kind: UInt8 { case data = 0, failure = 1, done = 2 }

    /// Makes `group` the process group of this run; call once, before any work.
    public static func install(_ group: any ProcessGroup) {
        state.withLock { $0 = State(group: group, stopped: false) }
    }

    public static var group: any ProcessGroup { state.withLock { $0.group } }
    public static var rank: Int { group.rank }
    public static var size: Int { group.size }
    /// Rank 0: the only rank that prints and writes result files.
    public static var isRoot: Bool { group.rank == 0 }

    /// This rank's block of `count` items.
    public static func block(of count: Int) -> Range<Int> {
        let g = group
        return block(of: count, rank: g.rank, size: g.size)
    }

    /// Rank `rank`'s block of `count` items among `size` ranks: ⌊count/size⌋ items, one more for the
    /// first count mod size ranks, in rank order (no overflow for any count).
    public static func block(of count: Int, rank: Int, size: Int) -> Range<Int> {
        guard count > 0, size > 0 else { return 0..<0 }
        let quotient = count / size, remainder = count % size
        let lower = quotient * rank + min(rank, remainder)
        return lower..<(lower + quotient + (rank < remainder ? 1 : 0))
    }

    /// Fills the slots of the other ranks' blocks: `slots` holds `count` items of `width` values each,
    /// this rank's block computed; afterwards every rank holds every block, bit for bit as computed.
    /// Cost: count × width × stride bytes received by every rank. Throws `PeerFailure` when another rank
    /// stopped or sent a block of the wrong length; nothing when there is one rank.
    public static func gather<T: BitwiseCopyable>(_ slots: inout [T], width: Int, count: Int) throws {
        let g = group
        guard g.size > 1, width > 0, count > 0 else { return }
        precondition(slots.count == count * width, "gather: slots must hold count × width values")
        let stride = MemoryLayout<T>.stride * width
        let own = block(of: count, rank: g.rank, size: g.size)
        let local: [UInt8] = slots.withUnsafeBytes { Array($0[(own.lowerBound * stride)..<(own.upperBound * stride)]) }
        let received = try exchange(local)
        try slots.withUnsafeMutableBytes { bytes in
            for (r, buffer) in received.enumerated() where r != g.rank {
                let range = block(of: count, rank: r, size: g.size)
                guard buffer.count == range.count * stride else {
                    stop()
                    throw PeerFailure(rank: nil, message: "rank \(r) sent \(buffer.count) bytes for \(range.count) items of "
                                        + "\(stride) bytes: the ranks ran different work", status: 1)
                }
                buffer.withUnsafeBytes { source in
                    bytes.baseAddress!.advanced(by: range.lowerBound * stride).copyMemory(from: source.baseAddress!, byteCount: buffer.count)
                }
            }
        }
    }

    /// The framed collective: every rank's `payload` in rank order. Throws `PeerFailure` if another rank
    /// failed (its message) or had finished (the ranks ran different work).
    public static func exchange(_ payload: [UInt8]) throws -> [[UInt8]] {
        let frames = try collective(.data, status: 0, payload: payload)
        return frames.map { Array($0.dropFirst(5)) }
    }

    /// Tells the other ranks that this one stopped with `message` and exit `status`, at their next
    /// collective. Does nothing when there is one rank or this rank has stopped exchanging.
    public static func fail(message: String, status: Int32) {
        _ = try? collective(.failure, status: status, payload: Array(message.utf8))
    }

    /// The last collective of a run that succeeded on this rank: throws `PeerFailure` if another rank failed.
    public static func finish() throws {
        _ = try collective(.done, status: 0, payload: [])
    }

    private static func stop() { state.withLock { $0.stopped = true } }

    private static func collective(_ kind: Kind, status: Int32, payload: [UInt8]) throws -> [[UInt8]] {
        let (g, stopped) = state.withLock { ($0.group, $0.stopped) }
        guard g.size > 1 else { return [[kind.rawValue, 0, 0, 0, 0] + payload] }
        guard !stopped else { throw PeerFailure(rank: nil, message: "this rank no longer exchanges after a failure", status: 1) }
        if kind != .data { stop() }
        var frame = [kind.rawValue]
        withUnsafeBytes(of: status.littleEndian) { frame.append(contentsOf: $0) }
        frame.append(contentsOf: payload)
        let frames: [[UInt8]]
        do {
            frames = try g.allGather(frame)
        } catch {
            stop()
            throw error
        }
        var failure: PeerFailure?
        for (r, received) in frames.enumerated() where r != g.rank {
            guard received.count >= 5, let theirs = Kind(rawValue: received[0]) else {
                failure = failure ?? PeerFailure(rank: r, message: "sent a malformed frame", status: 1)
                continue
            }
            let code = received[1...4].reversed().reduce(Int32(0)) { $0 << 8 | Int32($1) }
            switch theirs {
            case .failure:
                if failure?.rank == nil {  // a rank's own failure before a disagreement
                    failure = PeerFailure(rank: r, message: String(decoding: received.dropFirst(5), as: UTF8.self), status: code)
                }
            case .done where kind == .data:
                failure = failure ?? PeerFailure(rank: nil, message: "rank \(r) finished while rank \(g.rank) expected more results: "
                                                 + "the ranks ran different work", status: 1)
            case .data where kind == .done:
                failure = failure ?? PeerFailure(rank: nil, message: "rank \(r) sent results after rank \(g.rank) finished: "
                                                 + "the ranks ran different work", status: 1)
            default: break
            }
        }
        if let failure {
            stop()
            throw failure
        }
        return frames
    }
}
