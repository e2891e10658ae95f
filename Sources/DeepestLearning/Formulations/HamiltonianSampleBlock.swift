/// The (x_k, p_k) diagonal block of the Jacobian of the Hamiltonian training field for one sample
/// (Notes/deepest-learning-action.md §5): ∂ẋ/∂x = J_s, ∂ẋ/∂p = I/r_f, ∂ṗ/∂x = −H_xx, ∂ṗ/∂p = −J_sᵀ.
/// Shared by the Hamiltonian form, version (a) (whose sample blocks are the same) and the structured
/// solver's `HamiltonianSampleForm`. Cost O(d²).
enum HamiltonianSampleBlock {
    /// Writes the block into the row-major Jacobian `jac` (`columns` wide) at state row/column `xr` and
    /// costate row/column `pr` (all 4d² entries); `stateJacobian` J_s and `stateHessian`
    /// H_xx = ∂²(p·F)/∂x² are d×d.
    @inline(__always)
    static func write(into jac: UnsafeMutablePointer<Double>, columns n: Int, stateOffset xr: Int, costateOffset pr: Int,
                      width d: Int, stateJacobian js: UnsafePointer<Double>, stateHessian hxx: UnsafePointer<Double>,
                      inverseRf: Double) {
        for i in 0..<d {
            for j in 0..<d {
                jac[(xr + i) * n + xr + j] = js[i * d + j]
                jac[(pr + i) * n + xr + j] = -hxx[i * d + j]
                jac[(pr + i) * n + pr + j] = -js[j * d + i]
                jac[(xr + i) * n + pr + j] = i == j ? inverseRf : 0
            }
        }
    }
}
