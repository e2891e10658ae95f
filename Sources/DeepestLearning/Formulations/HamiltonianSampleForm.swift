/// The Hamiltonian form's sample (MATH.md §1.4, version b): u = (x, p), c = π,
/// f = (F(x, θ) + p/r_f, −(∂ₓF)ᵀp), θ' = π/α, π' = λθ − Σ_k ∂_θ[p_k·F], momentum m = p.
/// Derivatives: A = [[∂ₓF, I/r_f], [−H_xx, −(∂ₓF)ᵀ]], B = [∂_θF; −H_xθ], C = −[H_xθᵀ, (∂_θF)ᵀ],
/// G = H_θθ (Hessian blocks of p·F). Cost O(d² + dq) per field, O(d²(d + q) + dq²) per derivative set.
struct HamiltonianSampleForm<Field: DepthField>: StructuredSampleForm {
    let field: Field
    let d: Int, q: Int
    let inverseRf: Double
    let thetaRate: Double, conjugateRate: Double
    var fieldUsesConjugate: Bool { false }
    var momentumUsesWeights: Bool { false }
    var scratchCount: Int { 2 * d * d + 2 * d * q }

    init(_ problem: ContinuousTrainingProblem<Field>) {
        field = problem.field
        d = field.stateDimension
        q = field.parameterCount
        inverseRf = problem.modelPrecision.isFinite ? 1 / problem.modelPrecision : 0
        thetaRate = q > 0 ? 1 / problem.smoothness : 0
        conjugateRate = problem.tikhonov
    }

    @inline(__always)
    func sampleField(_ u: UnsafePointer<Double>, theta: UnsafePointer<Double>, conjugate: UnsafePointer<Double>,
                     into out: UnsafeMutablePointer<Double>, scratch: UnsafeMutablePointer<Double>) {
        field.value(x: u, theta: theta, into: out)
        for j in 0..<d { out[j] += inverseRf * u[d + j] }
        field.stateAdjoint(x: u, theta: theta, costate: u + d, into: out + d)
        for j in 0..<d { out[d + j] = -out[d + j] }
    }

    @inline(__always)
    func weightForce(_ u: UnsafePointer<Double>, theta: UnsafePointer<Double>, into out: UnsafeMutablePointer<Double>,
                     scratch: UnsafeMutablePointer<Double>) {
        field.parameterAdjoint(x: u, theta: theta, costate: u + d, into: out)
    }

    func derivatives(_ u: UnsafePointer<Double>, theta: UnsafePointer<Double>, conjugate: UnsafePointer<Double>,
                     a: UnsafeMutablePointer<Double>, b: UnsafeMutablePointer<Double>, bConjugate: UnsafeMutablePointer<Double>,
                     c: UnsafeMutablePointer<Double>, g: UnsafeMutablePointer<Double>, scratch: UnsafeMutablePointer<Double>) {
        let s = 2 * d
        let js = scratch, jp = js + d * d, hxx = jp + d * q, hxt = hxx + d * d
        field.jacobians(x: u, theta: theta, state: js, parameter: jp)
        field.adjointHessian(x: u, theta: theta, costate: u + d, stateState: hxx, stateParameter: hxt, parameterParameter: g)
        HamiltonianSampleBlock.write(into: a, columns: s, stateOffset: 0, costateOffset: d, width: d, stateJacobian: js,
                                     stateHessian: hxx, inverseRf: inverseRf)
        for i in 0..<d {
            for e in 0..<q {
                b[i * q + e] = jp[i * q + e]
                b[(d + i) * q + e] = -hxt[i * q + e]
                c[e * s + i] = -hxt[i * q + e]
                c[e * s + d + i] = -jp[i * q + e]
            }
        }
    }

    @inline(__always)
    func momentum(_ u: UnsafePointer<Double>, theta: UnsafePointer<Double>, into out: UnsafeMutablePointer<Double>,
                  scratch: UnsafeMutablePointer<Double>) {
        for j in 0..<d { out[j] = u[d + j] }
    }

    func momentumDerivatives(_ u: UnsafePointer<Double>, theta: UnsafePointer<Double>, state: UnsafeMutablePointer<Double>,
                             weights: UnsafeMutablePointer<Double>, scratch: UnsafeMutablePointer<Double>) {
        let s = 2 * d
        state.update(repeating: 0, count: d * s)
        for i in 0..<d { state[i * s + d + i] = 1 }
    }
}
