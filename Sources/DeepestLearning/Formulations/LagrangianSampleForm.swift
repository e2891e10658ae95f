import NumericCore

/// The Lagrangian form's sample (MATH.md §1.4, second-order form; `lagrangianForm()`): u = (x, v),
/// v = ẋ, c = ω = θ', and with the model error e = v − F(x, θ), A = ∂ₓF, B = ∂_θF:
///
///   f = (v, A v + B ω − Aᵀe),   θ' = ω,   ω' = (λ/α)θ − (r_f/α) Σ_k Bᵀe_k,   momentum m = r_f e.
///
/// Derivatives (Notes/deepest-learning-action.md §6a, with H(e) the Hessian blocks of e·F and
/// (T_x, T_θ) = D²F[(v, ω), ·]): A_f = [[0, I], [T_x − H_xx + AᵀA, A − Aᵀ]], B_f = [0; T_θ − H_xθ + AᵀB],
/// B_c = [0; B], C = −(r_f/α)[H_xθᵀ − BᵀA, Bᵀ], G = (r_f/α)(H_θθ − BᵀB); ∂m/∂u = r_f[−A, I],
/// ∂m/∂θ = −r_f B. The field depends on ω and the momentum on θ, so the structured solver couples the
/// samples to the ω columns and the end points' θ as well (Notes/structured-collocation.md §10).
/// Needs finite r_f and α > 0 (`lagrangianForm()` checks). Cost O(d² + dq) per field,
/// O(d³ + d²q + dq²) plus `tangentDerivatives` per derivative set.
struct LagrangianSampleForm<Field: DepthField>: StructuredSampleForm {
    let field: Field
    let d: Int, q: Int
    let rf: Double
    /// r_f/α, the weight of the samples' force on ω'.
    let forceScale: Double
    let thetaRate: Double, conjugateRate: Double
    var fieldUsesConjugate: Bool { q > 0 }
    var momentumUsesWeights: Bool { q > 0 }
    var scratchCount: Int { 4 * d * d + 4 * d * q + 2 * q * q + 3 * d }

    init(_ problem: ContinuousTrainingProblem<Field>) {
        field = problem.field
        d = field.stateDimension
        q = field.parameterCount
        rf = problem.modelPrecision
        let inverseAlpha = q > 0 ? 1 / problem.smoothness : 0
        forceScale = rf * inverseAlpha
        thetaRate = 1
        conjugateRate = inverseAlpha * problem.tikhonov
    }

    /// e = v − F(x, θ) into `out`.
    @inline(__always)
    func modelError(_ u: UnsafePointer<Double>, theta: UnsafePointer<Double>, into out: UnsafeMutablePointer<Double>) {
        field.value(x: u, theta: theta, into: out)
        for i in 0..<d { out[i] = u[d + i] - out[i] }
    }

    @inline(__always)
    func sampleField(_ u: UnsafePointer<Double>, theta: UnsafePointer<Double>, conjugate: UnsafePointer<Double>,
                     into out: UnsafeMutablePointer<Double>, scratch: UnsafeMutablePointer<Double>) {
        let e = scratch, tangent = e + d, weightTangent = tangent + d
        modelError(u, theta: theta, into: e)
        field.stateTangent(x: u, theta: theta, direction: u + d, into: tangent)
        if q > 0 { field.parameterTangent(x: u, theta: theta, direction: conjugate, into: weightTangent) }
        field.stateAdjoint(x: u, theta: theta, costate: e, into: out + d)
        for i in 0..<d {
            out[i] = u[d + i]
            out[d + i] = tangent[i] + (q > 0 ? weightTangent[i] : 0) - out[d + i]
        }
    }

    @inline(__always)
    func weightForce(_ u: UnsafePointer<Double>, theta: UnsafePointer<Double>, into out: UnsafeMutablePointer<Double>,
                     scratch: UnsafeMutablePointer<Double>) {
        modelError(u, theta: theta, into: scratch)
        field.parameterAdjoint(x: u, theta: theta, costate: scratch, into: out)
        for a in 0..<q { out[a] *= forceScale }
    }

    func derivatives(_ u: UnsafePointer<Double>, theta: UnsafePointer<Double>, conjugate: UnsafePointer<Double>,
                     a: UnsafeMutablePointer<Double>, b: UnsafeMutablePointer<Double>, bConjugate: UnsafeMutablePointer<Double>,
                     c: UnsafeMutablePointer<Double>, g: UnsafeMutablePointer<Double>, scratch: UnsafeMutablePointer<Double>) {
        let s = 2 * d
        let js = scratch, jp = js + d * d, hxx = jp + d * q, hxt = hxx + d * d, htt = hxt + d * q
        let tx = htt + q * q, tt = tx + d * d, ata = tt + d * q, atb = ata + d * d, btb = atb + d * q, misfit = btb + q * q
        modelError(u, theta: theta, into: misfit)
        field.jacobians(x: u, theta: theta, state: js, parameter: jp)
        field.adjointHessian(x: u, theta: theta, costate: misfit, stateState: hxx, stateParameter: hxt, parameterParameter: htt)
        field.tangentDerivatives(x: u, theta: theta, stateDirection: u + d, parameterDirection: conjugate, state: tx, parameter: tt)
        BLAS.gemm(m: d, n: d, k: d, a: js, lda: d, transposeA: true, b: js, ldb: d, c: ata, ldc: d)
        BLAS.gemm(m: d, n: q, k: d, a: js, lda: d, transposeA: true, b: jp, ldb: q, c: atb, ldc: q)
        BLAS.gemm(m: q, n: q, k: d, a: jp, lda: q, transposeA: true, b: jp, ldb: q, c: btb, ldc: q)
        for i in 0..<d {
            for j in 0..<d {
                a[i * s + j] = 0
                a[i * s + d + j] = i == j ? 1 : 0
                a[(d + i) * s + j] = tx[i * d + j] - hxx[i * d + j] + ata[i * d + j]
                a[(d + i) * s + d + j] = js[i * d + j] - js[j * d + i]
            }
            for e in 0..<q {
                b[i * q + e] = 0
                b[(d + i) * q + e] = tt[i * q + e] - hxt[i * q + e] + atb[i * q + e]
                bConjugate[i * q + e] = 0
                bConjugate[(d + i) * q + e] = jp[i * q + e]
                c[e * s + i] = -forceScale * (hxt[i * q + e] - atb[i * q + e])
                c[e * s + d + i] = -forceScale * jp[i * q + e]
            }
        }
        for e in 0..<(q * q) { g[e] = forceScale * (htt[e] - btb[e]) }
    }

    @inline(__always)
    func momentum(_ u: UnsafePointer<Double>, theta: UnsafePointer<Double>, into out: UnsafeMutablePointer<Double>,
                  scratch: UnsafeMutablePointer<Double>) {
        modelError(u, theta: theta, into: out)
        for i in 0..<d { out[i] *= rf }
    }

    func momentumDerivatives(_ u: UnsafePointer<Double>, theta: UnsafePointer<Double>, state: UnsafeMutablePointer<Double>,
                             weights: UnsafeMutablePointer<Double>, scratch: UnsafeMutablePointer<Double>) {
        let s = 2 * d, js = scratch
        field.jacobians(x: u, theta: theta, state: js, parameter: weights)
        for i in 0..<d {
            for j in 0..<d {
                state[i * s + j] = -rf * js[i * d + j]
                state[i * s + d + j] = i == j ? rf : 0
            }
            for e in 0..<q { weights[i * q + e] *= -rf }
        }
    }
}
