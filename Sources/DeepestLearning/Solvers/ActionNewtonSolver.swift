import Foundation
import NumericCore

/// Options of `ActionNewtonSolver`.
public struct ActionNewtonOptions: Sendable, Hashable {
    /// `solve`: stop when max|∇A_h| ≤ gradientTolerance · max(1, A_h); `solveProjected`: when
    /// max|∇V| ≤ gradientTolerance · max(1, V) for the reduced action V.
    public var gradientTolerance: Double
    /// `solve`: Newton iterations; `solveProjected`: reduced Hessian evaluations (accepted steps).
    public var maximumIterations: Int
    /// `solve` only: initial Levenberg–Marquardt shift μ (H + μI); divided by 3 after an accepted step,
    /// multiplied by 4 after a rejected one.
    public var initialDamping: Double
    /// `solveProjected` only: the exact reduced Hessian ∇²V (multiplier-weighted second derivatives of the
    /// field, i.e. Newton's method on ∇V = 0, quadratic convergence near a nondegenerate minimum) instead
    /// of the generalised Gauss–Newton matrix plus the readout's second derivatives (multipliers zero;
    /// linear convergence).
    public var exactCurvature: Bool

    public init(gradientTolerance: Double = 1e-9, maximumIterations: Int = 50, initialDamping: Double = 1e-3,
                exactCurvature: Bool = true) {
        self.gradientTolerance = gradientTolerance
        self.maximumIterations = maximumIterations
        self.initialDamping = initialDamping
        self.exactCurvature = exactCurvature
    }
}

/// The result of a Newton solve of ∇A_h = 0.
public struct ActionNewtonResult: Sendable {
    public enum Status: String, Sendable, Codable {
        case converged
        /// The iteration limit was reached; `unknowns` is the best point found.
        case iterationLimit
        /// The damping grew beyond 1e12 without a decrease (a saddle region or a singular Hessian).
        case stalled
        /// The action or its gradient became non-finite; `unknowns` is the last finite point.
        case nonFinite
    }

    public let unknowns: [Double]
    public let action: Double
    public let parts: ActionParts
    public let gradientNorm: Double
    public let iterations: Int
    /// Gradient and Hessian evaluations (one each per trial step).
    public let evaluations: Int
    public let status: Status
    /// `solveProjected` only: ‖∇V‖_∞ at the initial and at each accepted iterate.
    public var gradientNorms: [Double] = []
}

/// Newton's method for the stationarity conditions ∇A_h = 0 of the discrete action, i.e. the symplectic
/// Euler discretisation of the Hamiltonian boundary value problem (Notes/deepest-learning-action.md §4),
/// with the exact Hessian, Levenberg–Marquardt damping and a decrease test on A_h.
///
/// Structure: the samples couple only through the weights Θ = (θ_0..θ_{N−1}, C, c). Each sample's
/// state block H_XX is block tridiagonal in the layer index (d×d blocks), so it is factored by block
/// elimination (O(N d³)) and eliminated: the Schur complement S = H_ΘΘ − Σ_k H_ΘX,k H_XX,k⁻¹ H_XΘ,k costs
/// O(N d² W) per sample (W = Nq + k unknown weights), then S ΔΘ = r is one dense solve (O(W³)) and each
/// sample's ΔX_k follows by back substitution. Cost per iteration O(M N d² W + W³): linear in the
/// number of samples M. Samples run in parallel over fixed blocks with per-block Schur slots summed in
/// block order (thread-count independent).
public final class ActionNewtonSolver {
    public let action: TrainingAction
    let d: Int, layers: Int, states: Int, q: Int, readoutCount: Int, weightCount: Int
    /// Parameters (network layout) left fixed by `solve`, `step` and `solveProjected`: their gradient
    /// entries count as 0 and their rows and columns of the Newton matrix are the identity's.
    public var frozenParameters: Set<Int> = []
    private let firstLayer: Int
    /// Per-sample persistent blocks: Dinv (s d²), L (s−1) d², B0 (N d q), B1 (N d q), E (d k).
    private let sampleStride: Int
    private var sampleStorage: [Double]
    private var blockWorkspace: [Double] = []
    private var gradient: [Double] = []
    /// Per-block slots of `reducedHessian`.
    var reducedWorkspace: [Double] = []
    /// Length of one sample block's workspace slot in `blockWorkspace`.
    private var schurBlockLength: Int {
        let w = weightCount, columns = w + 1, outputs = action.network.readout.outputs
        return w * columns + states * d * columns + d * columns + 5 * d * d + 3 * d * q + q * q + 4 * d
            + 2 * outputs + outputs * outputs + outputs * d + d * d
    }

