import Foundation
import Testing
@testable import NumericCore

@Suite struct XoshiroRandomStreamTests {
    @Test func aStreamIsAFunctionOfSeedAndIndex() {
        var a = XoshiroRandomStream(seed: 42, index: 7), b = XoshiroRandomStream(seed: 42, index: 7)
        var c = XoshiroRandomStream(seed: 42, index: 8), d = XoshiroRandomStream(seed: 43, index: 7)
        let x = (0..<100).map { _ in a.gaussian() }
        #expect(x == (0..<100).map { _ in b.gaussian() })
        #expect(x != (0..<100).map { _ in c.gaussian() })
        #expect(x != (0..<100).map { _ in d.gaussian() })
    }

    /// The ziggurat's layers tile the area under exp(−x²/2): the table ends at x = 0 with f = 1.
    @Test func zigguratTableIsConsistent() {
        let t = ZigguratTable.standard
        #expect(t.x[1] == ZigguratTable.tailStart)
        for i in 1..<256 { #expect(t.x[i + 1] < t.x[i]) }
        // The last computed layer must meet the top: f(x_255) + v/x_255 ≈ 1.
        let top = t.f[255] + 4.92867323399e-3 / t.x[255]
        #expect(abs(top - 1) < 1e-6, "top of the ziggurat: \(top)")
    }

    /// Moments of N(0, 1) and the tail masses P(|Z| > 2), P(|Z| > 3.5) (the latter exercises the
    /// ziggurat's tail sampler beyond r ≈ 3.65 and the top wedges), all within 5 standard errors.
    @Test func gaussianMomentsAndTailsMatchTheStandardNormal() {
        var stream = XoshiroRandomStream(seed: 2026, index: 1)
        let n = 2_000_000
        var s1 = 0.0, s2 = 0.0, s3 = 0.0, s4 = 0.0, beyond2 = 0, beyond35 = 0, beyond4 = 0
        for _ in 0..<n {
            let z = stream.gaussian()
            let z2 = z * z
            s1 += z; s2 += z2; s3 += z2 * z; s4 += z2 * z2
            if abs(z) > 2 { beyond2 += 1 }
            if abs(z) > 3.5 { beyond35 += 1 }
            if abs(z) > 4 { beyond4 += 1 }
        }
        let m = Double(n)
        #expect(abs(s1 / m) < 5 * (1 / m).squareRoot())
        #expect(abs(s2 / m - 1) < 5 * (2 / m).squareRoot())
        #expect(abs(s3 / m) < 5 * (15 / m).squareRoot())
        #expect(abs(s4 / m - 3) < 5 * (96 / m).squareRoot())
        for (count, p) in [(beyond2, erfc(2 / 2.0.squareRoot())), (beyond35, erfc(3.5 / 2.0.squareRoot())),
                           (beyond4, erfc(4 / 2.0.squareRoot()))] {
            let observed = Double(count) / m
            #expect(abs(observed - p) < 5 * (p * (1 - p) / m).squareRoot(), "tail mass \(observed) vs \(p)")
        }
    }

    /// Neighbouring streams are uncorrelated (also at lag one).
    @Test func neighbouringStreamsAreUncorrelated() {
        let n = 100_000
        for k in 0..<4 {
            var a = XoshiroRandomStream(seed: 1, index: UInt64(k)), b = XoshiroRandomStream(seed: 1, index: UInt64(k + 1))
            let x = (0..<n).map { _ in a.gaussian() }, y = (0..<n).map { _ in b.gaussian() }
            var r0 = 0.0, r1 = 0.0
            for i in 0..<(n - 1) { r0 += x[i] * y[i]; r1 += x[i + 1] * y[i] }
            #expect(abs(r0 / Double(n)) < 4.5 / Double(n).squareRoot())
            #expect(abs(r1 / Double(n)) < 4.5 / Double(n).squareRoot())
        }
    }

    @Test func uniformIsInTheOpenUnitInterval() {
        var s = XoshiroRandomStream(seed: 3)
        var sum = 0.0
        for _ in 0..<100_000 {
            let u = s.uniform()
            #expect(u > 0 && u < 1)
            sum += u
        }
        #expect(abs(sum / 100_000 - 0.5) < 5 * (1.0 / 12 / 100_000).squareRoot())
    }
}

@Suite struct XoshiroBulkFillTests {
    /// The register-resident bulk fill draws exactly the variates of repeated gaussian() calls
    /// (including the tail and wedge rejections), so a path is the same however it is drawn.
    @Test func bulkFillEqualsRepeatedSingleDraws() {
        var single = XoshiroRandomStream(seed: 17, index: 4), bulk = XoshiroRandomStream(seed: 17, index: 4)
        let n = 200_000
        let expected = (0..<n).map { _ in 0.5 * single.gaussian() }
        var filled = [Double](repeating: 0, count: n)
        bulk.fillGaussian(&filled, standardDeviation: 0.5)
        #expect(filled == expected)
        #expect(single.next() == bulk.next())
    }

    /// Row-by-row drawing (rows of 3, 100,000 rows, so tail and wedge rejections occur mid-row) yields the
    /// bulk fill's variates in the same order, and leaves the stream where the bulk fill leaves it.
    @Test func rowByRowDrawingEqualsTheBulkFill() {
        var bulk = XoshiroRandomStream(seed: 23, index: 9), rows = XoshiroRandomStream(seed: 23, index: 9)
        let width = 3, count = 100_000
        var filled = [Double](repeating: 0, count: width * count)
        bulk.fillGaussian(&filled, standardDeviation: 0.25)
        var drawn = [Double](repeating: 0, count: width * count)
        let row = UnsafeMutableBufferPointer<Double>.allocate(capacity: width)
        defer { row.deallocate() }
        let visited = rows.foldGaussianRows(row, rows: count, standardDeviation: 0.25, from: 0) { k, visited in
            for j in 0..<width { drawn[k * width + j] = row[j] }
            return visited + 1
        }
        #expect(visited == count)
        #expect(drawn.map(\.bitPattern) == filled.map(\.bitPattern))
        #expect(rows.next() == bulk.next())
    }
}
