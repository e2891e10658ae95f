import NumericCore

extension StructuredCollocationSolver {
    /// The form's derivative blocks of sample `sample` at point `point` (state `u`) into the workspace.
    @inline(__always)
    func pointDerivatives(_ u: UnsafePointer<Double>, at it: StructuredCollocationIterate, point: Int,
                          workspace ws: StructuredCollocationWorkspace) {
        let ss = s * s, sq = s * q
        sampleForm.derivatives(u, theta: it.theta + point * q, conjugate: it.conjugate + point * q, a: ws.pointA + point * ss,
                               b: ws.pointB + point * sq, bConjugate: ws.pointBConjugate + point * sq, c: ws.pointC + point * sq,
                               g: ws.pointH + point * q * q, scratch: ws.formScratch)
    }

    /// The Lobatto coupling of an interval's sample rows to a weight w at its points a, m, b, with
    /// B = ∂f/∂w (2d×q at each point): [−h/6 B_a − h²/12 A_m B_a, −2h/3 B_m, −h/6 B_b + h²/12 A_m B_b]
    /// into `k` (2d × 3q); `scratch` holds 2 · 2d·q numbers.
    @inline(__always)
    func lobattoCoupling(h: Double, am: UnsafePointer<Double>, ba: UnsafePointer<Double>, bm: UnsafePointer<Double>,
                         bb: UnsafePointer<Double>, into k: UnsafeMutablePointer<Double>, scratch p1: UnsafeMutablePointer<Double>) {
        let s = self.s, q = self.q, cw = couplingWidth, p2 = p1 + s * q, c6 = h / 6, c12 = h * h / 12
        BLAS.gemm(m: s, n: q, k: s, a: am, lda: s, b: ba, ldb: q, c: p1, ldc: q)
        BLAS.gemm(m: s, n: q, k: s, a: am, lda: s, b: bb, ldb: q, c: p2, ldc: q)
        for r in 0..<s {
            for e in 0..<q {
                k[r * cw + e] = -c6 * ba[r * q + e] - c12 * p1[r * q + e]
                k[r * cw + q + e] = -4 * c6 * bm[r * q + e]
                k[r * cw + 2 * q + e] = -c6 * bb[r * q + e] + c12 * p2[r * q + e]
            }
        }
    }