    public init(action: TrainingAction, frozenParameters: Set<Int> = []) {
        self.action = action
        self.frozenParameters = frozenParameters
        let net = action.network
        d = net.width
        layers = net.layers
        states = action.statesPerSample
        q = net.layerParameterCount
        readoutCount = net.readoutParameterCount
        weightCount = net.parameterCount
        firstLayer = action.hasInitialStates ? 0 : 1
        sampleStride = states * d * d + max(states - 1, 0) * d * d + 2 * layers * d * q + d * readoutCount
        sampleStorage = [Double](repeating: 0, count: action.data.count * sampleStride)
    }

    /// Assembles the Schur complement S = H_ΘΘ − Σ_k H_ΘX,k (H_XX,k + μ_X I)⁻¹ H_XΘ,k of the Hessian of A_h
    /// (with the regularisation's Hessian, without damping in Θ) as `matrix` (W×W, row-major) and the
    /// reduced right side −g_Θ + Σ_k H_ΘX,k (H_XX,k + μ_X I)⁻¹ g_X,k as `rightSide`, keeping each sample's
    /// factored blocks for the back substitution. `multipliers` as in `step`. Returns nil when a state
    /// block is singular. Cost O(M N d² W), parallel over sample blocks.
    func assembleSchurComplement(unknowns: [Double], gradient g: [Double], stateDamping mu: Double,
                                 multipliers: [Double]?, stateInertia: UnsafeMutablePointer<Int>? = nil) -> (matrix: [Double], rightSide: [Double])? {
        let m = action.data.count, w = weightCount, columns = w + 1
        let blocks = SampleBlocks(count: m)
        let net = action.network, field = net.field, h = net.stepSize, rf = action.layerPrecision
        let rin = action.inputWeight, rout = action.outputWeight
        let d = self.d, layers = self.layers, s = self.states, q = self.q, k = readoutCount
        let first = firstLayer, stride = sampleStride, stateCount = action.stateUnknownCount, mIn = net.inputDimension
        let targetWidth = net.readout.targetWidth, readout = net.readout
        let blockLength = schurBlockLength
        if blockWorkspace.count != blocks.blockCount * blockLength {
            blockWorkspace = [Double](repeating: 0, count: blocks.blockCount * blockLength)
        }
        let useMultipliers = multipliers != nil
        let multiplierValues = multipliers ?? [0]
        var failed = false
        let failure = UnsafeMutablePointer<Bool>.allocate(capacity: blocks.blockCount)
        failure.initialize(repeating: false, count: blocks.blockCount)
        defer { failure.deallocate() }
        let failureFlags = SharedMutablePointer(failure)
        // With `stateInertia`: per sample block, the negative and the zero eigenvalues of the pivots D̃_j of
        // the block LDLᵀ of every H_XX,k (Haynsworth: In(H_XX,k) = Σ_j In(D̃_j)), at slots 2·block, 2·block + 1.
        let inertiaSlots = stateInertia.map { SharedMutablePointer($0) }
        if let stateInertia { stateInertia.update(repeating: 0, count: 2 * blocks.blockCount) }
        unknowns.withUnsafeBufferPointer { uu in
        g.withUnsafeBufferPointer { gg in
        multiplierValues.withUnsafeBufferPointer { mm in
        action.data.inputs.withUnsafeBufferPointer { ii in
        action.targets.withUnsafeBufferPointer { tt in
        sampleStorage.withUnsafeMutableBufferPointer { ss in
        blockWorkspace.withUnsafeMutableBufferPointer { ww in
            let u = SharedPointer(uu)
            let adjoints = SharedPointer(mm)
            let grad = SharedPointer(gg)
            let inputs = SharedPointer(ii)
            let targets = SharedPointer(tt)
            let storage = SharedMutablePointer(ss.baseAddress!)
            let work = SharedMutablePointer(ww.baseAddress!)
            Parallel.forEach(blocks.blockCount) { block in
                let base = work.base + block * blockLength
                let schur = base                                   // w × columns (last column: right side)
                let y = schur + w * columns                        // s d × columns (H_XΘ, then Z)
                let temp = y + s * d * columns                     // d × columns
                let jx = temp + d * columns, a = jx + d * d, hxx = a + d * d, lTemp = hxx + d * d, inv = lTemp + d * d
                let jp = inv + d * d, hxt = jp + d * q, tmpq = hxt + d * q, htt = tmpq + d * q
                let fx = htt + q * q, e = fx + d, costate = e + d, lifted = costate + d
                let readoutScratch = lifted + d
                let xxN = readoutScratch + 2 * readout.outputs + readout.outputs * readout.outputs + readout.outputs * d
                schur.update(repeating: 0, count: w * columns)
                let theta = u.base + stateCount
                for sample in blocks.range(block) {
                    let sampleBase = storage.base + sample * stride
                    let dinv = sampleBase, lower = dinv + s * d * d, b0 = lower + max(s - 1, 0) * d * d
                    let b1 = b0 + layers * d * q, eBlock = b1 + layers * d * q
                    let xs = u.base + sample * s * d
                    net.lift.apply(inputs.base + sample * mIn, into: lifted)
                    func state(_ n: Int) -> UnsafePointer<Double> {
                        n < first ? UnsafePointer(lifted) : UnsafePointer(xs + (n - first) * d)
                    }
                    // Diagonal blocks D_j are assembled in dinv and inverted in place later.
                    dinv.update(repeating: 0, count: s * d * d)
                    b0.update(repeating: 0, count: 2 * layers * d * q + d * k)
                    for n in 0..<layers {
                        let x = state(n), next = state(n + 1), th = theta + net.layerOffset(n)
                        field.value(x: x, theta: th, into: fx)
                        for i in 0..<d {
                            e[i] = next[i] - x[i] - h * fx[i]
                            costate[i] = useMultipliers ? adjoints.base[(sample * layers + n) * d + i] : rf * e[i]
                        }
                        field.jacobians(x: x, theta: th, state: jx, parameter: jp)
                        field.adjointHessian(x: x, theta: th, costate: costate, stateState: hxx, stateParameter: hxt,
                                             parameterParameter: htt)
                        // A = I + hJ
                        for i in 0..<(d * d) { a[i] = h * jx[i] }
                        for i in 0..<d { a[i * d + i] += 1 }
                        let j1 = n + 1 - first, j0 = n - first
                        let d1 = dinv + j1 * d * d
                        for i in 0..<d { d1[i * d + i] += rf }
                        let b1n = b1 + n * d * q
                        for i in 0..<(d * q) { b1n[i] = -rf * h * jp[i] }
                        if j0 >= 0 {
                            let d0 = dinv + j0 * d * d
                            // D_j0 += R_f AᵀA − h H_xx
                            BLAS.gemm(m: d, n: d, k: d, alpha: rf, a: a, lda: d, transposeA: true, b: a, ldb: d,
                                      beta: 1, c: d0, ldc: d)
                            for i in 0..<(d * d) { d0[i] -= h * hxx[i] }
                            let lj = lower + j0 * d * d
                            for i in 0..<(d * d) { lj[i] = -rf * a[i] }
                            // B0 = R_f h AᵀP − h H_xθ
                            let b0n = b0 + n * d * q
                            BLAS.gemm(m: d, n: q, k: d, alpha: rf * h, a: a, lda: d, transposeA: true, b: jp, ldb: q,
                                      beta: 0, c: b0n, ldc: q)
                            for i in 0..<(d * q) { b0n[i] -= h * hxt[i] }
                        }
                        // S[θ_n, θ_n] += R_f h² PᵀP − h H_θθ
                        let sBlock = schur + (n * q) * columns + n * q
                        BLAS.gemm(m: q, n: q, k: d, alpha: rf * h * h, a: jp, lda: q, transposeA: true, b: jp, ldb: q,
                                  beta: 1, c: sBlock, ldc: columns)
                        for r in 0..<q { for c in 0..<q { sBlock[r * columns + c] -= h * htt[r * q + c] } }
                    }
                    if first == 0 { for i in 0..<d { dinv[i * d + i] += rin } }
                    // Readout: x_N block, (x_N, readout) block E, (readout, readout) into S.
                    xxN.update(repeating: 0, count: d * d)
                    withUnsafeTemporaryAllocation(of: Double.self, capacity: k * k) { rrBuffer in
                        let rr = rrBuffer.baseAddress!
                        rr.update(repeating: 0, count: k * k)
                        readout.accumulateHessian(x: state(layers), parameters: theta + net.readoutOffset, width: d,
                                                  target: targets.base + sample * targetWidth, weight: rout, xx: xxN,
                                                  xr: eBlock, rr: rr, scratch: readoutScratch)
                        let r0 = layers * q
                        for r in 0..<k { for c in 0..<k { schur[(r0 + r) * columns + r0 + c] += rr[r * k + c] } }
                    }
                    let dN = dinv + (s - 1) * d * d
                    for i in 0..<(d * d) { dN[i] += xxN[i] }
                    for j in 0..<s { for i in 0..<d { dinv[j * d * d + i * d + i] += mu } }
                    // Factor: D̃_j = D_j − L_{j−1} D̃_{j−1}⁻¹ L_{j−1}ᵀ, stored inverted.
                    var singular = false
                    for j in 0..<s {
                        let dj = dinv + j * d * d
                        if j > 0 {
                            let lPrev = lower + (j - 1) * d * d, dPrev = dinv + (j - 1) * d * d
                            BLAS.gemm(m: d, n: d, k: d, a: lPrev, lda: d, b: dPrev, ldb: d, c: lTemp, ldc: d)
                            BLAS.gemm(m: d, n: d, k: d, alpha: -1, a: lTemp, lda: d, b: lPrev, ldb: d, transposeB: true,
                                      beta: 1, c: dj, ldc: d)
                        }
                        if let inertiaSlots {
                            let pivot = [Double](UnsafeBufferPointer(start: dj, count: d * d))
                            let symmetric = (0..<(d * d)).map { 0.5 * (pivot[$0] + pivot[($0 % d) * d + $0 / d]) }
                            if let eigen = try? SymmetricEigen(matrix: symmetric, dimension: d) {
                                let scale = max(1, eigen.values.map(abs).max() ?? 0)
                                inertiaSlots[2 * block] += eigen.values.filter { $0 < -1e-9 * scale }.count
                                inertiaSlots[2 * block + 1] += eigen.values.filter { abs($0) <= 1e-9 * scale }.count
                            }
                        }
                        if !SmallDenseSolve.invert(dj, dimension: d, workspace: inv) { singular = true; break }
                    }
                    if singular { failureFlags[block] = true; continue }
                    // Right sides: Y = H_XΘ (dense, from the blocks) and the last column −g_X.
                    y.update(repeating: 0, count: s * d * columns)
                    for n in 0..<layers {
                        let j1 = n + 1 - first, j0 = n - first
                        for i in 0..<d {
                            for c in 0..<q {
                                y[(j1 * d + i) * columns + n * q + c] += b1[n * d * q + i * q + c]
                                if j0 >= 0 { y[(j0 * d + i) * columns + n * q + c] += b0[n * d * q + i * q + c] }
                            }
                        }
                    }
                    for i in 0..<d { for c in 0..<k { y[((s - 1) * d + i) * columns + layers * q + c] = eBlock[i * k + c] } }
                    let gx = grad.base + sample * s * d
                    for r in 0..<(s * d) { y[r * columns + w] = -gx[r] }
                    // Z = H_XX⁻¹ [H_XΘ, −g_X] in place; then S −= H_ΘX Z and rhs −= H_ΘX z from the sparse blocks.
                    SmallDenseSolve.blockTridiagonalSolve(dinv: dinv, lower: lower, blocks: s, size: d, rhs: y,
                                                          columns: columns, temp: temp)
                    // Now y holds Z. Rebuild the sparse Yᵀ contributions from B0, B1, E.
                    for n in 0..<layers {
                        let j1 = n + 1 - first, j0 = n - first
                        BLAS.gemm(m: q, n: columns, k: d, alpha: -1, a: b1 + n * d * q, lda: q, transposeA: true,
                                  b: y + j1 * d * columns, ldb: columns, beta: 1, c: schur + n * q * columns, ldc: columns)
                        if j0 >= 0 {
                            BLAS.gemm(m: q, n: columns, k: d, alpha: -1, a: b0 + n * d * q, lda: q, transposeA: true,
                                      b: y + j0 * d * columns, ldb: columns, beta: 1, c: schur + n * q * columns, ldc: columns)
                        }
                    }
                    BLAS.gemm(m: k, n: columns, k: d, alpha: -1, a: eBlock, lda: k, transposeA: true,
                              b: y + (s - 1) * d * columns, ldb: columns, beta: 1, c: schur + layers * q * columns, ldc: columns)
                }
            }
        }}}}}}}
        for b in 0..<blocks.blockCount where failure[b] { failed = true }
        if failed { return nil }
        // Sum the block slots in order, add −g_Θ and the regularisation Hessian.
        var schurMatrix = [Double](repeating: 0, count: w * w)
        var schurRightSide = [Double](repeating: 0, count: w)
        schurMatrix.withUnsafeMutableBufferPointer { mm in
        schurRightSide.withUnsafeMutableBufferPointer { rr in
        blockWorkspace.withUnsafeBufferPointer { bw in
            for b in 0..<blocks.blockCount {
                let base = b * blockLength
                for r in 0..<w {
                    for c in 0..<w { mm[r * w + c] += bw[base + r * columns + c] }
                    rr[r] += bw[base + r * columns + w]
                }
            }
        }}}
        for r in 0..<w { schurRightSide[r] -= g[stateCount + r] }
        addRegularizationHessian(to: &schurMatrix)
        return (schurMatrix, schurRightSide)
    }

