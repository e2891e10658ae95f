import Testing
@testable import NumericCore

@Suite struct DenseCholeskyTests {
    /// A = B Bᵀ + n I (symmetric positive definite): L Lᵀ reproduces A and the solve inverts it, to
    /// round-off relative to ‖A‖; an indefinite matrix (A − 2λ_max-ish I) is refused.
    @Test(arguments: [1, 7, 130])
    func factorsAndSolvesPositiveDefiniteMatrices(n: Int) throws {
        let stream = RandomStream(seed: UInt64(n))
        let b = (0..<(n * n)).map { _ in stream.gaussian() }
        var a = [Double](repeating: 0, count: n * n)
        for i in 0..<n { for j in 0..<n {
            var s = i == j ? Double(n) : 0
            for k in 0..<n { s += b[i * n + k] * b[j * n + k] }
            a[i * n + j] = s
        } }
        var l = a
        let factored = l.withUnsafeMutableBufferPointer { DenseCholesky.factor($0.baseAddress!, dimension: n) }
        #expect(factored)
        let scale = a.reduce(0) { max($0, abs($1)) }
        var largest = 0.0
        for i in 0..<n { for j in 0...i {
            var s = 0.0
            for k in 0...j { s += l[i * n + k] * l[j * n + k] }
            largest = max(largest, abs(s - a[i * n + j]))
        } }
        #expect(largest <= 1e-13 * scale * Double(n), "max |LLᵀ − A| \(largest), ‖A‖max \(scale)")
        let x = (0..<n).map { _ in stream.gaussian() }
        var rhs = (0..<n).map { i in (0..<n).reduce(0.0) { $0 + a[i * n + $1] * x[$1] } }
        l.withUnsafeBufferPointer { lb in rhs.withUnsafeMutableBufferPointer { DenseCholesky.solve(lb.baseAddress!, dimension: n, $0.baseAddress!) } }
        let error = zip(rhs, x).reduce(0.0) { max($0, abs($1.0 - $1.1)) }
        #expect(error <= 1e-10, "solve error \(error)")
        var indefinite = a
        indefinite[(n / 2) * n + n / 2] = -1
        let refused = indefinite.withUnsafeMutableBufferPointer { !DenseCholesky.factor($0.baseAddress!, dimension: n) }
        #expect(refused)
    }
}
