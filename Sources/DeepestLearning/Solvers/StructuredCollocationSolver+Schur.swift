import NumericCore

extension StructuredCollocationSolver {
    /// Solves J Δ = −F(`residualOf`) with J linearised at `at` (Notes/structured-collocation.md §3):
    ///
    /// 1. per sample (parallel over fixed blocks): assemble and factor A_kk (almost block diagonal,
    ///    O(N d³)); A_kΓ = E K has rank ≤ 2dN + 2d (E: unit columns of the interval and end rows, and of
    ///    the start rows when the momentum uses θ; K: the per-interval and boundary couplings), so solve
    ///    Y = A_kk⁻¹[E, −r_k] (2dN + d + 1 right sides; 2dN + 2d + 1 when the start rows are coupled
    ///    too, the Lagrangian form with a finite input weight R_in; O(N² d³)),
    ///    form A_Ρk Y (O(N² d² q)) and add −(A_Ρk Y)K plus the sample's own terms of A_ΩΩ to the
    ///    block's slot (O(N d R q) = O(N² d q²));
    /// 2. sum the slots in block order into S (W × W), factor it densely (O(W³)) and solve for the
    ///    weights ΔΩ;
    /// 3. per sample: Δu_k = A_kk⁻¹(−r_k − A_kΓ ΔΓ) (refactored, O(N d³ + N d q)).
    ///
    /// With `factorSchur` false only the right side −r_k is eliminated and the stored S is reused (the
    /// simplified Newton correction). The step lands in `sampleStep` and `globalStep`. False when a
    /// sample block or S is singular.
    func solveLinear(at lin: StructuredCollocationIterate, residualOf res: StructuredCollocationIterate,
                     factorSchur: Bool) -> Bool {
        let columns = factorSchur ? gammaCount + 1 : 1, length = nodes * s
        let blockCount = blocks.blockCount, blocks = self.blocks, rho = rhoCount
        let intervals = self.intervals, d = self.d, s = self.s, k = self.k, q = self.q, cw = couplingWidth
        let rowBlock = rowsPerInterval * q, first = firstCoupledRow
        let conjugateCoupled = sampleForm.fieldUsesConjugate, boundaryCoupled = sampleForm.momentumUsesWeights
        // Building S, the right sides are the unit vectors of the coupled rows (A_kΓ has rank
        // ≤ N·2d + 2d, far below G) and −r_k: Y = A_kk⁻¹[E, −r_k], then A_Ρk A_kk⁻¹ A_kΓ = (A_Ρk Y) K.
        // Column c of Y belongs to row `first + c` of the sample's system.
        let solveColumns = factorSchur ? length - first + 1 : 1
        for ws in workspaces {
            ws.reserve(columns: solveColumns * length, slot: max(rho * columns, 1),
                       product: factorSchur ? StructuredCollocationWorkspace.chunkSize * rho * solveColumns : 1,
                       stacked: factorSchur ? StructuredCollocationWorkspace.chunkSize * rho * s : 1)
        }
        var failures = [Bool](repeating: false, count: blockCount)
        failures.withUnsafeMutableBufferPointer { fb in
            let failed = SharedMutablePointer(fb.baseAddress!)
            Parallel.forEach(blockCount) { block in
                let ws = self.workspaces[block]
                let slot = ws.slot, z = ws.columns
                slot.update(repeating: 0, count: rho * columns)
                var chunk = 0
                for sample in blocks.range(block) {
                    guard self.assemble(sample: sample, at: lin, workspace: ws, slot: factorSchur ? slot : nil, columns: columns) else {
                        failed[block] = true
                        continue
                    }
                    if factorSchur {
                        z.update(repeating: 0, count: (solveColumns - 1) * length)
                        for c in 0..<(solveColumns - 1) { z[c * length + first + c] = 1 }
                    }
                    let rhs = z + (solveColumns - 1) * length, residual = res.sampleResidual + sample * length
                    for i in 0..<length { rhs[i] = -residual[i] }
                    for c in 0..<solveColumns { ws.lu.solve(z + c * length) }
                    // A_Ρk Y: interval i's π rows touch nodes i, i+1; the readout rows x_N.
                    let product = ws.product + chunk * rho * solveColumns
                    let target = factorSchur ? product : slot, ld = factorSchur ? solveColumns : columns
                    let (alpha, beta): (Double, Double) = factorSchur ? (1, 0) : (-1, 1)
                    for i in 0..<intervals {
                        BLAS.gemm(m: rowBlock, n: solveColumns, k: 2 * s, alpha: alpha, a: ws.sampleRows + i * rowBlock * 2 * s,
                                  lda: 2 * s, b: z + i * s, ldb: length, transposeB: true, beta: beta,
                                  c: target + self.conjugateRow(i) * ld, ldc: ld)
                    }
                    if k > 0 {
                        BLAS.gemm(m: k, n: solveColumns, k: d, alpha: alpha, a: ws.readoutRows, lda: d, b: z + intervals * s,
                                  ldb: length, transposeB: true, beta: beta, c: target + self.readoutRow * ld, ldc: ld)
                    }
                    guard factorSchur else { continue }
                    for r in 0..<rho { slot[r * columns + columns - 1] -= product[r * solveColumns + solveColumns - 1] }
                    self.stashCouplings(ws, chunk)
                    chunk += 1
                    if chunk == StructuredCollocationWorkspace.chunkSize {
                        self.subtractCoupledProducts(ws, samples: chunk, solveColumns: solveColumns, columns: columns)
                        chunk = 0
                    }
                }
                if factorSchur && chunk > 0 {
                    self.subtractCoupledProducts(ws, samples: chunk, solveColumns: solveColumns, columns: columns)
                }
            }
        }
        if failures.contains(true) { return false }
        let w = weightCount
        if factorSchur && w > 0 {
            stats.factorizations += 1
            stats.jacobianEvaluations += 1
            buildSchur(columns: columns)
            let singular = schur.withUnsafeMutableBufferPointer { a in
                schurPivots.withUnsafeMutableBufferPointer { p in DenseLU.factor(a.baseAddress!, dimension: w, pivots: p.baseAddress!) }
            }
            if singular != nil { return false }
        }
        for r in 0..<w { globalStep[r] = -res.globalResidual[r] }
        for ws in workspaces {
            for r in 0..<rho { globalStep[r] += ws.slot[r * columns + columns - 1] }
        }
        if w > 0 {
            schur.withUnsafeBufferPointer { a in
                schurPivots.withUnsafeBufferPointer { p in
                    globalStep.withUnsafeMutableBufferPointer { g in
                        DenseLU.solve(factors: a.baseAddress!, dimension: w, pivots: p.baseAddress!, rhs: g.baseAddress!, columns: 1)
                    }
                }
            }
        }
        // Back substitution per sample.
        let weights = UncheckedBox(globalStep)
        sampleStep.withUnsafeMutableBufferPointer { sb in
            let out = SharedMutablePointer(sb.baseAddress!)
            Parallel.forEach(blockCount) { block in
                let ws = self.workspaces[block], v = ws.vector
                weights.value.withUnsafeBufferPointer { gb in
                    let delta = gb.baseAddress!
                    for sample in blocks.range(block) {
                        _ = self.assemble(sample: sample, at: lin, workspace: ws, slot: nil, columns: 0)
                        let residual = res.sampleResidual + sample * length
                        for i in 0..<length { v[i] = -residual[i] }
                        for i in 0..<intervals where cw > 0 {
                            BLAS.gemv(m: s, n: cw, alpha: -1, a: ws.coupling + i * s * cw, lda: cw,
                                      x: delta + self.thetaColumn(self.nodePoint(i)), beta: 1, y: v + d + i * s)
                            if conjugateCoupled {
                                BLAS.gemv(m: s, n: cw, alpha: -1, a: ws.conjugateCoupling + i * s * cw, lda: cw,
                                          x: delta + self.conjugateColumn(self.nodePoint(i)), beta: 1, y: v + d + i * s)
                            }
                        }
                        if k > 0 {
                            BLAS.gemv(m: d, n: k, alpha: -1, a: ws.endCoupling, lda: k, x: delta + self.readoutColumn, beta: 1,
                                      y: v + d + intervals * s)
                        }
                        if boundaryCoupled {
                            BLAS.gemv(m: d, n: q, alpha: -1, a: ws.endWeights, lda: q, x: delta + self.thetaColumn(self.points - 1),
                                      beta: 1, y: v + d + intervals * s)
                            if first == 0 {
                                BLAS.gemv(m: d, n: q, alpha: -1, a: ws.startWeights, lda: q, x: delta + self.thetaColumn(0),
                                          beta: 1, y: v)
                            }
                        }
                        ws.lu.solve(v)
                        (out.base + sample * length).update(from: v, count: length)
                    }
                }
            }
        }
        return true
    }

