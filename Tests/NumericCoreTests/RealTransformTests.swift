import Foundation
import Testing
@testable import NumericCore

/// The definitions of RealTransform.Kind, evaluated as O(n²) sums.
enum DirectTrigonometricSum {
    static func transform(_ kind: RealTransform.Kind, _ x: [Double]) -> [Double] {
        let n = x.count, nd = Double(n)
        var y = [Double](repeating: 0, count: n)
        for k in 0..<n {
            let kd = Double(k)
            let alternating: Double = k % 2 == 0 ? 1 : -1
            var sum = 0.0
            switch kind {
            case .dctI:
                sum = x[0] + alternating * x[n - 1]
                for j in 1..<max(n - 1, 1) {
                    let angle = Double.pi * Double(j) * kd / (nd - 1)
                    sum += 2 * x[j] * cos(angle)
                }
            case .dctII:
                for j in 0..<n {
                    let angle = Double.pi * (Double(j) + 0.5) * kd / nd
                    sum += 2 * x[j] * cos(angle)
                }
            case .dctIII:
                sum = x[0]
                for j in 1..<max(n, 1) {
                    let angle = Double.pi * Double(j) * (kd + 0.5) / nd
                    sum += 2 * x[j] * cos(angle)
                }
            case .dstI:
                for j in 0..<n {
                    let angle = Double.pi * (Double(j) + 1) * (kd + 1) / (nd + 1)
                    sum += 2 * x[j] * sin(angle)
                }
            case .dstII:
                for j in 0..<n {
                    let angle = Double.pi * (Double(j) + 0.5) * (kd + 1) / nd
                    sum += 2 * x[j] * sin(angle)
                }
            case .dstIII:
                sum = alternating * x[n - 1]
                for j in 0..<(n - 1) {
                    let angle = Double.pi * (Double(j) + 1) * (kd + 0.5) / nd
                    sum += 2 * x[j] * sin(angle)
                }
            case .dctIV, .dstIV:
                for j in 0..<n {
                    let angle = Double.pi * (Double(j) + 0.5) * (kd + 0.5) / nd
                    sum += 2 * x[j] * (kind == .dctIV ? cos(angle) : sin(angle))
                }
            case .halfComplexForward:
                // Slots k ≤ n/2 hold Σ x_j cos(2πjk/n); slot n − k (0 < k < n/2) holds −Σ x_j sin(2πjk/n).
                let isSine = 2 * k > n
                let frequency = isSine ? Double(n - k) : kd
                for j in 0..<n {
                    let angle = 2 * Double.pi * Double(j) * frequency / nd
                    sum += isSine ? -x[j] * sin(angle) : x[j] * cos(angle)
                }
            case .halfComplexInverse:
                // Value k from the half-complex coefficients x (the roles of j and k swapped).
                sum = x[0]
                for f in 1..<((n + 1) / 2) {
                    let angle = 2 * Double.pi * Double(f) * kd / nd
                    sum += 2 * (x[f] * cos(angle) - x[n - f] * sin(angle))
                }
                if n % 2 == 0 { sum += x[n / 2] * alternating }
            }
            y[k] = sum
        }
        return y
    }

    static func maxDifference(_ a: [Double], _ b: [Double]) -> Double {
        zip(a, b).reduce(0) { max($0, abs($1.0 - $1.1)) }
    }
}

@Suite struct RealTransformTests {
    static let sizes = [2, 3, 4, 5, 8, 13, 16, 31, 64, 100]

    @Test(arguments: RealTransform.Kind.allCases)
    func matchesTheDefiningSum(kind: RealTransform.Kind) throws {
        let stream = RandomStream(seed: 11, index: 0)
        for n in Self.sizes {
            var x = [Double](repeating: 0, count: n)
            stream.fillGaussian(&x)
            let fast = try RealTransform(kind, count: n)(x)
            let direct = DirectTrigonometricSum.transform(kind, x)
            let scale = x.reduce(0) { $0 + abs($1) }
            let error = DirectTrigonometricSum.maxDifference(fast, direct)
            #expect(error <= 1e-13 * scale * 2, "kind \(kind), n \(n): max |fast − direct| = \(error)")
        }
    }

