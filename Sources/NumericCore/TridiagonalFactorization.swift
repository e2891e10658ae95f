/// The Thomas algorithm for a fixed symmetric tridiagonal matrix with diagonal d_i and constant
/// off-diagonal e. Without pivoting it is stable for the matrices it is used on, which are strictly
/// diagonally dominant by rows (|d_i| > Σ_j≠i |a_ij|) and positive definite: D + c·L with D ≥ I diagonal,
/// L a path-graph Laplacian and c ≥ 0. It does not check that (a zero pivot gives infinities). Factored
/// once in O(n), each solve O(n) with no allocation. Used by the finite-difference heat scheme and the
/// implicit part of the discrete action's Langevin flow.
public struct TridiagonalFactorization: Sendable {
    public let offDiagonal: Double
    /// Modified super-diagonal c'_i and reciprocal pivots 1/m_i of the forward elimination.
    private(set) var modified: [Double]
    private(set) var inversePivot: [Double]

    public init(diagonal: [Double], offDiagonal e: Double) {
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

    /// The order n of the matrix.
    public var count: Int { inversePivot.count }

    /// Solves in place: `values` holds the right-hand side on entry and the solution on exit.
    public func solve(_ values: UnsafeMutableBufferPointer<Double>) {
        precondition(values.count == count, "TridiagonalFactorization.solve: \(values.count) values for order \(count)")
        guard let base = values.baseAddress else { return }
        solve(base, stride: 1)
    }

    /// Solves in place for the n values at `values[0]`, `values[stride]`, …, `values[(n − 1)·stride]`
    /// (one component of a field stored node by node).
    public func solve(_ values: UnsafeMutablePointer<Double>, stride s: Int) {
        let n = count
        guard n > 0 else { return }
        let e = offDiagonal
        modified.withUnsafeBufferPointer { c in
            inversePivot.withUnsafeBufferPointer { p in
                values[0] *= p[0]
                for i in 1..<n { values[i * s] = (values[i * s] - e * values[(i - 1) * s]) * p[i] }
                if n > 1 { for i in Swift.stride(from: n - 2, through: 0, by: -1) { values[i * s] -= c[i] * values[(i + 1) * s] } }
            }
        }
    }
}