    /// Copies the couplings of the sample just assembled into chunk position `index` of `ws`: its
    /// interval blocks K_i (and the conjugate's) below those of the earlier samples of the chunk.
    func stashCouplings(_ ws: StructuredCollocationWorkspace, _ index: Int) {
        let chunk = StructuredCollocationWorkspace.chunkSize, blockSize = s * couplingWidth
        let conjugate = ws.chunkCouplings + intervals * chunk * blockSize
        for i in 0..<intervals {
            (ws.chunkCouplings + (i * chunk + index) * blockSize).update(from: ws.coupling + i * blockSize, count: blockSize)
            if sampleForm.fieldUsesConjugate {
                (conjugate + (i * chunk + index) * blockSize).update(from: ws.conjugateCoupling + i * blockSize, count: blockSize)
            }
        }
        let tail = tailCouplings(ws, index)
        tail.update(from: ws.endCoupling, count: d * k)
        (tail + d * k).update(from: ws.endWeights, count: d * q)
        (tail + d * k + d * q).update(from: ws.startWeights, count: d * q)
    }

    /// Sample `index`'s readout, θ(T) and θ(0) couplings in the chunk.
    func tailCouplings(_ ws: StructuredCollocationWorkspace, _ index: Int) -> UnsafeMutablePointer<Double> {
        ws.chunkCouplings + 2 * intervals * StructuredCollocationWorkspace.chunkSize * s * couplingWidth + index * ws.tailStride
    }

