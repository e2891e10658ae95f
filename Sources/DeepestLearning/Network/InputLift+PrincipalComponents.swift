import Foundation
import NumericCore

extension InputLift {
    /// The linear lift onto the leading `width` principal directions of the inputs' second-moment
    /// matrix G = (1/M) Σ_k y_k y_kᵀ (uncentred, since the lift has no offset): x = Vᵀ y with V the
    /// eigenvectors of the `width` largest eigenvalues, each signed so that its largest entry is
    /// positive (a deterministic function of the data). It is fixed before training and has no
    /// trainable parameters; for width < m it reduces the input dimension (digits: 64 pixels → d).
    /// Eigenvectors by the cyclic Jacobi method (quadratically convergent sweeps, O(m³) each, stopped at
    /// off-diagonal mass ≤ 1e-24 of the total or 50 sweeps). Throws for width outside 1...m.
    public static func principalComponents(of data: Dataset, width: Int) throws -> InputLift {
        let m = data.inputDimension
        guard width >= 1, width <= m else { throw InvalidArgument("width", width, "must be in 1...\(m) for the principal-component lift") }
        var g = [Double](repeating: 0, count: m * m)
        for k in 0..<data.count {
            let row = k * m
            for i in 0..<m { for j in 0..<m { g[i * m + j] += data.inputs[row + i] * data.inputs[row + j] } }
        }
        let scale = 1 / Double(max(data.count, 1))
        for i in g.indices { g[i] *= scale }
        var v = [Double](repeating: 0, count: m * m)
        for i in 0..<m { v[i * m + i] = 1 }
        let total = g.reduce(0) { $0 + $1 * $1 }
        for _ in 0..<50 {
            var off = 0.0
            for i in 0..<m { for j in 0..<m where i != j { off += g[i * m + j] * g[i * m + j] } }
            if off <= 1e-24 * total { break }
            for p in 0..<(m - 1) {
                for q in (p + 1)..<m where g[p * m + q] != 0 {
                    // Rotation annihilating g[p][q] (Golub–Van Loan, symmetric Schur decomposition).
                    let tau = (g[q * m + q] - g[p * m + p]) / (2 * g[p * m + q])
                    let t = (tau >= 0 ? 1 : -1) / (abs(tau) + (1 + tau * tau).squareRoot())
                    let c = 1 / (1 + t * t).squareRoot(), s = t * c
                    for r in 0..<m {
                        let gp = g[r * m + p], gq = g[r * m + q]
                        g[r * m + p] = c * gp - s * gq
                        g[r * m + q] = s * gp + c * gq
                    }
                    for r in 0..<m {
                        let gp = g[p * m + r], gq = g[q * m + r]
                        g[p * m + r] = c * gp - s * gq
                        g[q * m + r] = s * gp + c * gq
                    }
                    for r in 0..<m {
                        let vp = v[r * m + p], vq = v[r * m + q]
                        v[r * m + p] = c * vp - s * vq
                        v[r * m + q] = s * vp + c * vq
                    }
                }
            }
        }
        let order = (0..<m).sorted { g[$0 * m + $0] > g[$1 * m + $1] || (g[$0 * m + $0] == g[$1 * m + $1] && $0 < $1) }
        var matrix = [Double](repeating: 0, count: width * m)
        for (row, column) in order.prefix(width).enumerated() {
            var largest = 0
            for r in 0..<m where abs(v[r * m + column]) > abs(v[largest * m + column]) { largest = r }
            let sign: Double = v[largest * m + column] < 0 ? -1 : 1
            for r in 0..<m { matrix[row * m + r] = sign * v[r * m + column] }
        }
        return .linear(matrix: matrix, inputDimension: m, width: width)
    }
}
