import NumericCore

extension ResidualNetwork {
    /// The forward pass of a block of `rows` samples, the samples as the rows of rows × d matrices: for
    /// each layer Z = X_n K_nᵀ + 1b_nᵀ (one `BLAS.gemm`), A_n = σ(Z) in place (the vector tanh,
    /// `Activation.applyInPlace`), X_{n+1} = X_n + h A_n. `trajectory` holds X_0 on entry and X_0..X_N on
    /// exit ((N + 1) matrices), `values` receives A_0..A_{N−1} (N matrices, for the costate sweep
    /// `DiscreteCostate.blockStep`); `weights` are the effective K_n, K_nᵀ per layer
    /// (`writeEffectiveWeights`). Cost O(rows N d²); shared by the ResNet loss's batched kernels and the
    /// studies' costates (Notes/resnet-minibatch-kernels.md).
    @inlinable public func blockForward(rows: Int, parameters p: UnsafePointer<Double>, weights w: UnsafePointer<Double>,
                                        trajectory x: UnsafeMutablePointer<Double>, values a: UnsafeMutablePointer<Double>) {
        let d = width, h = stepSize, matrix = rows * d
        for n in 0..<layers {
            let xn = x + n * matrix, an = a + n * matrix, bias = p + layerOffset(n) + d * d
            for local in 0..<rows { (an + local * d).update(from: bias, count: d) }
            BLAS.gemm(m: rows, n: d, k: d, a: xn, lda: d, b: w + 2 * n * d * d, ldb: d, transposeB: true, beta: 1, c: an, ldc: d)
            field.activation.applyInPlace(an, count: matrix)
            for i in 0..<matrix { xn[matrix + i] = xn[i] + h * an[i] }
        }
    }
}
