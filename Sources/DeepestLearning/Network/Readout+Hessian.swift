import Foundation

extension Readout {
    /// Hessian of weight · φ(x; C, c) for one sample, accumulated into `xx` (d×d), `xr` (d×k) and
    /// `rr` (k×k), k = parameterCount(width:), readout layout (C row-major, then c). With o = Cx + c,
    /// g = ∇_oφ and S = ∇²_oφ (I for least squares, diag(s) − ssᵀ for softmax):
    /// xx = CᵀSC; (x_a, C_ij) = δ_aj g_i + (CᵀS)_ai x_j; (x_a, c_i) = (CᵀS)_ai; (C_ij, C_kl) = S_ik x_j x_l;
    /// (C_ij, c_k) = S_ik x_j; (c_i, c_k) = S_ik. Cost O(l² d²). `scratch` holds 2l + l² + l d numbers.
    @inlinable public func accumulateHessian(
        x: UnsafePointer<Double>, parameters: UnsafePointer<Double>, width d: Int, target: UnsafePointer<Double>,
        weight: Double, xx: UnsafeMutablePointer<Double>, xr: UnsafeMutablePointer<Double>, rr: UnsafeMutablePointer<Double>,
        scratch: UnsafeMutablePointer<Double>
    ) {
        let l = outputs, k = parameterCount(width: d)
        let g = scratch, s = g + l, curvature = s + l, cts = curvature + l * l
        output(x: x, parameters: parameters, width: d, into: g)
        switch self {
        case .leastSquares:
            for i in 0..<l { g[i] -= target[i] }
            for i in 0..<l { for m in 0..<l { curvature[i * l + m] = i == m ? 1 : 0 } }
        case .softmaxCrossEntropy:
            var largest = g[0]
            for i in 1..<l { largest = max(largest, g[i]) }
            var sum = 0.0
            for i in 0..<l { s[i] = exp(g[i] - largest); sum += s[i] }
            for i in 0..<l { s[i] /= sum }
            for i in 0..<l {
                g[i] = s[i]
                for m in 0..<l { curvature[i * l + m] = (i == m ? s[i] : 0) - s[i] * s[m] }
            }
            g[Int(target[0])] -= 1
        }
        // cts[a * l + i] = (CᵀS)_ai
        for a in 0..<d {
            for i in 0..<l {
                var v = 0.0
                for m in 0..<l { v += parameters[m * d + a] * curvature[m * l + i] }
                cts[a * l + i] = v
            }
        }
        for a in 0..<d {
            for b in 0..<d {
                var v = 0.0
                for i in 0..<l { v += cts[a * l + i] * parameters[i * d + b] }
                xx[a * d + b] += weight * v
            }
            let row = xr + a * k
            for i in 0..<l {
                for j in 0..<d { row[i * d + j] += weight * (cts[a * l + i] * x[j] + (j == a ? g[i] : 0)) }
                row[l * d + i] += weight * cts[a * l + i]
            }
        }
        for i in 0..<l {
            for m in 0..<l {
                let sim = weight * curvature[i * l + m]
                if sim == 0 { continue }
                for j in 0..<d {
                    let row = rr + (i * d + j) * k
                    for e in 0..<d { row[m * d + e] += sim * x[j] * x[e] }
                    row[l * d + m] += sim * x[j]
                    rr[(l * d + m) * k + i * d + j] += sim * x[j]
                }
                rr[(l * d + i) * k + l * d + m] += sim
            }
        }
    }
}
