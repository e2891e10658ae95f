import Foundation
import Testing
@testable import NumericCore

/// Serialized: the concurrency test empties the cache, which would race the identity test beside it.
@Suite(.serialized) struct FFTWPlanCacheTests {
    @Test func aPlanIsCreatedOnceAndReused() throws {
        let first = try RealTransform(.dstIII, count: 211)
        let second = try RealTransform(.dstIII, count: 211)
        #expect(first.outOfPlace === second.outOfPlace)
        #expect(first.inPlace === second.inPlace)
        #expect(first.inPlace !== first.outOfPlace)
    }

    /// Many tasks at once create plans of assorted kinds and sizes (new sizes force concurrent
    /// planning requests), execute them, and sometimes empty the cache while others still hold plans.
    /// Every result is checked against the O(n²) defining sum.
    @Test func concurrentPlanningAndExecutionGiveCorrectTransforms() throws {
        let tasks = 192
        let kinds = RealTransform.Kind.allCases
        var worst = [Double](repeating: .infinity, count: tasks)
        worst.withUnsafeMutableBufferPointer { slots in
            let out = SharedMutablePointer(slots.baseAddress!)
            Parallel.forEach(tasks) { i in
                let n = 2 + (i * 37) % 97
                let kind = kinds[i % kinds.count]
                if i % 50 == 49 { FFTWPlanCache.removeAll() }
                let stream = RandomStream(seed: 99, index: UInt64(i))
                var x = [Double](repeating: 0, count: n)
                stream.fillGaussian(&x)
                guard let transform = try? RealTransform(kind, count: n) else { return }
                var error = 0.0
                for _ in 0..<3 {
                    let fast = transform(x)
                    let direct = DirectTrigonometricSum.transform(kind, x)
                    let scale = x.reduce(0) { $0 + abs($1) }
                    error = max(error, DirectTrigonometricSum.maxDifference(fast, direct) / scale)
                }
                if let derivative = try? FourierDifferentiation(count: n, period: 1).derivative(of: x.map { _ in 1 }) {
                    error = max(error, derivative.reduce(0) { max($0, abs($1)) })
                }
                out[i] = error
            }
        }
        let maximum = worst.max() ?? .infinity
        #expect(maximum < 1e-12, "worst relative error over \(tasks) concurrent tasks: \(maximum)")
    }
}
