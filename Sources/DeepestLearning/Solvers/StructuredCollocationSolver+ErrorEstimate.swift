import NumericCore

extension StructuredCollocationSolver {
    /// Deferred-correction estimate of the trapezoid rule's global error at the nodes, max |e| over
    /// every node value (absolute), as in `Collocation` (Notes/mesh-refinement.md): with Φ_T the
    /// trapezoid equations (zero at the computed Y) and Φ_S the Simpson (Lobatto IIIA) equations on
    /// the same nodes, Y* − Y ≈ −J⁻¹Φ_S(Y), one solve with the stored factors (the sample blocks are
    /// refactored, the Schur complement reused, as for a simplified Newton correction). Φ_S here:
    /// the sample rows u_1 − u_0 − (h/6)(f_0 + 4f(u_m, θ_m) + f_1) with the compressed midpoints
    /// u_m = (u_0 + u_1)/2 + (h/8)(f_0 − f_1), θ_m = (θ_0 + θ_1)/2 + (hκ_θ/8)(c_0 − c_1),
    /// c_m = (c_0 + c_1)/2 + (h/8)(f_c0 − f_c1), and the c and θ rows of the same rule; start, end, readout and
    /// the conjugate's end rows (π or θ' at 0 and T) are the trapezoid ones, zero at Y. Needs the converged, evaluated iterate in
    /// `current`; uses `trial` as scratch. Cost: one pass over the samples (M N field evaluations) and
    /// one back substitution, O(M N (d³ + d q)). The midpoint sums are added in block order, so the
    /// estimate does not depend on the number of threads. NaN when something is not finite.
    func trapezoidErrorEstimate() -> Double {
        let it = current, estimate = trial
        let nodes = self.nodes, intervals = self.intervals, s = self.s, d = self.d, q = self.q
        var middleWeights = [Double](repeating: 0, count: max(2 * intervals * q, 1))
        for i in 0..<intervals {
            let h = step(i)
            for c in 0..<q {
                middleWeights[2 * i * q + c] = 0.5 * (it.theta[i * q + c] + it.theta[(i + 1) * q + c])
                    + 0.125 * h * thetaRate * (it.conjugate[i * q + c] - it.conjugate[(i + 1) * q + c])
                middleWeights[(2 * i + 1) * q + c] = 0.5 * (it.conjugate[i * q + c] + it.conjugate[(i + 1) * q + c])
                    + 0.125 * h * (conjugateSlope(it, i, c) - conjugateSlope(it, i + 1, c))
            }
        }
        stats.fieldEvaluations += intervals
        let sampleForm = self.sampleForm, weights = UncheckedBox(middleWeights)
        forEachSample { sample, ws in
            let u = it.states + sample * nodes * s, f = it.nodeSlopes + sample * nodes * s
            let r = estimate.sampleResidual + sample * nodes * s
            r.update(repeating: 0, count: nodes * s)
            let um = ws.vector, fm = ws.vector + s
            weights.value.withUnsafeBufferPointer { wb in
                for i in 0..<intervals {
                    let h = self.step(i), u0 = u + i * s, u1 = u0 + s, f0 = f + i * s, f1 = f0 + s
                    let theta = wb.baseAddress! + 2 * i * q
                    for j in 0..<s { um[j] = 0.5 * (u0[j] + u1[j]) + 0.125 * h * (f0[j] - f1[j]) }
                    sampleForm.sampleField(um, theta: theta, conjugate: theta + q, into: fm, scratch: ws.formScratch)
                    if q > 0 {
                        sampleForm.weightForce(um, theta: theta, into: ws.scratch, scratch: ws.formScratch)
                        for a in 0..<q { ws.sums[i * q + a] += ws.scratch[a] }
                    }
                    let row = r + d + i * s
                    for j in 0..<s { row[j] = u1[j] - u0[j] - h / 6 * (f0[j] + 4 * fm[j] + f1[j]) }
                }
            }
        }
        let g = estimate.globalResidual
        g.update(repeating: 0, count: weightCount)
        for i in 0..<intervals {
            let h = step(i), pr = conjugateRow(i), tr = thetaRow(i)
            for c in 0..<q {
                var middleSum = 0.0
                for w in workspaces { middleSum += w.sums[i * q + c] }
                let pa = it.conjugate[i * q + c], pb = it.conjugate[(i + 1) * q + c]
                let ta = it.theta[i * q + c], tb = it.theta[(i + 1) * q + c]
                let fa = conjugateSlope(it, i, c), fb = conjugateSlope(it, i + 1, c)
                let pm = middleWeights[(2 * i + 1) * q + c]
                let fm = conjugateRate * middleWeights[2 * i * q + c] - middleSum
                g[pr + c] = pb - pa - h / 6 * (fa + 4 * fm + fb)
                g[tr + c] = tb - ta - h / 6 * thetaRate * (pa + 4 * pm + pb)
            }
        }
        guard solveLinear(at: current, residualOf: estimate, factorSchur: false) else { return .nan }
        var largest = 0.0
        func include(_ v: Double) {
            if v.isNaN || largest.isNaN { largest = .nan } else if abs(v) > largest { largest = abs(v) }
        }
        for v in sampleStep { include(v) }
        for v in globalStep { include(v) }
        return largest
    }
}
