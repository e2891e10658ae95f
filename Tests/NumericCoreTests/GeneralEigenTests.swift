import Foundation
import Testing
@testable import NumericCore

@Suite struct GeneralEigenTests {
    /// Sorted (real, imaginary) pairs, to compare spectra whatever LAPACK's order.
    static func sorted(_ e: GeneralEigen) -> [(Double, Double)] {
        zip(e.real, e.imaginary).sorted { $0.0 != $1.0 ? $0.0 < $1.0 : $0.1 < $1.1 }
    }

    /// A circulant matrix with first row c_0..c_{n−1} has the eigenvalues Σ_j c_j ω^{jk}, ω = e^{2πi/n}
    /// (the discrete Fourier transform of its row), k = 0..n−1.
    @Test(arguments: [3, 5, 8])
    func circulantSpectrumIsTheFourierTransformOfItsRow(n: Int) throws {
        let stream = RandomStream(seed: UInt64(40 + n))
        let row = (0..<n).map { _ in stream.gaussian() }
        var a = [Double](repeating: 0, count: n * n)
        for i in 0..<n { for j in 0..<n { a[i * n + j] = row[(j - i + n) % n] } }
        let eigen = try GeneralEigen(matrix: a, dimension: n)
        #expect(eigen.converged)
        var expected = [(Double, Double)]()
        for k in 0..<n {
            var re = 0.0, im = 0.0
            for j in 0..<n {
                let angle = 2 * Double.pi * Double(j * k) / Double(n)
                re += row[j] * cos(angle)
                im += row[j] * sin(angle)
            }
            expected.append((re, im))
        }
        expected.sort { $0.0 != $1.0 ? $0.0 < $1.0 : $0.1 < $1.1 }
        // Match each computed eigenvalue to its nearest closed-form one (sorting near-ties may differ).
        for (re, im) in Self.sorted(eigen) {
            let distance = expected.map { hypot($0.0 - re, $0.1 - im) }.min()!
            #expect(distance <= 1e-12 * Double(n), "eigenvalue \(re) + \(im)i is \(distance) from the closed form")
        }
    }

    /// A plane rotation by φ has the eigenvalues cos φ ± i sin φ, and a skew-symmetric matrix a purely
    /// imaginary spectrum.
    @Test func rotationAndSkewSymmetricMatrices() throws {
        let phi = 0.7
        let rotation = try GeneralEigen(matrix: [cos(phi), -sin(phi), sin(phi), cos(phi)], dimension: 2)
        let pairs = Self.sorted(rotation)
        #expect(abs(pairs[0].0 - cos(phi)) <= 1e-15 && abs(pairs[0].1 + sin(phi)) <= 1e-15)
        #expect(abs(pairs[1].0 - cos(phi)) <= 1e-15 && abs(pairs[1].1 - sin(phi)) <= 1e-15)
        #expect(abs(rotation.spectralRadius - 1) <= 1e-15)
        let n = 6, stream = RandomStream(seed: 7)
        var w = (0..<(n * n)).map { _ in stream.gaussian() }
        for i in 0..<n { for j in 0..<n where j > i { let s = w[i * n + j] - w[j * n + i]; w[i * n + j] = s; w[j * n + i] = -s } }
        for i in 0..<n { w[i * n + i] = 0 }
        let skew = try GeneralEigen(matrix: w, dimension: n)
        let scale = w.reduce(0) { max($0, abs($1)) }
        #expect(skew.real.allSatisfy { abs($0) <= 1e-13 * scale }, "real parts \(skew.real)")
    }

    @Test func refusesMismatchedAndNonFiniteInput() {
        #expect(throws: InvalidArgument.self) { try GeneralEigen(matrix: [1, 2, 3], dimension: 2) }
        #expect(throws: InvalidArgument.self) { try GeneralEigen(matrix: [1, .nan, 0, 1], dimension: 2) }
    }
}
