import NumericCore

extension StructuredCollocationSolver {
    /// Fills slopes, midpoint states, sums and residuals of `it` and, for Lobatto, θ and c at the
    /// midpoints from their compressed formula. Two parallel passes over the samples (the midpoint
    /// weights need the sums at the nodes). Cost O(P M (d² + d q)). False when something is not finite.
    func evaluate(_ it: StructuredCollocationIterate) -> Bool {
        stats.fieldEvaluations += nodes + (lobatto ? intervals : 0)
        let nodes = self.nodes, intervals = self.intervals, s = self.s, d = self.d, q = self.q, lobatto = self.lobatto
        let sampleForm = self.sampleForm
        // Pass A: slopes at the nodes, compressed midpoint states, weight forces summed at the nodes.
        forEachSample { sample, ws in
            let u = it.states + sample * nodes * s, f = it.nodeSlopes + sample * nodes * s
            for i in 0..<nodes {
                let point = self.nodePoint(i), theta = it.theta + point * q
                sampleForm.sampleField(u + i * s, theta: theta, conjugate: it.conjugate + point * q, into: f + i * s,
                                       scratch: ws.formScratch)
                if q > 0 {
                    sampleForm.weightForce(u + i * s, theta: theta, into: ws.scratch, scratch: ws.formScratch)
                    for a in 0..<q { ws.sums[point * q + a] += ws.scratch[a] }
                }
            }
            if lobatto {
                let um = it.middleStates + sample * intervals * s
                for i in 0..<intervals {
                    let h = self.step(i)
                    for j in 0..<s {
                        um[i * s + j] = 0.5 * (u[i * s + j] + u[(i + 1) * s + j]) + 0.125 * h * (f[i * s + j] - f[(i + 1) * s + j])
                    }
                }
            }
        }
        reduceSums(into: it.adjointSums, nodes: true)
        if lobatto {
            for i in 0..<intervals {
                let h = step(i), a = 2 * i, b = a + 2, mid = a + 1
                for c in 0..<q {
                    let fa = conjugateSlope(it, a, c), fb = conjugateSlope(it, b, c)
                    it.theta[mid * q + c] = 0.5 * (it.theta[a * q + c] + it.theta[b * q + c])
                        + 0.125 * h * thetaRate * (it.conjugate[a * q + c] - it.conjugate[b * q + c])
                    it.conjugate[mid * q + c] = 0.5 * (it.conjugate[a * q + c] + it.conjugate[b * q + c]) + 0.125 * h * (fa - fb)
                }
            }
        }
        // Pass B: midpoint slopes and sums, the sample rows, the readout gradient.
        let readout = problem.readout, outputs = readout.outputs, targetWidth = readout.targetWidth
        let readoutValues = k > 0 ? UnsafePointer(it.readout) : readoutPointer
        let trained = k > 0, outputWeight = self.outputWeight, sumOffset = points * q
        let targets = UncheckedBox(problem.targets)
        forEachSample { sample, ws in
            let u = it.states + sample * nodes * s, f = it.nodeSlopes + sample * nodes * s
            let r = it.sampleResidual + sample * nodes * s
            sampleForm.momentum(u, theta: it.theta, into: ws.momentum, scratch: ws.formScratch)
            self.problem.startRows(x: u, momentum: ws.momentum, sample: sample, into: r)
            for i in 0..<intervals {
                let h = self.step(i), row = r + d + i * s, u0 = u + i * s, u1 = u0 + s, f0 = f + i * s, f1 = f0 + s
                if lobatto {
                    let um = it.middleStates + (sample * intervals + i) * s
                    let fm = it.middleSlopes + (sample * intervals + i) * s
                    let theta = it.theta + (2 * i + 1) * q
                    sampleForm.sampleField(um, theta: theta, conjugate: it.conjugate + (2 * i + 1) * q, into: fm,
                                           scratch: ws.formScratch)
                    if q > 0 {
                        sampleForm.weightForce(um, theta: theta, into: ws.scratch, scratch: ws.formScratch)
                        for a in 0..<q { ws.sums[(2 * i + 1) * q + a] += ws.scratch[a] }
                    }
                    for j in 0..<s { row[j] = u1[j] - u0[j] - h / 6 * (f0[j] + 4 * fm[j] + f1[j]) }
                } else {
                    for j in 0..<s { row[j] = u1[j] - u0[j] - 0.5 * h * (f0[j] + f1[j]) }
                }
            }
            let uN = u + intervals * s, gradX = ws.scratch, output = gradX + d, unused = output + outputs
            targets.value.withUnsafeBufferPointer { t in
                _ = readout.loss(x: uN, parameters: readoutValues, width: d, target: t.baseAddress! + sample * targetWidth,
                                 weight: outputWeight, gradX: gradX, gradParameters: trained ? ws.sums + sumOffset : unused,
                                 scratch: output)
            }
            sampleForm.momentum(uN, theta: it.theta + (self.points - 1) * q, into: ws.momentum, scratch: ws.formScratch)
            for j in 0..<d { r[d + intervals * s + j] = ws.momentum[j] + gradX[j] }
        }
        reduceSums(into: it.adjointSums, nodes: false)
        for a in 0..<k {
            var total = 0.0
            for w in workspaces { total += w.sums[sumOffset + a] }
            it.readoutGradient[a] = total
        }
        globalRows(it)
        for i in 0..<it.stateCount where !it.sampleResidual[i].isFinite { return false }
        for i in 0..<weightCount where !it.globalResidual[i].isFinite { return false }
        return true
    }