    /// Adds the Hessian of the regularisation (Tikhonov hλ|θ_n|², smoothness (α/h)|θ_{n+1} − θ_n|², readout
    /// Tikhonov) to the W×W row-major `matrix`.
    func addRegularizationHessian(to matrix: inout [Double]) {
        let reg = action.regularization, h = action.network.stepSize, w = weightCount, layers = self.layers, q = self.q
        for n in 0..<layers {
            for i in 0..<q {
                let r = n * q + i
                matrix[r * w + r] += h * reg.tikhonov
                if reg.smoothness > 0 && layers > 1 {
                    let c = reg.smoothness / h
                    if n > 0 { matrix[r * w + r] += c; matrix[r * w + r - q] -= c }
                    if n < layers - 1 { matrix[r * w + r] += c; matrix[r * w + r + q] -= c }
                }
            }
        }
        for r in (layers * q)..<w { matrix[r * w + r] += reg.readoutTikhonov }
    }

    /// The Newton step Δ of (H + μI)Δ = −g at `unknowns` with gradient `gradient`, or nil when a block
    /// or the Schur complement is singular. `multipliers` (M·N·d numbers, p_{k,n+1} for n = 0..N−1 per
    /// sample) replace the penalty's costates R_f e_{k,n} in the second-derivative blocks −h H(p):
    /// with the backprop adjoints at a feasible point this is the Lagrangian Hessian of the exactly
    /// constrained problem (`solveProjected`).
    public func step(unknowns: [Double], gradient g: [Double], damping mu: Double, multipliers: [Double]? = nil) -> [Double]? {
        guard case (var matrix, var rightSide)? = assembleSchurComplement(unknowns: unknowns, gradient: g, stateDamping: mu,
                                                                          multipliers: multipliers) else {
            return nil
        }
        let w = weightCount
        let blocks = SampleBlocks(count: action.data.count)
        let d = self.d, layers = self.layers, s = self.states, q = self.q, k = readoutCount
        let first = firstLayer, stride = sampleStride, stateCount = action.stateUnknownCount
        let blockLength = schurBlockLength
        for r in 0..<w { matrix[r * w + r] += mu }
        for i in frozenParameters {
            for j in 0..<w { matrix[i * w + j] = 0; matrix[j * w + i] = 0 }
            matrix[i * w + i] = 1
            rightSide[i] = 0
        }
        guard let lu = try? DenseLU(matrix: matrix, dimension: w), lu.status.isSuccess,
              let deltaTheta = lu.solve(rightSide) else {
            return nil
        }
        // Back substitution per sample: ΔX_k = H_XX⁻¹(−g_X − H_XΘ ΔΘ).
        var delta = [Double](repeating: 0, count: action.unknownCount)
        for r in 0..<w { delta[stateCount + r] = deltaTheta[r] }
        let dims = (d, q, k, s, layers, first, stride)
        delta.withUnsafeMutableBufferPointer { dd in
        g.withUnsafeBufferPointer { gg in
        sampleStorage.withUnsafeMutableBufferPointer { ss in
        blockWorkspace.withUnsafeMutableBufferPointer { ww in
            let out = SharedMutablePointer(dd.baseAddress!)
            let grad = SharedPointer(gg)
            let storage = SharedMutablePointer(ss.baseAddress!)
            let work = SharedMutablePointer(ww.baseAddress!)
            Parallel.forEach(blocks.blockCount) { block in
                let (d, q, k, s, layers, first, stride) = dims
                let rhsX = work.base + block * blockLength, temp = rhsX + s * d
                let dTheta = out.base + stateCount
                for sample in blocks.range(block) {
                    let sampleBase = storage.base + sample * stride
                    let dinv = sampleBase, lower = dinv + s * d * d, b0 = lower + max(s - 1, 0) * d * d
                    let b1 = b0 + layers * d * q, eBlock = b1 + layers * d * q
                    let gx = grad.base + sample * s * d
                    for r in 0..<(s * d) { rhsX[r] = -gx[r] }
                    for n in 0..<layers {
                        let j1 = n + 1 - first, j0 = n - first
                        BLAS.gemv(m: d, n: q, alpha: -1, a: b1 + n * d * q, lda: q, x: dTheta + n * q, beta: 1,
                                  y: rhsX + j1 * d)
                        if j0 >= 0 {
                            BLAS.gemv(m: d, n: q, alpha: -1, a: b0 + n * d * q, lda: q, x: dTheta + n * q, beta: 1,
                                      y: rhsX + j0 * d)
                        }
                    }
                    BLAS.gemv(m: d, n: k, alpha: -1, a: eBlock, lda: k, x: dTheta + layers * q, beta: 1,
                              y: rhsX + (s - 1) * d)
                    SmallDenseSolve.blockTridiagonalSolve(dinv: dinv, lower: lower, blocks: s, size: d, rhs: rhsX,
                                                          columns: 1, temp: temp)
                    (out.base + sample * s * d).update(from: rhsX, count: s * d)
                }
            }
        }}}}
        return delta
    }

