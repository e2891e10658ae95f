import NumericCore

extension ActionNewtonSolver {
    /// The exact Hessian ∇²V(θ) (W×W, row-major, symmetrised) of the reduced action
    /// V(θ) = A_h(X(θ), θ) of the exactly constrained problem (exact inputs, X(θ) the forward pass), by
    /// the null-space method: with the constraints c_n = x_{n+1} − x_n − hF(x_n, θ_n) = 0, their Jacobian
    /// (J_X, J_Θ), the state sensitivities Y = dX/dθ = −J_X⁻¹J_Θ (forward recursion
    /// y_{n+1} = A_n y_n + h P_n E_n, A_n = I + h∂ₓF, P_n = ∂_θF) and the Lagrangian Hessian H (the backprop
    /// adjoints `multipliers` weighting the second derivatives of F, plus the readout's and the
    /// regularisation's Hessians),
    ///     ∇²V = H_ΘΘ + H_ΘX Y + Yᵀ(H_XX Y + H_XΘ) = H_ΘΘ + H_ΘX Y − J_Θᵀ U,  J_Xᵀ U = H_XX Y + H_XΘ,
    /// where U comes from one backward recursion u_{n−1} = G_n + A_nᵀ u_n per sample, so the dense
    /// product YᵀH_XX Y is never formed. No penalty R_f enters (no cancellation of O(R_f) terms, unlike
    /// the Schur complement of `step`, whose reduced matrix differs from ∇²V by O(|Φ|²/R_f)).
    /// Cost O(M N (d² + nnz(∂_θF) + d q) W) per call (the order of the Schur complement; the sparse
    /// parameter Jacobian is applied entry by entry), parallel over fixed sample
    /// blocks with per-block slots summed in block order. Derivation: Notes/deepest-learning-action.md §9c.
    /// Requires exact inputs (`action.hasInitialStates == false`) and `unknowns` = the forward pass.
    func reducedHessian(unknowns: [Double], multipliers: [Double]) -> [Double] {
        let net = action.network, field = net.field, h = net.stepSize, readout = net.readout
        let d = self.d, layers = self.layers, q = self.q, k = readoutCount, w = weightCount
        let layerColumns = layers * q, stateCount = action.stateUnknownCount, mIn = net.inputDimension
        let targetWidth = readout.targetWidth, rout = action.outputWeight, outputs = readout.outputs
        let blocks = SampleBlocks(count: action.data.count)
        let matrixLength = w * w + layers * d * layerColumns + layers * d * w
        let layerLength = layers * (2 * d * d + 2 * d * q) + q * q + 2 * d * d + 2 * d
        let readoutLength = d * k + k * k + 2 * outputs + outputs * outputs + outputs * d
        let blockLength = matrixLength + layerLength + readoutLength
        if reducedWorkspace.count != blocks.blockCount * blockLength {
            reducedWorkspace = [Double](repeating: 0, count: blocks.blockCount * blockLength)
        }
        unknowns.withUnsafeBufferPointer { uu in
        multipliers.withUnsafeBufferPointer { mm in
        action.data.inputs.withUnsafeBufferPointer { ii in
        action.targets.withUnsafeBufferPointer { tt in
        reducedWorkspace.withUnsafeMutableBufferPointer { ww in
            let u = SharedPointer(uu), adjoints = SharedPointer(mm), inputs = SharedPointer(ii), targets = SharedPointer(tt)
            let work = SharedMutablePointer(ww.baseAddress!)
            Parallel.forEach(blocks.blockCount) { block in
                let matrix = work.base + block * blockLength
                let ys = matrix + w * w                       // N slots d × N q: y_{t+1} = dx_{t+1}/dθ
                let gs = ys + layers * d * layerColumns       // N slots d × W: G, then U in place
                let layerA = gs + layers * d * w, layerP = layerA + layers * d * d
                let layerHxx = layerP + layers * d * q, layerHxt = layerHxx + layers * d * d
                let htt = layerHxt + layers * d * q, jx = htt + q * q, lifted = jx + d * d, xxN = lifted + d
                let eBlock = xxN + d * d, rr = eBlock + d * k, readoutScratch = rr + k * k
                let theta = u.base + stateCount
                matrix.update(repeating: 0, count: w * w)
                for sample in blocks.range(block) {
                    let xs = u.base + sample * layers * d
                    net.lift.apply(inputs.base + sample * mIn, into: lifted)
                    func state(_ n: Int) -> UnsafePointer<Double> { n == 0 ? UnsafePointer(lifted) : xs + (n - 1) * d }
                    // Per layer: A_n, P_n, the Lagrangian blocks −hH_xx(p), −hH_xθ(p), and −hH_θθ(p) into the slot.
                    for n in 0..<layers {
                        let x = state(n), th = theta + net.layerOffset(n)
                        let a = layerA + n * d * d, p = layerP + n * d * q
                        let hxx = layerHxx + n * d * d, hxt = layerHxt + n * d * q
                        field.jacobians(x: x, theta: th, state: jx, parameter: p)
                        for i in 0..<(d * d) { a[i] = h * jx[i] }
                        for i in 0..<d { a[i * d + i] += 1 }
                        field.adjointHessian(x: x, theta: th, costate: adjoints.base + (sample * layers + n) * d,
                                             stateState: hxx, stateParameter: hxt, parameterParameter: htt)
                        for i in 0..<(d * d) { hxx[i] *= -h }
                        for i in 0..<(d * q) { hxt[i] *= -h }
                        let diagonal = matrix + (n * q) * w + n * q
                        for r in 0..<q { for c in 0..<q { diagonal[r * w + c] -= h * htt[r * q + c] } }
                    }
                    xxN.update(repeating: 0, count: d * d)
                    eBlock.update(repeating: 0, count: d * k)
                    rr.update(repeating: 0, count: k * k)
                    readout.accumulateHessian(x: state(layers), parameters: theta + net.readoutOffset, width: d,
                                              target: targets.base + sample * targetWidth, weight: rout, xx: xxN,
                                              xr: eBlock, rr: rr, scratch: readoutScratch)
                    let readoutDiagonal = matrix + layerColumns * w + layerColumns
                    for r in 0..<k { for c in 0..<k { readoutDiagonal[r * w + c] += rr[r * k + c] } }
                    // Y: slot t holds dx_{t+1}/dθ; only the columns of θ_0..θ_t are nonzero (causality).
                    for t in 0..<layers {
                        let slot = ys + t * d * layerColumns
                        slot.update(repeating: 0, count: d * layerColumns)
                        if t > 0 {
                            BLAS.gemm(m: d, n: t * q, k: d, a: layerA + t * d * d, lda: d,
                                      b: ys + (t - 1) * d * layerColumns, ldb: layerColumns, c: slot, ldc: layerColumns)
                        }
                        let p = layerP + t * d * q
                        for i in 0..<d { for c in 0..<q { slot[i * layerColumns + t * q + c] = h * p[i * q + c] } }
                    }
                    // G: slot t (state x_{t+1}) = H_xx(x_{t+1}) y_{t+1} + H_xΘ(x_{t+1}), over all W columns.
                    for t in 0..<layers {
                        let j = t + 1, slot = gs + t * d * w, y = ys + t * d * layerColumns
                        slot.update(repeating: 0, count: d * w)
                        let hxx = j < layers ? UnsafePointer(layerHxx + j * d * d) : UnsafePointer(xxN)
                        BLAS.gemm(m: d, n: j * q, k: d, a: hxx, lda: d, b: y, ldb: layerColumns, c: slot, ldc: w)
                        if j < layers {
                            let hxt = layerHxt + j * d * q
                            for i in 0..<d { for c in 0..<q { slot[i * w + j * q + c] += hxt[i * q + c] } }
                        } else {
                            for i in 0..<d { for c in 0..<k { slot[i * w + layerColumns + c] += eBlock[i * k + c] } }
                        }
                    }
                    // U = J_X⁻ᵀ G in place: u_t = G_t + A_{t+1}ᵀ u_{t+1}, backward.
                    if layers > 1 {
                        for t in stride(from: layers - 2, through: 0, by: -1) {
                            BLAS.gemm(m: d, n: w, k: d, a: layerA + (t + 1) * d * d, lda: d, transposeA: true,
                                      b: gs + (t + 1) * d * w, ldb: w, beta: 1, c: gs + t * d * w, ldc: w)
                        }
                    }
                    // Rows θ_n: + h P_nᵀ u_n (= −J_Θᵀ U) + (−hH_xθ,n)ᵀ y_n (= H_ΘX Y, x_n a state for n ≥ 1).
                    for n in 0..<layers {
                        let rows = matrix + n * q * w, p = layerP + n * d * q, un = gs + n * d * w
                        // P_n is sparse (d + 1 or 2d + 1 nonzeros per row of F): one axpy per nonzero entry.
                        for i in 0..<d {
                            for c in 0..<q where p[i * q + c] != 0 {
                                let factor = h * p[i * q + c], row = rows + c * w, source = un + i * w
                                for j in 0..<w { row[j] += factor * source[j] }
                            }
                        }
                        if n > 0 {
                            BLAS.gemm(m: q, n: n * q, k: d, a: layerHxt + n * d * q, lda: q, transposeA: true,
                                      b: ys + (n - 1) * d * layerColumns, ldb: layerColumns, beta: 1, c: rows, ldc: w)
                        }
                    }
                    // Readout rows: H_ΘX Y = Eᵀ y_N (the readout parameters do not move the states).
                    BLAS.gemm(m: k, n: layerColumns, k: d, a: eBlock, lda: k, transposeA: true,
                              b: ys + (layers - 1) * d * layerColumns, ldb: layerColumns, beta: 1,
                              c: matrix + layerColumns * w, ldc: w)
                }
            }
        }}}}}
        var result = [Double](repeating: 0, count: w * w)
        result.withUnsafeMutableBufferPointer { rr in
            reducedWorkspace.withUnsafeBufferPointer { ww in
                for b in 0..<blocks.blockCount {
                    let base = b * blockLength
                    for i in 0..<(w * w) { rr[i] += ww[base + i] }
                }
                for r in 0..<w {
                    for c in (r + 1)..<Swift.max(r + 1, w) {
                        let mean = 0.5 * (rr[r * w + c] + rr[c * w + r])
                        rr[r * w + c] = mean
                        rr[c * w + r] = mean
                    }
                }
            }
        }
        addRegularizationHessian(to: &result)
        return result
    }
}
