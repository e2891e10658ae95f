/// The Thomas algorithm for a fixed symmetric tridiagonal matrix with diagonal d_i and constant
/// off-diagonal e (diagonally dominant here, so no pivoting is needed): factored once in O(n), each
/// solve O(n) with no allocation.
struct TridiagonalFactorization {
    let offDiagonal: Double
    /// Modified super-diagonal c'_i and reciprocal pivots 1/m_i of the forward elimination.
    private(set) var modified: [Double]
    private(set) var inversePivot: [Double]

    init(diagonal: [Double], offDiagonal e: Double) {
        let n = diagonal.count
        offDiagonal = e
        modified = [Double](repeating: 0, count: n)
        inversePivot = [Double](repeating: 0, count: n)
        var previous = 0.0
        for i in 0..<n {
            let pivot = diagonal[i] - (i > 0 ? e * previous : 0)
            inversePivot[i] = 1 / pivot
            previous = i < n - 1 ? e * inversePivot[i] : 0
            modified[i] = previous
        }
    }

    /// Solves in place: `values` holds the right-hand side on entry and the solution on exit.
    func solve(_ values: UnsafeMutableBufferPointer<Double>) {
        let n = values.count
        guard n > 0 else { return }
        let e = offDiagonal
        modified.withUnsafeBufferPointer { c in
            inversePivot.withUnsafeBufferPointer { p in
                values[0] *= p[0]
                for i in 1..<n { values[i] = (values[i] - e * values[i - 1]) * p[i] }
                if n > 1 { for i in stride(from: n - 2, through: 0, by: -1) { values[i] -= c[i] * values[i + 1] } }
            }
        }
    }
}
