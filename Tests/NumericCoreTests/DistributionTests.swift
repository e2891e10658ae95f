import Foundation
import Synchronization
import Testing
@testable import NumericCore

/// P ranks as threads of one process: `allGather` deposits each buffer and waits until all have.
private final class ThreadRanks: @unchecked Sendable {
    // @unchecked: every stored property is touched only while holding `condition`.
    let size: Int
    private let condition = NSCondition()
    private var buffers: [[UInt8]]
    private var arrived = 0, generation = 0
    private var result: [[UInt8]] = []

    init(size: Int) {
        self.size = size
        buffers = Array(repeating: [], count: size)
    }

    func allGather(rank: Int, _ bytes: [UInt8]) -> [[UInt8]] {
        condition.lock()
        defer { condition.unlock() }
        let mine = generation
        buffers[rank] = bytes
        arrived += 1
        if arrived == size {
            result = buffers
            arrived = 0
            generation += 1
            condition.broadcast()
        } else {
            while generation == mine { condition.wait() }
        }
        return result
    }

    struct Rank: ProcessGroup {
        let ranks: ThreadRanks
        let rank: Int
        var size: Int { ranks.size }
        func allGather(_ bytes: [UInt8]) throws -> [[UInt8]] { ranks.allGather(rank: rank, bytes) }
    }

    /// Runs `body(session)` on every rank in its own thread; returns the results in rank order.
    func run<T: Sendable>(_ body: @escaping @Sendable (ProcessSession) -> T) -> [T] {
        let results = Mutex([T?](repeating: nil, count: size))
        let group = DispatchGroup()
        for r in 0..<size {
            let session = ProcessSession(group: Rank(ranks: self, rank: r))
            group.enter()
            Thread.detachNewThread {
                let value = body(session)
                results.withLock { $0[r] = value }
                group.leave()
            }
        }
        group.wait()
        return results.withLock { $0.map { $0! } }
    }
}

@Suite struct DistributionTests {
    @Test func blocksAreContiguousBalancedAndCoverEveryItem() {
        for size in 1...9 {
            for count in [0, 1, 2, 5, 8, 9, 10, 101, 1000] {
                let blocks = (0..<size).map { Distribution.block(of: count, rank: $0, size: size) }
                #expect(blocks.first?.lowerBound == 0)
                #expect(blocks.last?.upperBound == count)
                for (a, b) in zip(blocks, blocks.dropFirst()) { #expect(a.upperBound == b.lowerBound) }
                #expect(blocks.map(\.count).max()! - blocks.map(\.count).min()! <= 1)
            }
        }
        #expect(Distribution.block(of: Int.max, rank: 2, size: 3).upperBound == Int.max)
    }

    @Test func gatherGivesEveryRankEverySlotBitForBit() {
        let count = 11, width = 3
        let full = (0..<(count * width)).map { Double($0) * 0.1 + 1e-300 * Double($0 % 5) }
        let gathered = ThreadRanks(size: 3).run { session -> [Double] in
            var slots = [Double](repeating: .nan, count: count * width)
            for item in session.block(of: count) { for j in 0..<width { slots[item * width + j] = full[item * width + j] } }
            try! session.gather(&slots, width: width, count: count)
            try! session.finish()
            return slots
        }
        for slots in gathered { #expect(slots.map(\.bitPattern) == full.map(\.bitPattern)) }
    }

    @Test func aFailedRankIsReportedAtTheOthersNextCollective() {
        let outcomes = ThreadRanks(size: 3).run { session -> String in
            if session.group.rank == 1 {
                session.fail(message: "invalid --paths = 0", status: 2)
                return "failed"
            }
            var slots = [UInt8](repeating: 0, count: 6)
            do {
                try session.gather(&slots, width: 1, count: 6)
                return "no error"
            } catch let failure as PeerFailure {
                // No further collective: this rank has stopped exchanging.
                session.fail(message: "ignored", status: 1)
                return "\(failure.rank ?? -1) \(failure.status) \(failure.message)"
            } catch {
                return "\(error)"
            }
        }
        #expect(outcomes == ["1 2 invalid --paths = 0", "failed", "1 2 invalid --paths = 0"])
    }

    @Test func ranksThatRanDifferentWorkAreToldSo() {
        let outcomes = ThreadRanks(size: 2).run { session -> String in
            do {
                if session.group.rank == 0 { _ = try session.exchange([1, 2, 3]) } else { try session.finish() }
                return "no error"
            } catch {
                return "\(error)"
            }
        }
        #expect(outcomes[0].contains("rank 1 finished while rank 0 expected more results"))
        #expect(outcomes[1].contains("the ranks ran different work"))
    }

    @Test func oneRankNeedsNoCollective() throws {
        let session = ProcessSession(group: SerialProcessGroup())
        var slots = [1.0, 2.0]
        try session.gather(&slots, width: 1, count: 2)
        #expect(slots == [1, 2])
        #expect(session.block(of: 7) == 0..<7)
        try session.finish()
    }
}

@Suite struct DistributionMisuseTests {
    @Test func slotsOfTheWrongSizeAreRefusedNotCrashed() {
        let outcomes = ThreadRanksForMisuse.run()
        #expect(outcomes.allSatisfy { $0.contains("slots.count") })
    }
}

/// Two ranks whose slot arrays are one value short: both refuse before any exchange.
private enum ThreadRanksForMisuse {
    static func run() -> [String] {
        ThreadRanks(size: 2).run { session -> String in
            var slots = [Double](repeating: 0, count: 5)
            do {
                try session.gather(&slots, width: 2, count: 3)
                return "no error"
            } catch {
                return "\(error)"
            }
        }
    }
}
