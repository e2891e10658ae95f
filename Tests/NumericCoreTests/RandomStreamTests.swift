import Foundation
import Testing
@testable import NumericCore

@Suite struct RandomStreamTests {
    @Test(arguments: RandomGenerator.allCases)
    func sameSeedAndIndexGiveTheSameNumbers(generator: RandomGenerator) {
        let a = RandomStream(seed: 42, index: 7, generator: generator)
        let b = RandomStream(seed: 42, index: 7, generator: generator)
        for _ in 0..<1000 { #expect(a.gaussian() == b.gaussian()) }
        let c = RandomStream(seed: 42, index: 8, generator: generator)
        let d = RandomStream(seed: 43, index: 7, generator: generator)
        let x = (0..<8).map { _ in a.uniform() }
        #expect(x != (0..<8).map { _ in c.uniform() })
        #expect(x != (0..<8).map { _ in d.uniform() })
    }

    @Test func streamIsIndependentOfTheThreadThatDrawsIt() {
        // Draw 32 streams sequentially, then concurrently: path k must not depend on scheduling.
        let paths = 32, draws = 500
        var sequential = [Double](repeating: 0, count: paths * draws)
        for k in 0..<paths {
            let s = RandomStream(seed: 2026, index: UInt64(k))
            for j in 0..<draws { sequential[k * draws + j] = s.gaussian() }
        }
        var concurrent = [Double](repeating: 0, count: paths * draws)
        concurrent.withUnsafeMutableBufferPointer { out in
            let base = SharedMutablePointer(out.baseAddress!)
            Parallel.forEach(paths) { k in
                let s = RandomStream(seed: 2026, index: UInt64(k))
                for j in 0..<draws { base[k * draws + j] = s.gaussian() }
            }
        }
        #expect(sequential == concurrent)
    }

    /// Sample moments of N(0,1) against their exact values, with tolerances of ~5 standard errors.
    @Test(arguments: RandomGenerator.allCases)
    func gaussianMomentsMatchTheStandardNormal(generator: RandomGenerator) {
        let n = 400_000
        let stream = RandomStream(seed: 11, index: 3, generator: generator)
        var x = [Double](repeating: 0, count: n)
        stream.fillGaussian(&x)
        let mean = x.reduce(0, +) / Double(n)
        let m2 = x.reduce(0) { $0 + $1 * $1 } / Double(n)
        let m3 = x.reduce(0) { $0 + $1 * $1 * $1 } / Double(n)
        let m4 = x.reduce(0) { $0 + $1 * $1 * $1 * $1 } / Double(n)
        let root = Double(n).squareRoot()
        #expect(abs(mean) < 5 / root, "mean \(mean)")                       // Var = 1
        #expect(abs(m2 - 1) < 5 * 2.0.squareRoot() / root, "E x^2 \(m2)")  // Var = 2
        #expect(abs(m3) < 5 * 15.0.squareRoot() / root, "E x^3 \(m3)")     // Var = 15
        #expect(abs(m4 - 3) < 5 * 96.0.squareRoot() / root, "E x^4 \(m4)") // Var = 105 - 9 = 96
        // Tail mass beyond 3 sigma: 2(1 - Phi(3)) = 0.0026998.
        let tail = Double(x.filter { abs($0) > 3 }.count) / Double(n)
        let p = 0.0026997960632601866
        #expect(abs(tail - p) < 5 * (p * (1 - p) / Double(n)).squareRoot(), "tail \(tail)")
    }

    @Test func uniformMomentsMatchTheUniformLaw() {
        let n = 200_000
        let stream = RandomStream(seed: 5)
        var u = [Double](repeating: 0, count: n)
        stream.fillUniform(&u)
        #expect(u.allSatisfy { $0 > 0 && $0 < 1 })
        let mean = u.reduce(0, +) / Double(n)
        let variance = u.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(n - 1)
        let root = Double(n).squareRoot()
        #expect(abs(mean - 0.5) < 5 * (1.0 / 12).squareRoot() / root)
        #expect(abs(variance - 1.0 / 12) < 5 * (1.0 / 180).squareRoot() / root)  // Var(u^2 term) = 1/180
    }

    /// Neighbouring streams (index k and k+1 of one seed) must be uncorrelated: the sample
    /// correlation of n pairs is ~N(0, 1/n) under independence, so |r| < 4.5/sqrt(n) for every pair.
    @Test func neighbouringStreamsAreUncorrelated() {
        let n = 50_000, streams = 16
        var draws = [[Double]]()
        for k in 0..<streams {
            var x = [Double](repeating: 0, count: n)
            RandomStream(seed: 99, index: UInt64(k)).fillGaussian(&x)
            draws.append(x)
        }
        let bound = 4.5 / Double(n).squareRoot()
        for k in 0..<(streams - 1) {
            let a = draws[k], b = draws[k + 1]
            let ma = a.reduce(0, +) / Double(n), mb = b.reduce(0, +) / Double(n)
            var sab = 0.0, saa = 0.0, sbb = 0.0
            for i in 0..<n {
                sab += (a[i] - ma) * (b[i] - mb); saa += (a[i] - ma) * (a[i] - ma); sbb += (b[i] - mb) * (b[i] - mb)
            }
            let r = sab / (saa * sbb).squareRoot()
            #expect(abs(r) < bound, "streams \(k),\(k + 1): r = \(r)")
            // Lagged cross-correlation (stream k shifted by one draw) catches a stream that is a
            // one-step shift of its neighbour.
            var lag = 0.0
            for i in 0..<(n - 1) { lag += (a[i + 1] - ma) * (b[i] - mb) }
            #expect(abs(lag / (saa * sbb).squareRoot()) < bound, "lagged streams \(k),\(k + 1)")
        }
    }

    @Test func permutationIsAPermutation() {
        let p = RandomStream(seed: 1).permutation(1000)
        #expect(p.sorted() == Array(0..<1000))
        #expect(p != Array(0..<1000))
    }
}