    @Test(arguments: RealTransform.Kind.allCases)
    func inverseKindRoundTripsUpToTheStatedFactor(kind: RealTransform.Kind) throws {
        let stream = RandomStream(seed: 12, index: 0)
        for n in Self.sizes {
            var x = [Double](repeating: 0, count: n)
            stream.fillGaussian(&x)
            let forward = try RealTransform(kind, count: n)
            let backward = try RealTransform(kind.inverse, count: n)
            let factor = kind.roundTripFactor(count: n)
            let back = backward(forward(x)).map { $0 / factor }
            let error = DirectTrigonometricSum.maxDifference(back, x)
            #expect(error < 1e-14 * Double(n), "kind \(kind), n \(n): round-trip error \(error)")
        }
    }

    @Test func outOfPlaceApplyLeavesTheInputUntouched() throws {
        let n = 24
        let x = (0..<n).map { sin(Double($0)) }
        var y = [Double](repeating: 0, count: n)
        let t = try RealTransform(.dctII, count: n)
        x.withUnsafeBufferPointer { xb in y.withUnsafeMutableBufferPointer { t.apply(xb.baseAddress!, $0.baseAddress!) } }
        #expect(x == (0..<n).map { sin(Double($0)) })
        #expect(DirectTrigonometricSum.maxDifference(y, DirectTrigonometricSum.transform(.dctII, x)) < 1e-12)
    }

    @Test func orthonormalCosineTransformIsOrthogonalAndMatchesItsDefinition() throws {
        let stream = RandomStream(seed: 13, index: 0)
        for n in [1, 2, 7, 32, 50] {
            var x = [Double](repeating: 0, count: n)
            stream.fillGaussian(&x)
            let t = try OrthonormalCosineTransform(count: n)
            let y = t.forward(x)
            // Orthonormal DCT-II = FFTW's DCT-II scaled by sqrt(1/(4n)) (k = 0) or sqrt(1/(2n)) (k >= 1).
            let unnormalised = DirectTrigonometricSum.transform(.dctII, x)
            var direct = unnormalised
            for k in 0..<n { direct[k] *= (1 / Double((k == 0 ? 4 : 2) * n)).squareRoot() }
            #expect(DirectTrigonometricSum.maxDifference(y, direct) < 1e-13 * Double(n))
            let normX = x.reduce(0) { $0 + $1 * $1 }, normY = y.reduce(0) { $0 + $1 * $1 }
            #expect(abs(normX - normY) < 1e-13 * normX * Double(n))
            #expect(DirectTrigonometricSum.maxDifference(t.inverse(y), x) < 1e-14 * Double(n))
        }
    }

    @Test func orthonormalSineTransformIsItsOwnInverse() throws {
        let stream = RandomStream(seed: 14, index: 0)
        for n in [1, 3, 15, 40] {
            var x = [Double](repeating: 0, count: n)
            stream.fillGaussian(&x)
            let t = try OrthonormalSineTransform(count: n)
            let y = t(x)
            let direct = DirectTrigonometricSum.transform(.dstI, x).map { $0 * (1 / Double(2 * (n + 1))).squareRoot() }
            #expect(DirectTrigonometricSum.maxDifference(y, direct) < 1e-13 * Double(n))
            #expect(DirectTrigonometricSum.maxDifference(t(y), x) < 1e-14 * Double(n))
        }
    }

    @Test func invalidSizesThrow() {
        #expect(throws: InvalidArgument.self) { try RealTransform(.dctI, count: 1) }
        #expect(throws: InvalidArgument.self) { try RealTransform(.dstII, count: 0) }
    }
}
