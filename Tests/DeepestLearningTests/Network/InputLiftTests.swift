import Foundation
import Testing
@testable import DeepestLearning

@Suite struct InputLiftTests {
    /// The principal-component lift's rows are orthonormal eigenvectors of G = (1/M) Σ y yᵀ with
    /// non-increasing Rayleigh quotients, each at least every eigenvalue left out (checked by
    /// G v = (vᵀGv) v to 1e-10 and by the trace of G minus the kept eigenvalues being the sum of the rest, ≥ 0).
    @Test func principalComponentsAreLeadingEigenvectors() throws {
        let m = 7, width = 3
        let data = try randomDataset(count: 40, inputDimension: m, classes: 2, seed: 5)
        guard case .linear(let matrix, _, let d) = try InputLift.principalComponents(of: data, width: width) else {
            Issue.record("not a linear lift")
            return
        }
        #expect(d == width)
        var g = [Double](repeating: 0, count: m * m)
        for k in 0..<data.count {
            for i in 0..<m { for j in 0..<m { g[i * m + j] += data.inputs[k * m + i] * data.inputs[k * m + j] / Double(data.count) } }
        }
        var quotients = [Double]()
        for r in 0..<width {
            let v = Array(matrix[(r * m)..<((r + 1) * m)])
            let gv = (0..<m).map { i in (0..<m).reduce(0.0) { $0 + g[i * m + $1] * v[$1] } }
            let q = zip(v, gv).reduce(0.0) { $0 + $1.0 * $1.1 }
            quotients.append(q)
            let residual = zip(gv, v).reduce(0.0) { max($0, abs($1.0 - q * $1.1)) }
            #expect(residual < 1e-10 * max(1, q), "row \(r): |Gv − λv| = \(residual)")
            for s in 0...r {
                let w = Array(matrix[(s * m)..<((s + 1) * m)])
                let dot = zip(v, w).reduce(0.0) { $0 + $1.0 * $1.1 }
                #expect(abs(dot - (s == r ? 1 : 0)) < 1e-12, "rows \(r), \(s): \(dot)")
            }
        }
        for (a, b) in zip(quotients, quotients.dropFirst()) { #expect(a >= b - 1e-12, "\(quotients)") }
        // The discarded eigenvalues sum to trace(G) − Σ kept and the largest of them is ≤ the smallest kept:
        // their mean cannot exceed the smallest kept one.
        let trace = (0..<m).reduce(0.0) { $0 + g[$1 * m + $1] }
        let rest = trace - quotients.reduce(0, +)
        #expect(rest >= -1e-12 && rest / Double(m - width) <= (quotients.last ?? 0) + 1e-12, "rest \(rest), kept \(quotients)")
    }
}