    /// slot −= Σ_b (A_Ρb Y_b) K_b over the `samples` stashed products and couplings of `ws`: K_i on θ
    /// (and the conjugate) at interval i's points, the end coupling on the readout (and θ(T)), the start
    /// coupling on θ(0). Per interval one GEMM over the chunk: the chunk's A_Ρb Y_b columns of the
    /// interval side by side times their K_{b,i} one below the other (inner dimension samples·2d
    /// instead of 2d per sample, so the slot's columns are read and written once per chunk, not once
    /// per sample: this update was memory-bound). The order is fixed, so the result does not depend on
    /// the number of threads.
    func subtractCoupledProducts(_ ws: StructuredCollocationWorkspace, samples: Int, solveColumns: Int, columns: Int) {
        let rho = rhoCount, cw = couplingWidth, first = firstCoupledRow, slot = ws.slot
        let chunk = StructuredCollocationWorkspace.chunkSize, blockSize = s * cw, inner = samples * s
        let endColumn = d + intervals * s - first, stacked = ws.stacked
        func product(_ b: Int) -> UnsafeMutablePointer<Double> { ws.product + b * rho * solveColumns }
        for i in 0..<intervals where cw > 0 {
            let column = d + i * s - first
            for b in 0..<samples {
                let source = product(b) + column
                for r in 0..<rho { (stacked + r * inner + b * s).update(from: source + r * solveColumns, count: s) }
            }
            BLAS.gemm(m: rho, n: cw, k: inner, alpha: -1, a: stacked, lda: inner, b: ws.chunkCouplings + i * chunk * blockSize,
                      ldb: cw, beta: 1, c: slot + thetaColumn(nodePoint(i)), ldc: columns)
            guard sampleForm.fieldUsesConjugate else { continue }
            BLAS.gemm(m: rho, n: cw, k: inner, alpha: -1, a: stacked, lda: inner,
                      b: ws.chunkCouplings + (intervals * chunk + i * chunk) * blockSize, ldb: cw, beta: 1,
                      c: slot + conjugateColumn(nodePoint(i)), ldc: columns)
        }
        for b in 0..<samples {
            let end = product(b) + endColumn, stash = tailCouplings(ws, b)
            if k > 0 {
                BLAS.gemm(m: rho, n: k, k: d, alpha: -1, a: end, lda: solveColumns, b: stash, ldb: k, beta: 1,
                          c: slot + readoutColumn, ldc: columns)
            }
            if sampleForm.momentumUsesWeights {
                BLAS.gemm(m: rho, n: q, k: d, alpha: -1, a: end, lda: solveColumns, b: stash + d * k, ldb: q, beta: 1,
                          c: slot + thetaColumn(points - 1), ldc: columns)
                if first == 0 {
                    BLAS.gemm(m: rho, n: q, k: d, alpha: -1, a: product(b), lda: solveColumns, b: stash + d * k + d * q,
                              ldb: q, beta: 1, c: slot + thetaColumn(0), ldc: columns)
                }
            }
        }
    }

