import Foundation
import Testing
@testable import NumericCore

@Suite struct BLASTests {
    @Test func gemmMatchesNaiveLoopsWithTransposes() throws {
        let stream = RandomStream(seed: 31)
        let m = 7, k = 5, n = 9
        let a = (0..<(m * k)).map { _ in stream.gaussian() }
        let b = (0..<(k * n)).map { _ in stream.gaussian() }
        var naive = [Double](repeating: 0, count: m * n)
        for i in 0..<m { for j in 0..<n { for l in 0..<k { naive[i * n + j] += a[i * k + l] * b[l * n + j] } } }
        #expect(relativeDifference(try BLAS.multiply(a, b, m: m, k: k, n: n), naive) < 1e-14)
        // Aᵀ stored k × m, Bᵀ stored n × k: C = (Aᵀ)ᵀ (Bᵀ)ᵀ, with β = 1 accumulation onto 2·naive.
        var at = [Double](repeating: 0, count: m * k), bt = [Double](repeating: 0, count: k * n)
        for i in 0..<m { for l in 0..<k { at[l * m + i] = a[i * k + l] } }
        for l in 0..<k { for j in 0..<n { bt[j * k + l] = b[l * n + j] } }
        var c = naive
        at.withUnsafeBufferPointer { pa in bt.withUnsafeBufferPointer { pb in c.withUnsafeMutableBufferPointer { pc in
            BLAS.gemm(m: m, n: n, k: k, alpha: 1, a: pa.baseAddress!, lda: m, transposeA: true,
                      b: pb.baseAddress!, ldb: k, transposeB: true, beta: 1, c: pc.baseAddress!, ldc: n)
        } } }
        #expect(relativeDifference(c, naive.map { 2 * $0 }) < 1e-14)
    }

    @Test func gemvMatchesNaiveLoops() throws {
        let stream = RandomStream(seed: 32)
        let m = 6, n = 4
        let a = (0..<(m * n)).map { _ in stream.gaussian() }
        let x = (0..<n).map { _ in stream.gaussian() }
        let naive = (0..<m).map { i in (0..<n).reduce(0.0) { $0 + a[i * n + $1] * x[$1] } }
        #expect(relativeDifference(try BLAS.multiply(a, vector: x, m: m, n: n), naive) < 1e-14)
        let y = (0..<m).map { _ in stream.gaussian() }
        var z = [Double](repeating: 1, count: n)
        a.withUnsafeBufferPointer { pa in y.withUnsafeBufferPointer { py in z.withUnsafeMutableBufferPointer { pz in
            BLAS.gemv(m: m, n: n, alpha: 2, a: pa.baseAddress!, lda: n, transpose: true, x: py.baseAddress!, beta: -1,
                      y: pz.baseAddress!)
        } } }
        let naiveT = (0..<n).map { j in 2 * (0..<m).reduce(0.0) { $0 + a[$1 * n + j] * y[$1] } - 1 }
        #expect(relativeDifference(z, naiveT) < 1e-14)
    }

    @Test func shapeMismatchThrows() {
        #expect(throws: InvalidArgument.self) { try BLAS.multiply([1, 2], [1, 2, 3], m: 1, k: 2, n: 2) }
    }
}