    /// Assembles sample `sample`'s blocks at iterate `it` into `ws` and factors A_kk: the interval rows
    /// [G_i H_i] and boundary rows of A_kk, the couplings K_i = ∂(interval rows)/∂θ (and ∂/∂c when the
    /// field uses the conjugate), ∂(end rows)/∂(C, c) and, when the momentum uses θ, ∂(start, end
    /// rows)/∂θ(0), θ(T); the conjugate rows' and readout rows' derivatives in u (A_Ρk), and, when `slot`
    /// is given, the sample's own terms of A_ΩΩ (its G, C_m B and C_m B_c products and readout curvature)
    /// added into `slot` (Ρ rows, row stride `columns`). Lobatto blocks (Notes/collocation.md):
    /// G = −I − h/6 A_a − h/3 A_m − h²/12 A_m A_a, H = I − h/6 A_b − h/3 A_m + h²/12 A_m A_b; the couplings
    /// to a weight w at a, m, b are −h/6 B_a − h²/12 A_m B_a, −2h/3 B_m, −h/6 B_b + h²/12 A_m B_b with B = ∂f/∂w.
    /// Cost O(P (d³ + d² q + d q² + q² d²)) plus the form's derivatives. False when A_kk is singular.
    func assemble(sample: Int, at it: StructuredCollocationIterate, workspace ws: StructuredCollocationWorkspace,
                  slot: UnsafeMutablePointer<Double>?, columns: Int) -> Bool {
        let d = self.d, s = self.s, q = self.q, k = self.k, cw = couplingWidth, rowBlock = rowsPerInterval * q
        let ss = s * s, sq = s * q, qq = q * q
        let t1 = ws.scratch + 3 * d * d + 2 * d * q + qq, t2 = t1 + ss, p1 = t2 + ss, p2 = p1 + sq, q1 = p2 + sq, q2 = q1 + sq
        let r1 = q2 + sq, r2 = r1 + qq, readoutScratch = r2 + qq
        let conjugateCoupled = sampleForm.fieldUsesConjugate
        for i in 0..<nodes {
            pointDerivatives(it.states + (sample * nodes + i) * s, at: it, point: nodePoint(i), workspace: ws)
        }
        if lobatto {
            for i in 0..<intervals {
                pointDerivatives(it.middleStates + (sample * intervals + i) * s, at: it, point: 2 * i + 1, workspace: ws)
            }
        }
        do { try ws.lu.prepare(blockSize: s, blockCount: intervals, topRows: d) } catch { return false }
        for i in 0..<intervals {
            let h = step(i), pa = nodePoint(i), pb = nodePoint(i + 1)
            let aa = ws.pointA + pa * ss, ab = ws.pointA + pb * ss, ba = ws.pointB + pa * sq, bb = ws.pointB + pb * sq
            let ca = ws.pointC + pa * sq, cb = ws.pointC + pb * sq
            let block = ws.lu.blockRow(i), kBlock = ws.coupling + i * s * cw, rows = ws.sampleRows + i * rowBlock * 2 * s
            let kConjugate = ws.conjugateCoupling + i * s * cw
            let bca = ws.pointBConjugate + pa * sq, bcb = ws.pointBConjugate + pb * sq
            if lobatto {
                let pm = pa + 1, am = ws.pointA + pm * ss, bm = ws.pointB + pm * sq, cm = ws.pointC + pm * sq
                BLAS.gemm(m: s, n: s, k: s, a: am, lda: s, b: aa, ldb: s, c: t1, ldc: s)
                BLAS.gemm(m: s, n: s, k: s, a: am, lda: s, b: ab, ldb: s, c: t2, ldc: s)
                let c6 = h / 6, c3 = h / 3, c12 = h * h / 12
                for r in 0..<s {
                    for c in 0..<s {
                        block[r * 2 * s + c] = -c6 * aa[r * s + c] - c3 * am[r * s + c] - c12 * t1[r * s + c]
                        block[r * 2 * s + s + c] = -c6 * ab[r * s + c] - c3 * am[r * s + c] + c12 * t2[r * s + c]
                    }
                    block[r * 2 * s + r] -= 1
                    block[r * 2 * s + s + r] += 1
                }
                if q > 0 {
                    lobattoCoupling(h: h, am: am, ba: ba, bm: bm, bb: bb, into: kBlock, scratch: p1)
                    if conjugateCoupled {
                        lobattoCoupling(h: h, am: am, ba: bca, bm: ws.pointBConjugate + pm * sq, bb: bcb, into: kConjugate, scratch: p1)
                    }
                    BLAS.gemm(m: q, n: s, k: s, a: cm, lda: s, b: aa, ldb: s, c: q1, ldc: s)
                    BLAS.gemm(m: q, n: s, k: s, a: cm, lda: s, b: ab, ldb: s, c: q2, ldc: s)
                    for e in 0..<q {
                        let mid = rows + e * 2 * s, simpson = rows + (q + e) * 2 * s
                        for j in 0..<s {
                            mid[j] = -0.125 * h * ca[e * s + j]
                            mid[s + j] = 0.125 * h * cb[e * s + j]
                            simpson[j] = -c6 * ca[e * s + j] - c3 * cm[e * s + j] - c12 * q1[e * s + j]
                            simpson[s + j] = -c6 * cb[e * s + j] - c3 * cm[e * s + j] + c12 * q2[e * s + j]
                        }
                    }
                    if let slot {
                        BLAS.gemm(m: q, n: q, k: s, a: cm, lda: s, b: ba, ldb: q, c: r1, ldc: q)
                        BLAS.gemm(m: q, n: q, k: s, a: cm, lda: s, b: bb, ldb: q, c: r2, ldc: q)
                        let ha = ws.pointH + pa * qq, hb = ws.pointH + pb * qq, hm = ws.pointH + pm * qq
                        let midRow = slot + conjugateRow(i) * columns, simpsonRow = midRow + q * columns
                        for e in 0..<q {
                            for c in 0..<q {
                                midRow[e * columns + thetaColumn(pa) + c] += 0.125 * h * ha[e * q + c]
                                midRow[e * columns + thetaColumn(pb) + c] -= 0.125 * h * hb[e * q + c]
                                simpsonRow[e * columns + thetaColumn(pa) + c] += c6 * ha[e * q + c] - c12 * r1[e * q + c]
                                simpsonRow[e * columns + thetaColumn(pb) + c] += c6 * hb[e * q + c] + c12 * r2[e * q + c]
                                simpsonRow[e * columns + thetaColumn(pm) + c] += 4 * c6 * hm[e * q + c]
                            }
                        }
                        if conjugateCoupled {
                            BLAS.gemm(m: q, n: q, k: s, a: cm, lda: s, b: bca, ldb: q, c: r1, ldc: q)
                            BLAS.gemm(m: q, n: q, k: s, a: cm, lda: s, b: bcb, ldb: q, c: r2, ldc: q)
                            for e in 0..<q {
                                for c in 0..<q {
                                    simpsonRow[e * columns + conjugateColumn(pa) + c] -= c12 * r1[e * q + c]
                                    simpsonRow[e * columns + conjugateColumn(pb) + c] += c12 * r2[e * q + c]
                                }
                            }
                        }
                    }
                }
            } else {
                let c2 = 0.5 * h
                for r in 0..<s {
                    for c in 0..<s {
                        block[r * 2 * s + c] = -c2 * aa[r * s + c]
                        block[r * 2 * s + s + c] = -c2 * ab[r * s + c]
                    }
                    block[r * 2 * s + r] -= 1
                    block[r * 2 * s + s + r] += 1
                    for e in 0..<q {
                        kBlock[r * cw + e] = -c2 * ba[r * q + e]
                        kBlock[r * cw + q + e] = -c2 * bb[r * q + e]
                        if conjugateCoupled {
                            kConjugate[r * cw + e] = -c2 * bca[r * q + e]
                            kConjugate[r * cw + q + e] = -c2 * bcb[r * q + e]
                        }
                    }
                }
                for e in 0..<q {
                    for j in 0..<s {
                        rows[e * 2 * s + j] = -c2 * ca[e * s + j]
                        rows[e * 2 * s + s + j] = -c2 * cb[e * s + j]
                    }
                }
                if let slot, q > 0 {
                    let ha = ws.pointH + pa * qq, hb = ws.pointH + pb * qq, row = slot + conjugateRow(i) * columns
                    for e in 0..<q {
                        for c in 0..<q {
                            row[e * columns + thetaColumn(pa) + c] += c2 * ha[e * q + c]
                            row[e * columns + thetaColumn(pb) + c] += c2 * hb[e * q + c]
                        }
                    }
                }
            }
        }
        // Boundary rows: start m − R_in(x − y_in) (Robin) or x − y_in (Dirichlet), end m + R_out ∇ₓφ(x; C, c).
        let kc = readoutCount
        ws.bottom.update(repeating: 0, count: d * d)
        ws.endCoupling.update(repeating: 0, count: d * kc)
        ws.readoutCurvature.update(repeating: 0, count: kc * kc)
        let uN = it.states + (sample * nodes + intervals) * s
        let readoutValues = k > 0 ? UnsafePointer(it.readout) : readoutPointer
        problem.targets.withUnsafeBufferPointer { t in
            problem.readout.accumulateHessian(x: uN, parameters: readoutValues, width: d,
                                              target: t.baseAddress! + sample * problem.readout.targetWidth, weight: outputWeight,
                                              xx: ws.bottom, xr: ws.endCoupling, rr: ws.readoutCurvature, scratch: readoutScratch)
        }
        let finiteInput = inputWeight.isFinite, u0 = it.states + sample * nodes * s
        ws.lu.withBoundaryBlocks { top, bottom in
            top.update(repeating: 0, count: d * s)
            if finiteInput {
                sampleForm.momentumDerivatives(u0, theta: it.theta, state: top, weights: ws.startWeights, scratch: ws.formScratch)
                for i in 0..<d { top[i * s + i] -= inputWeight }
            } else {
                for i in 0..<d { top[i * s + i] = 1 }
            }
            sampleForm.momentumDerivatives(uN, theta: it.theta + (points - 1) * q, state: bottom, weights: ws.endWeights,
                                           scratch: ws.formScratch)
            for i in 0..<d { for j in 0..<d { bottom[i * s + j] += ws.bottom[i * d + j] } }
        }
        if k > 0 {
            for a in 0..<k { for j in 0..<d { ws.readoutRows[a * d + j] = ws.endCoupling[j * k + a] } }
            // A frozen parameter's row is the unit row (set with the Tikhonov diagonal in the Schur complement).
            for (a, _) in frozenReadout {
                for j in 0..<d { ws.readoutRows[a * d + j] = 0 }
                for b in 0..<k { ws.readoutCurvature[a * k + b] = 0 }
            }
            if let slot {
                let row = slot + readoutRow * columns
                for a in 0..<k { for b in 0..<k { row[a * columns + readoutColumn + b] += ws.readoutCurvature[a * k + b] } }
            }
        }
        return ws.lu.factorPrepared().isSuccess
    }
}
