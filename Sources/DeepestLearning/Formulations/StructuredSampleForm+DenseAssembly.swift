/// The dense first-order forms (`hamiltonianForm()`, `lagrangianForm()`) assembled from a
/// `StructuredSampleForm`: y = (x_1..x_M, second blocks, θ, c[, readout]) in `TrainingStateLayout`,
/// sample k's u_k = (x_k, second block k) gathered from it, θ' = κ_θ c, c' = κ_c θ − Σ_k g(u_k, θ), and
/// the readout rows zero (its stationarity lives in the end conditions). The same per-sample code then
/// serves the dense-block solvers and the structured collocation. Cost O(M (d² + dq)) per field,
/// O(M (d³ + d²q + dq²) + n²) per Jacobian (the n² is clearing the dense matrix).
extension StructuredSampleForm {
    /// u_k into `u` (2d numbers).
    @inline(__always)
    static func gather(_ y: UnsafePointer<Double>, sample k: Int, layout: TrainingStateLayout, into u: UnsafeMutablePointer<Double>) {
        let d = layout.width
        for i in 0..<d {
            u[i] = y[k * d + i]
            u[d + i] = y[layout.secondOffset + k * d + i]
        }
    }

    /// The index in y of component j (0..<2d) of u_k.
    @inline(__always)
    static func index(sample k: Int, component j: Int, layout: TrainingStateLayout) -> Int {
        let d = layout.width
        return j < d ? k * d + j : layout.secondOffset + k * d + j - d
    }

    /// dy = the dense form's vector field at y.
    func denseField(_ y: UnsafePointer<Double>, into dy: UnsafeMutablePointer<Double>, layout: TrainingStateLayout) {
        let m = layout.samples, q = layout.weights, s = 2 * layout.width
        let tOff = layout.weightOffset, cOff = layout.conjugateOffset
        let theta = y + tOff
        for i in 0..<q {
            dy[tOff + i] = thetaRate * y[cOff + i]
            dy[cOff + i] = conjugateRate * theta[i]
        }
        withUnsafeTemporaryAllocation(of: Double.self, capacity: 2 * s + q + scratchCount) { buffer in
            let u = buffer.baseAddress!, out = u + s, g = out + s, scratch = g + q
            for k in 0..<m {
                Self.gather(y, sample: k, layout: layout, into: u)
                sampleField(u, theta: theta, conjugate: y + cOff, into: out, scratch: scratch)
                for j in 0..<s { dy[Self.index(sample: k, component: j, layout: layout)] = out[j] }
                if q > 0 {
                    weightForce(u, theta: theta, into: g, scratch: scratch)
                    for i in 0..<q { dy[cOff + i] -= g[i] }
                }
            }
        }
        for i in layout.readoutOffset..<layout.dimension { dy[i] = 0 }
    }

    /// The dense form's field Jacobian at y, row-major n × n (cleared first).
    func denseJacobian(_ y: UnsafePointer<Double>, into jac: UnsafeMutablePointer<Double>, layout: TrainingStateLayout) {
        let m = layout.samples, q = layout.weights, s = 2 * layout.width, n = layout.dimension
        let tOff = layout.weightOffset, cOff = layout.conjugateOffset
        let theta = y + tOff
        jac.update(repeating: 0, count: n * n)
        withUnsafeTemporaryAllocation(of: Double.self, capacity: s + s * s + 3 * s * q + q * q + scratchCount) { buffer in
            let u = buffer.baseAddress!, a = u + s, b = a + s * s, bc = b + s * q, c = bc + s * q, g = c + q * s
            let scratch = g + q * q
            for k in 0..<m {
                Self.gather(y, sample: k, layout: layout, into: u)
                derivatives(u, theta: theta, conjugate: y + cOff, a: a, b: b, bConjugate: bc, c: c, g: g, scratch: scratch)
                for r in 0..<s {
                    let rowIndex = Self.index(sample: k, component: r, layout: layout), row = jac + rowIndex * n
                    for j in 0..<s { row[Self.index(sample: k, component: j, layout: layout)] = a[r * s + j] }
                    for e in 0..<q {
                        row[tOff + e] = b[r * q + e]
                        if fieldUsesConjugate { row[cOff + e] = bc[r * q + e] }
                        jac[(cOff + e) * n + rowIndex] = c[e * s + r]
                    }
                }
                for e in 0..<(q * q) { jac[(cOff + e / q) * n + tOff + e % q] -= g[e] }
            }
        }
        for i in 0..<q {
            jac[(tOff + i) * n + cOff + i] = thetaRate
            jac[(cOff + i) * n + tOff + i] += conjugateRate
        }
    }
}