    /// S = A_ΩΩ (the weight rows' own, sample-free entries) + Σ_blocks slot, in block order.
    func buildSchur(columns: Int) {
        let w = weightCount, q = self.q
        for i in 0..<(w * w) { schur[i] = 0 }
        func add(_ row: Int, _ column: Int, _ value: Double) { schur[row * w + column] += value }
        // The weight rows are the collocation equations of the linear pair u' = κ v: c' = κ_c θ (rows pr)
        // and θ' = κ_θ c (rows tr); Hamiltonian κ_c = λ, κ_θ = 1/α; Lagrangian κ_c = λ/α, κ_θ = 1. Lobatto IIIA: the Hermite–Simpson midpoint row and the Simpson row;
        // trapezoid: one row.
        func addLinearPair(row: Int, own: (Int) -> Int, other: (Int) -> Int, kappa: Double, h: Double, a: Int, b: Int) {
            for c in 0..<q {
                if lobatto {
                    let mid = a + 1
                    add(row + c, own(mid) + c, 1)
                    add(row + c, own(a) + c, -0.5)
                    add(row + c, own(b) + c, -0.5)
                    add(row + c, other(a) + c, -0.125 * h * kappa)
                    add(row + c, other(b) + c, 0.125 * h * kappa)
                    add(row + q + c, own(b) + c, 1)
                    add(row + q + c, own(a) + c, -1)
                    add(row + q + c, other(a) + c, -h / 6 * kappa)
                    add(row + q + c, other(mid) + c, -2 * h / 3 * kappa)
                    add(row + q + c, other(b) + c, -h / 6 * kappa)
                } else {
                    add(row + c, own(b) + c, 1)
                    add(row + c, own(a) + c, -1)
                    add(row + c, other(a) + c, -0.5 * h * kappa)
                    add(row + c, other(b) + c, -0.5 * h * kappa)
                }
            }
        }
        for i in 0..<intervals {
            let h = step(i), a = nodePoint(i), b = nodePoint(i + 1)
            addLinearPair(row: conjugateRow(i), own: conjugateColumn, other: thetaColumn, kappa: conjugateRate, h: h, a: a, b: b)
            addLinearPair(row: thetaRow(i), own: thetaColumn, other: conjugateColumn, kappa: thetaRate, h: h, a: a, b: b)
        }
        // μ on the readout rows; a frozen parameter's row is the unit row.
        for a in 0..<k { add(readoutRow + a, readoutColumn + a, frozenReadout.contains { $0.index == a } ? 1 : readoutTikhonov) }
        for c in 0..<q {
            add(boundaryRow + c, conjugateColumn(0) + c, 1)
            add(boundaryRow + q + c, conjugateColumn(points - 1) + c, 1)
        }
        for ws in workspaces {
            for r in 0..<rhoCount {
                for c in 0..<gammaCount { schur[r * w + c] += ws.slot[r * columns + c] }
            }
        }
    }
}