    /// Damped Newton iteration from `initial` (an unknown vector of `action`).
    public func solve(from initial: [Double], options: ActionNewtonOptions = ActionNewtonOptions()) -> ActionNewtonResult {
        var u = initial
        var g = [Double]()
        let stateCount = action.stateUnknownCount, frozen = frozenParameters
        func evaluate(_ point: [Double], _ gradient: inout [Double]) -> Double {
            let value = action.evaluate(unknowns: point, gradient: &gradient)
            for i in frozen { gradient[stateCount + i] = 0 }
            return value
        }
        var value = evaluate(u, &g)
        var parts = action.lastParts
        var evaluations = 1
        var mu = options.initialDamping
        var iterations = 0
        func norm(_ v: [Double]) -> Double { v.reduce(0) { max($0, abs($1)) } }
        guard value.isFinite, g.allSatisfy(\.isFinite) else {
            return ActionNewtonResult(unknowns: u, action: value, parts: parts, gradientNorm: .nan, iterations: 0,
                                      evaluations: 1, status: .nonFinite)
        }
        var trialGradient = [Double]()
        while iterations < options.maximumIterations {
            if norm(g) <= options.gradientTolerance * max(1, value) {
                return ActionNewtonResult(unknowns: u, action: value, parts: parts, gradientNorm: norm(g),
                                          iterations: iterations, evaluations: evaluations, status: .converged)
            }
            iterations += 1
            var accepted = false
            while !accepted {
                if mu > 1e12 {
                    return ActionNewtonResult(unknowns: u, action: value, parts: parts, gradientNorm: norm(g),
                                              iterations: iterations, evaluations: evaluations, status: .stalled)
                }
                guard let delta = step(unknowns: u, gradient: g, damping: mu) else {
                    mu *= 4
                    continue
                }
                let trial = zip(u, delta).map { $0 + $1 }
                let trialValue = evaluate(trial, &trialGradient)
                evaluations += 1
                if trialValue.isFinite && trialValue <= value && trialGradient.allSatisfy(\.isFinite) {
                    u = trial
                    value = trialValue
                    swap(&g, &trialGradient)
                    parts = action.lastParts
                    mu = max(mu / 3, 1e-12)
                    accepted = true
                } else {
                    mu *= 4
                }
            }
        }
        let status: ActionNewtonResult.Status = norm(g) <= options.gradientTolerance * max(1, value) ? .converged : .iterationLimit
        return ActionNewtonResult(unknowns: u, action: value, parts: parts, gradientNorm: norm(g), iterations: iterations,
                                  evaluations: evaluations, status: status)
    }
}
