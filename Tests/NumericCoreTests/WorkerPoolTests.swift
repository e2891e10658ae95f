import Dispatch
import Testing
@testable import NumericCore

/// `Parallel.forEach` on the spinning worker pool: every item runs exactly once, whoever starts the
/// loop and however loops nest.
@Suite struct WorkerPoolTests {
    /// Item i adds i + 1 to slot i; after `loops` loops of every size 0…9 each slot holds loops·(i + 1).
    static func runLoops(_ loops: Int) -> Bool {
        var slots = [Int](repeating: 0, count: 10)
        slots.withUnsafeMutableBufferPointer { s in
            let slot = SharedMutablePointer(s.baseAddress!)
            for _ in 0..<loops {
                for size in 0...9 { Parallel.forEach(size) { i in slot[i] += i + 1 } }
            }
        }
        // Slot i is touched by the loops of size > i: 9 − i sizes, `loops` times each.
        return (0..<10).allSatisfy { i in slots[i] == loops * (9 - i) * (i + 1) }
    }

    @Test func everyItemRunsOnce() {
        #expect(Self.runLoops(500))
    }

    /// A loop inside an item runs serially on that item's thread and still covers every item.
    @Test func nestedLoopsComplete() {
        var totals = [Int](repeating: 0, count: 4)
        totals.withUnsafeMutableBufferPointer { t in
            let total = SharedMutablePointer(t.baseAddress!)
            Parallel.forEach(4) { outer in
                var inner = [Int](repeating: 0, count: 8)
                inner.withUnsafeMutableBufferPointer { b in
                    let slot = SharedMutablePointer(b.baseAddress!)
                    Parallel.forEach(8) { i in slot[i] = outer * i }
                }
                total[outer] = inner.reduce(0, +)
            }
        }
        #expect(totals == (0..<4).map { 28 * $0 })
    }

    /// Several threads start loops at once: one gets the pool, the others run serially, all complete.
    @Test func concurrentCallersComplete() {
        var results = [Bool](repeating: false, count: 4)
        results.withUnsafeMutableBufferPointer { r in
            let result = SharedMutablePointer(r.baseAddress!)
            DispatchQueue.concurrentPerform(iterations: 4) { caller in result[caller] = Self.runLoops(100) }
        }
        #expect(results.allSatisfy { $0 })
    }
}