    /// Sums the block slots in block order into `target`: the node points (after pass A) or the
    /// midpoints (after pass B).
    func reduceSums(into target: UnsafeMutablePointer<Double>, nodes: Bool) {
        for j in 0..<points where (!lobatto || j % 2 == 0) == nodes {
            for a in 0..<q {
                var total = 0.0
                for w in workspaces { total += w.sums[j * q + a] }
                target[j * q + a] = total
            }
        }
    }

    /// f_c = κ_c θ − Σ_k g(u_k, θ) at point j, component c (Hamiltonian: λθ − Σ_k ∂_θ[p_k·F]).
    @inline(__always) func conjugateSlope(_ it: StructuredCollocationIterate, _ j: Int, _ c: Int) -> Double {
        conjugateRate * it.theta[j * q + c] - it.adjointSums[j * q + c]
    }

    /// The weight rows (π and θ collocation rows, readout stationarity, π(0) = π(T) = 0).
    func globalRows(_ it: StructuredCollocationIterate) {
        let r = it.globalResidual
        for i in 0..<intervals {
            let h = step(i), a = nodePoint(i), b = nodePoint(i + 1), pr = conjugateRow(i), tr = thetaRow(i)
            for c in 0..<q {
                let pa = it.conjugate[a * q + c], pb = it.conjugate[b * q + c]
                let ta = it.theta[a * q + c], tb = it.theta[b * q + c]
                let fa = conjugateSlope(it, a, c), fb = conjugateSlope(it, b, c)
                if lobatto {
                    let mid = a + 1, pm = it.conjugate[mid * q + c], tm = it.theta[mid * q + c]
                    r[pr + c] = pm - 0.5 * (pa + pb) - 0.125 * h * (fa - fb)
                    r[pr + q + c] = pb - pa - h / 6 * (fa + 4 * conjugateSlope(it, mid, c) + fb)
                    r[tr + c] = tm - 0.5 * (ta + tb) - 0.125 * h * thetaRate * (pa - pb)
                    r[tr + q + c] = tb - ta - h / 6 * thetaRate * (pa + 4 * pm + pb)
                } else {
                    r[pr + c] = pb - pa - 0.5 * h * (fa + fb)
                    r[tr + c] = tb - ta - 0.5 * h * thetaRate * (pa + pb)
                }
            }
        }
        for a in 0..<k { r[readoutRow + a] = it.readoutGradient[a] + readoutTikhonov * it.readout[a] }
        for (a, value) in frozenReadout { r[readoutRow + a] = it.readout[a] - value }
        for c in 0..<q {
            r[boundaryRow + c] = it.conjugate[c]
            r[boundaryRow + q + c] = it.conjugate[(points - 1) * q + c]
        }
    }
}
