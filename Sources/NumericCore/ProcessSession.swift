import Synchronization

/// One rank's view of a process group during a run: its collectives, framed so that a failed rank is
/// reported instead of waited for. Every collective is one `allGather` of frames (kind, exit status,
/// payload): data (`exchange`, `gather`), failure (`fail`, the message) or done (`finish`). A rank that
/// sends a failure or a done, or that receives a failure or a mismatched kind, exchanges no more; the
/// others meet its last frame in their next collective. Used from one thread at a time (the main one).
public final class ProcessSession: Sendable {
    public let group: any ProcessGroup
    private let stopped = Mutex(false)

    private enum Kind: UInt8 { case data = 0, failure = 1, done = 2 }

    public init(group: any ProcessGroup) { self.group = group }

    /// This rank's block of `count` items (`Distribution.block(of:rank:size:)`).
    public func block(of count: Int) -> Range<Int> {
        Distribution.block(of: count, rank: group.rank, size: group.size)
    }

    /// Fills the slots of the other ranks' blocks: `slots` holds `count` items of `width` values each,
    /// this rank's block computed; afterwards every rank holds every block, bit for bit as computed.
    /// Cost: count × width × stride bytes received by every rank. Throws `PeerFailure` when another rank
    /// stopped or sent a block of the wrong length, `InvalidArgument` when `slots` does not hold
    /// count × width values; nothing when there is one rank.
    public func gather<T: BitwiseCopyable>(_ slots: inout [T], width: Int, count: Int) throws {
        let g = group
        guard g.size > 1, width > 0, count > 0 else { return }
        let (values, overflow) = count.multipliedReportingOverflow(by: width)
        guard !overflow, slots.count == values else {
            throw InvalidArgument("slots.count", slots.count, "must be count × width = \(count) × \(width)")
        }
        let stride = MemoryLayout<T>.stride * width
        let own = block(of: count)
        let local: [UInt8] = slots.withUnsafeBytes { Array($0[(own.lowerBound * stride)..<(own.upperBound * stride)]) }
        let received = try exchange(local)
        for (r, buffer) in received.enumerated() where r != g.rank {
            guard buffer.count == Distribution.block(of: count, rank: r, size: g.size).count * stride else {
                stop()
                throw PeerFailure(rank: nil, message: "rank \(r) sent \(buffer.count) bytes for its block of \(count) items of "
                                    + "\(stride) bytes: the ranks ran different work", status: 1)
            }
        }
        slots.withUnsafeMutableBytes { bytes in
            for (r, buffer) in received.enumerated() where r != g.rank && !buffer.isEmpty {
                let range = Distribution.block(of: count, rank: r, size: g.size)
                buffer.withUnsafeBytes { source in
                    bytes.baseAddress!.advanced(by: range.lowerBound * stride).copyMemory(from: source.baseAddress!, byteCount: buffer.count)
                }
            }
        }
    }

    /// The framed collective: every rank's `payload` in rank order. Throws `PeerFailure` if another rank
    /// failed (its message) or had finished (the ranks ran different work).
    public func exchange(_ payload: [UInt8]) throws -> [[UInt8]] {
        try collective(.data, status: 0, payload: payload).map { Array($0.dropFirst(5)) }
    }

    /// Tells the other ranks that this one stopped with `message` and exit `status`, at their next
    /// collective. Does nothing when there is one rank or this rank has stopped exchanging.
    public func fail(message: String, status: Int32) {
        _ = try? collective(.failure, status: status, payload: Array(message.utf8))
    }

    /// The last collective of a run that succeeded on this rank: throws `PeerFailure` if another rank failed.
    public func finish() throws {
        _ = try collective(.done, status: 0, payload: [])
    }

    private func stop() { stopped.withLock { $0 = true } }

    private func collective(_ kind: Kind, status: Int32, payload: [UInt8]) throws -> [[UInt8]] {
        let g = group
        guard g.size > 1 else { return [[kind.rawValue, 0, 0, 0, 0] + payload] }
        guard !stopped.withLock({ $0 }) else {
            if kind == .failure { return [] }
            throw PeerFailure(rank: nil, message: "rank \(g.rank) no longer exchanges after a failure", status: 1)
        }
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
            case .data where kind != .data:
                failure = failure ?? PeerFailure(rank: nil, message: "rank \(r) sent results after rank \(g.rank) stopped: "
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
