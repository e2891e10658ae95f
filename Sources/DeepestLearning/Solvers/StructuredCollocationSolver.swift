import BoundaryValue
import Dispatch
import Foundation
import NumericCore

/// The node values of one collocation iterate and everything derived from them: slopes, the
/// compressed midpoint states of the samples, the sums over samples that drive π, and the residual.
/// Raw buffers (allocated once, freed in deinit) so that parallel workers can write disjoint parts.
final class StructuredCollocationIterate: @unchecked Sendable {
    /// Sample trajectories, sample-major: (x_k, p_k) (Lagrangian: (x_k, ẋ_k)) at node i at (k·nodes + i)·2d.
    let states: UnsafeMutablePointer<Double>
    /// θ and its conjugate (π, or θ' in the Lagrangian form) at every collocation point (nodes and, for
    /// Lobatto, midpoints), point-major.
    let theta: UnsafeMutablePointer<Double>
    let conjugate: UnsafeMutablePointer<Double>
    /// The trained readout (C, c) (nothing for a fixed readout).
    let readout: UnsafeMutablePointer<Double>
    let nodeSlopes: UnsafeMutablePointer<Double>
    let middleStates: UnsafeMutablePointer<Double>
    let middleSlopes: UnsafeMutablePointer<Double>
    /// Σ_k g(u_k, θ) at every point (Hamiltonian: Σ_k ∂_θ[p_k·F(x_k, θ)]; `StructuredSampleForm`).
    let adjointSums: UnsafeMutablePointer<Double>
    /// Σ_k R_out ∇_{C,c} φ_k(x_k(T)).
    let readoutGradient: UnsafeMutablePointer<Double>
    /// Per sample, its rows in the order of the almost-block-diagonal system: d start rows, 2d rows per
    /// interval, d end rows.
    let sampleResidual: UnsafeMutablePointer<Double>
    /// The weight rows, in the row order of the Schur system.
    let globalResidual: UnsafeMutablePointer<Double>
    let stateCount: Int, pointCount: Int, readoutCount: Int, globalCount: Int

    init(samples m: Int, nodes: Int, width d: Int, points: Int, weights q: Int, readout k: Int, globalRows: Int) {
        let s = 2 * d
        stateCount = m * nodes * s
        pointCount = points * q
        readoutCount = k
        globalCount = globalRows
        func zeroed(_ count: Int) -> UnsafeMutablePointer<Double> {
            let p = UnsafeMutablePointer<Double>.allocate(capacity: max(count, 1))
            p.initialize(repeating: 0, count: max(count, 1))
            return p
        }
        states = zeroed(stateCount)
        theta = zeroed(pointCount)
        conjugate = zeroed(pointCount)
        readout = zeroed(k)
        nodeSlopes = zeroed(stateCount)
        middleStates = zeroed(m * max(nodes - 1, 0) * s)
        middleSlopes = zeroed(m * max(nodes - 1, 0) * s)
        adjointSums = zeroed(pointCount)
        readoutGradient = zeroed(k)
        sampleResidual = zeroed(stateCount)
        globalResidual = zeroed(globalRows)
    }

    deinit {
        for p in [states, theta, conjugate, readout, nodeSlopes, middleStates, middleSlopes, adjointSums, readoutGradient,
                  sampleResidual, globalResidual] { p.deallocate() }
    }

    func copyNodeValues(from other: StructuredCollocationIterate) {
        states.update(from: other.states, count: stateCount)
        theta.update(from: other.theta, count: pointCount)
        conjugate.update(from: other.conjugate, count: pointCount)
        readout.update(from: other.readout, count: readoutCount)
    }
}

/// Per-block scratch of `StructuredCollocationSolver`: one almost-block-diagonal factorization, the
/// per-point derivative blocks of the sample being worked on, the block's slot of sums and Schur
/// contributions. Each parallel block owns one, so workers never share a workspace.
final class StructuredCollocationWorkspace: @unchecked Sendable {
    let lu = AlmostBlockDiagonalLU()
    private var storage: [UnsafeMutablePointer<Double>] = []
    /// Per point: A = ∂f_k/∂u (2d×2d), B = ∂f_k/∂θ (2d×q), C = ∂f_c/∂u (q×2d), G = ∂g/∂θ (q×q) and,
    /// when the field uses the conjugate, B_c = ∂f_k/∂c (2d×q) (`StructuredSampleForm`).
    let pointA, pointB, pointC, pointH, pointBConjugate: UnsafeMutablePointer<Double>
    /// Per interval: ∂(sample rows)/∂(θ at its points) and ∂(sample rows)/∂(c at its points) (2d × 2q
    /// or 3q each); ∂(conjugate rows)/∂(u at its nodes) (rows × 4d).
    let coupling, conjugateCoupling, sampleRows: UnsafeMutablePointer<Double>
    /// ∂(start rows)/∂θ(0) and ∂(end rows)/∂θ(T) (d×q each, when the momentum uses the weights);
    /// the momentum (d); the form's scratch.
    let startWeights, endWeights, momentum, formScratch: UnsafeMutablePointer<Double>
    /// End rows on the readout (d × k), readout rows on x_N (k × d), R_out ∂∇ₓφ/∂x (d × d), readout curvature (k×k).
    let endCoupling, readoutRows, bottom, readoutCurvature: UnsafeMutablePointer<Double>
    /// Sums over the block's samples (adjoint sums at every point, readout gradient).
    let sums: UnsafeMutablePointer<Double>
    let sumCount: Int
    let scratch: UnsafeMutablePointer<Double>
    let vector: UnsafeMutablePointer<Double>
    /// Right sides solved by the block's samples (columns × nodes·2d) and the Schur slot (Ρ rows × (G + 1)).
    var columns = UnsafeMutablePointer<Double>.allocate(capacity: 1)
    var columnsCapacity = 1
    var slot = UnsafeMutablePointer<Double>.allocate(capacity: 1)
    var slotCapacity = 1
    /// A_Ρk Y (Ρ rows × right sides) of up to `chunkSize` samples, one after the other.
    var product = UnsafeMutablePointer<Double>.allocate(capacity: 1)
    var productCapacity = 1
    /// The couplings of the same samples, so that the slot update −(A_Ρk Y)K runs interval by interval
    /// as one product over the chunk: per interval the chunk's θ couplings K_{b,i} one below the other
    /// (`chunkSize` × 2d rows × cw), then likewise the conjugate couplings, then per sample the tail
    /// (readout, θ(T), θ(0); `tailStride` each).
    static let chunkSize = 8
    let chunkCouplings: UnsafeMutablePointer<Double>
    let tailStride: Int
    /// The chunk's A_Ρb Y_b columns of one interval side by side (Ρ rows × chunkSize·2d), the left
    /// factor of that product.
    var stacked = UnsafeMutablePointer<Double>.allocate(capacity: 1)
    var stackedCapacity = 1

    init(points: Int, width d: Int, weights q: Int, intervals: Int, couplingWidth: Int, rowBlock: Int,
         readoutCount kc: Int, outputs l: Int, nodes: Int, conjugateCoupled: Bool, formScratch formCount: Int) {
        let s = 2 * d
        var list = [UnsafeMutablePointer<Double>]()
        func make(_ count: Int) -> UnsafeMutablePointer<Double> {
            let p = UnsafeMutablePointer<Double>.allocate(capacity: max(count, 1))
            p.initialize(repeating: 0, count: max(count, 1))
            list.append(p)
            return p
        }
        pointA = make(points * s * s)
        pointB = make(points * s * q)
        pointC = make(points * q * s)
        pointH = make(points * q * q)
        pointBConjugate = make(conjugateCoupled ? points * s * q : 0)
        coupling = make(intervals * s * couplingWidth)
        conjugateCoupling = make(conjugateCoupled ? intervals * s * couplingWidth : 0)
        startWeights = make(d * q)
        endWeights = make(d * q)
        momentum = make(d)
        formScratch = make(formCount)
        tailStride = d * kc + 2 * d * q
        chunkCouplings = make(StructuredCollocationWorkspace.chunkSize * (2 * intervals * s * couplingWidth + tailStride))
        sampleRows = make(intervals * rowBlock * 2 * s)
        endCoupling = make(d * kc)
        readoutRows = make(kc * d)
        bottom = make(d * d)
        readoutCurvature = make(kc * kc)
        sumCount = points * q + kc
        sums = make(sumCount)
        scratch = make(3 * d * d + 2 * d * q + q * q + 4 * s * s + 4 * s * q + 4 * q * s + 2 * q * q
                       + 2 * l + l * l + l * d + 2 * d + kc + l + 4 * s)
        vector = make(nodes * s)
        storage = list
    }

    deinit {
        for p in storage { p.deallocate() }
        columns.deallocate()
        slot.deallocate()
        product.deallocate()
        stacked.deallocate()
    }

    func reserve(columns count: Int, slot slotCount: Int, product productCount: Int, stacked stackedCount: Int) {
        if productCount > productCapacity {
            product.deallocate()
            product = UnsafeMutablePointer<Double>.allocate(capacity: productCount)
            productCapacity = productCount
        }
        if stackedCount > stackedCapacity {
            stacked.deallocate()
            stacked = UnsafeMutablePointer<Double>.allocate(capacity: stackedCount)
            stackedCapacity = stackedCount
        }
        if count > columnsCapacity {
            columns.deallocate()
            columns = UnsafeMutablePointer<Double>.allocate(capacity: count)
            columnsCapacity = count
        }
        if slotCount > slotCapacity {
            slot.deallocate()
            slot = UnsafeMutablePointer<Double>.allocate(capacity: slotCount)
            slotCapacity = slotCount
        }
    }
}

/// The solver behind `StructuredCollocation` (Notes/structured-collocation.md). Unknowns: per sample
/// its node values u_k,i = (x_k, p_k)(t_i); the weights θ, π at every collocation point (for Lobatto
/// the midpoint values are unknowns with their defining equation, which keeps the sample blocks
/// independent of each other; they are reset to that equation at every iterate, so the Newton step
/// equals the compressed one); the trained readout. Newton's matrix, ordered (samples, weights), is
/// an arrowhead: per sample an almost-block-diagonal block A_kk (2d unknowns per node, d start rows,
/// d end rows), its coupling A_kΓ to θ and the readout, and A_Ρk from the π and readout rows back to
/// the sample. Eliminating every sample leaves S = A_ΩΩ − Σ_k A_Ρk A_kk⁻¹ A_kΓ, whose sample terms
/// fill only the (π, readout rows) × (θ, readout columns) block. The per-sample mathematics comes from
/// `Form` (`HamiltonianSampleForm`, `LagrangianSampleForm`); in the Lagrangian form the samples also
/// touch the ω columns and θ at both ends, so Γ is every weight column and the start rows are
/// eliminated too (Notes/structured-collocation.md §10).
///
/// `@unchecked Sendable`: parallel loops touch disjoint samples, their own workspace and their own
/// slot; everything shared is read-only during a loop.
final class StructuredCollocationSolver<Form: StructuredSampleForm>: @unchecked Sendable {
    let problem: ContinuousTrainingProblem<Form.Field>
    let sampleForm: Form
    let form: TrainingBoundaryValueProblem
    let options: StructuredCollocation
    let mesh: [Double]
    let lobatto: Bool
    let m: Int, d: Int, s: Int, q: Int
    /// Trained readout parameters (0 for a fixed readout) and the readout's parameter count.
    let k: Int, readoutCount: Int
    let intervals: Int, nodes: Int, points: Int
    /// π rows per interval (2 for Lobatto: midpoint and Simpson; 1 for the trapezoid rule).
    let rowsPerInterval: Int
    let couplingWidth: Int
    /// Γ: the columns the samples touch, (θ at all points, readout) and, when the field uses the
    /// conjugate, every column; Ρ: the rows that touch samples.
    let gammaCount: Int, rhoCount: Int, weightCount: Int
    /// The first row of a sample's system that couples to the weights: the start rows (0) when the
    /// momentum uses θ, else the first interval row (d).
    let firstCoupledRow: Int
    /// κ_θ and κ_c of `StructuredSampleForm`.
    let thetaRate: Double, conjugateRate: Double, outputWeight: Double, inputWeight: Double
    let readoutTikhonov: Double
    /// Frozen readout parameters (`ContinuousTrainingProblem.frozenReadout`): unit rows (C, c)_a − value.
    let frozenReadout: [(index: Int, value: Double)]
    let fixedReadoutStorage: UnsafeMutablePointer<Double>
    let blocks: SampleBlocks
    let workspaces: [StructuredCollocationWorkspace]
    var current: StructuredCollocationIterate
    var trial: StructuredCollocationIterate
    /// Where the stored factors were computed while Newton takes chord steps (`newton`).
    var frozen: StructuredCollocationIterate
    /// The Newton step: per sample node unknowns, and the weights in column order.
    var sampleStep: [Double]
    var globalStep: [Double]
    var schur: [Double]
    var schurPivots: [Int]
    var stats = BoundaryValueStats()

    init(problem: ContinuousTrainingProblem<Form.Field>, sampleForm: Form, form: TrainingBoundaryValueProblem, mesh: [Double],
         options: StructuredCollocation) {
        self.problem = problem
        self.sampleForm = sampleForm
        self.form = form
        self.options = options
        self.mesh = mesh
        lobatto = options.scheme == .lobatto3
        m = problem.samples
        d = problem.field.stateDimension
        s = 2 * d
        q = problem.field.parameterCount
        k = problem.trainedReadoutCount
        readoutCount = problem.readout.parameterCount(width: d)
        nodes = mesh.count
        intervals = nodes - 1
        points = lobatto ? 2 * intervals + 1 : nodes
        rowsPerInterval = lobatto ? 2 : 1
        couplingWidth = (lobatto ? 3 : 2) * q
        rhoCount = intervals * rowsPerInterval * q + k
        weightCount = 2 * points * q + k
        gammaCount = sampleForm.fieldUsesConjugate ? weightCount : points * q + k
        firstCoupledRow = sampleForm.momentumUsesWeights && problem.inputWeight.isFinite ? 0 : d
        thetaRate = sampleForm.thetaRate
        conjugateRate = sampleForm.conjugateRate
        outputWeight = problem.outputWeight
        inputWeight = problem.inputWeight
        if case .trained(let mu) = problem.readoutParameters { readoutTikhonov = mu } else { readoutTikhonov = 0 }
        frozenReadout = problem.frozenReadout.sorted { $0.key < $1.key }.map { (index: $0.key, value: $0.value) }
        fixedReadoutStorage = UnsafeMutablePointer<Double>.allocate(capacity: readoutCount)
        fixedReadoutStorage.initialize(repeating: 0, count: readoutCount)
        if case .fixed(let values) = problem.readoutParameters {
            for i in 0..<min(values.count, readoutCount) { fixedReadoutStorage[i] = values[i] }
        }
        blocks = SampleBlocks(count: m)
        let (pts, dd, qq, nn, cw, rb, kc, l) = (points, d, q, intervals, couplingWidth, rowsPerInterval * q,
                                                readoutCount, problem.readout.outputs)
        let conjugateCoupled = sampleForm.fieldUsesConjugate, formCount = sampleForm.scratchCount
        workspaces = (0..<blocks.blockCount).map { _ in
            StructuredCollocationWorkspace(points: pts, width: dd, weights: qq, intervals: nn, couplingWidth: cw,
                                           rowBlock: rb, readoutCount: kc, outputs: l, nodes: nn + 1,
                                           conjugateCoupled: conjugateCoupled, formScratch: formCount)
        }
        current = StructuredCollocationIterate(samples: m, nodes: nodes, width: d, points: points, weights: q, readout: k,
                                               globalRows: weightCount)
        trial = StructuredCollocationIterate(samples: m, nodes: nodes, width: d, points: points, weights: q, readout: k,
                                             globalRows: weightCount)
        frozen = StructuredCollocationIterate(samples: m, nodes: nodes, width: d, points: points, weights: q, readout: k,
                                              globalRows: weightCount)
        sampleStep = [Double](repeating: 0, count: m * nodes * s)
        globalStep = [Double](repeating: 0, count: weightCount)
        schur = [Double](repeating: 0, count: weightCount * weightCount)
        schurPivots = [Int](repeating: 0, count: weightCount)
    }

    deinit { fixedReadoutStorage.deallocate() }

    @inline(__always) func nodePoint(_ i: Int) -> Int { lobatto ? 2 * i : i }
    @inline(__always) func step(_ i: Int) -> Double { mesh[i + 1] - mesh[i] }
    /// Column of θ at point j, of the readout, of π at point j in the weight system.
    @inline(__always) func thetaColumn(_ j: Int) -> Int { j * q }
    var readoutColumn: Int { points * q }
    @inline(__always) func conjugateColumn(_ j: Int) -> Int { points * q + k + j * q }
    /// First weight row of interval i's π rows and of its θ rows; the readout rows; π(0) = 0, π(T) = 0.
    @inline(__always) func conjugateRow(_ i: Int) -> Int { i * rowsPerInterval * q }
    @inline(__always) func thetaRow(_ i: Int) -> Int { rhoCount + i * rowsPerInterval * q }
    var readoutRow: Int { intervals * rowsPerInterval * q }
    var boundaryRow: Int { rhoCount + intervals * rowsPerInterval * q }
    /// The fixed readout's values (unused for a trained readout, which lives in each iterate).
    var readoutPointer: UnsafePointer<Double> { UnsafePointer(fixedReadoutStorage) }

    // MARK: Driver

    /// Damped Newton on this solver's mesh from `values` (node values in the form's layout); the
    /// iterate it ends on stays in `current`.
    func run(values: [Double]) -> BoundaryValueStatus {
        load(values)
        return newton()
    }

    /// Node values from the form's layout (θ, c at the midpoints are set by `evaluate`).
    func load(_ values: [Double]) {
        let layout = form.layout, n = layout.dimension
        for i in 0..<nodes {
            let y = i * n
            for sample in 0..<m {
                for j in 0..<d {
                    current.states[(sample * nodes + i) * s + j] = values[y + sample * d + j]
                    current.states[(sample * nodes + i) * s + d + j] = values[y + layout.secondOffset + sample * d + j]
                }
            }
            for a in 0..<q {
                current.theta[nodePoint(i) * q + a] = values[y + layout.weightOffset + a]
                current.conjugate[nodePoint(i) * q + a] = values[y + layout.conjugateOffset + a]
            }
        }
        for a in 0..<k { current.readout[a] = values[(nodes - 1) * n + layout.readoutOffset + a] }
    }

    /// Damped Newton with the natural monotonicity test (Notes/collocation.md): a step length α is
    /// accepted when the simplified correction −J⁻¹F(y + αΔ), with the same factors, shrinks by (1 − α/4).
    ///
    /// With `options.reuseFactors`, a full step whose simplified correction contracted by
    /// Θ = |Δ̄|/|Δ| ≤ 1/4 keeps its factors: the next iterations are chord steps, the simplified
    /// correction already computed being the next step (Notes/structured-collocation.md §4a). A chord
    /// step costs the per-sample refactor and one right side (O(M N d³)) instead of the Schur
    /// complement (O(M N² d² q + N³ q³)); it converges linearly at rate Θ and is accepted only at full
    /// length with Θ ≤ 1/2 (at most `maximumChordRun` in a row), else the iteration refactors at the
    /// current point. The fixed point and the stopping test are Newton's; `maxNewtonIterations` caps
    /// the factorizations, `stats.newtonIterations` counts every step.
    func newton() -> BoundaryValueStatus {
        guard evaluate(current) else { return .nonFinite }
        // `chord`: the step arrays hold −J(frozen)⁻¹F(current), with S factored at `frozen`.
        var chord = false, newtonSteps = 0, chordRun = 0
        while true {
            if chord {
                chordRun += 1
            } else {
                guard newtonSteps < options.maxNewtonIterations else { return .maxIterations }
                newtonSteps += 1
                chordRun = 0
                guard solveLinear(at: current, residualOf: current, factorSchur: true) else { return .singularJacobian }
            }
            stats.newtonIterations += 1
            let linearisation = chord ? frozen : current
            let norm = scaledNorm(current)
            if !norm.isFinite { return .nonFinite }
            if norm < options.newtonTolerance {
                applyStep(from: current, to: current, scale: 1)
                return evaluate(current) ? .success : .nonFinite
            }
            let fullStep = (sampleStep, globalStep)
            var alpha = 1.0, accepted = false, simplifiedNorm = Double.infinity
            while alpha >= 1.0 / 1024 {
                (sampleStep, globalStep) = fullStep
                trial.copyNodeValues(from: current)
                applyStep(from: current, to: trial, scale: alpha)
                if evaluate(trial), solveLinear(at: linearisation, residualOf: trial, factorSchur: false) {
                    simplifiedNorm = scaledNorm(trial)
                    let bound = chord ? norm / 2 : (1 - alpha / 4) * norm
                    if simplifiedNorm.isFinite && simplifiedNorm <= bound {
                        accepted = true
                        break
                    }
                }
                if chord { break }
                alpha *= 0.5
            }
            if !accepted {
                if !chord { return .noConvergence }
                // The frozen factors no longer contract: refactor at the current point.
                chord = false
                continue
            }
            let keep = options.reuseFactors && alpha == 1 && simplifiedNorm <= (chord ? norm / 2 : norm / 4)
                && chordRun < Self.maximumChordRun
            if keep && !chord {
                // `current` is where S was factored: it becomes `frozen`, the accepted trial `current`.
                swap(&frozen, &current)
            }
            swap(&current, &trial)
            chord = keep
            if alpha == 1 && simplifiedNorm < options.newtonTolerance {
                // The step arrays hold the simplified correction at the accepted point.
                applyStep(from: current, to: current, scale: 1)
                return evaluate(current) ? .success : .nonFinite
            }
        }
    }

    /// Chord steps in a row before the factors are renewed (each halves the correction at least).
    static var maximumChordRun: Int { 50 }

    /// target(nodes) = source(nodes) + scale · step; the midpoint weights are recomputed by `evaluate`.
    func applyStep(from source: StructuredCollocationIterate, to target: StructuredCollocationIterate, scale: Double) {
        for i in 0..<sampleStep.count { target.states[i] = source.states[i] + scale * sampleStep[i] }
        for i in 0..<nodes {
            let j = nodePoint(i)
            for a in 0..<q {
                target.theta[j * q + a] = source.theta[j * q + a] + scale * globalStep[thetaColumn(j) + a]
                target.conjugate[j * q + a] = source.conjugate[j * q + a] + scale * globalStep[conjugateColumn(j) + a]
            }
        }
        for a in 0..<k { target.readout[a] = source.readout[a] + scale * globalStep[readoutColumn + a] }
    }

    /// max |Δ|/(1 + |y|) over the node values of `iterate`.
    func scaledNorm(_ iterate: StructuredCollocationIterate) -> Double {
        var norm = 0.0
        func include(_ delta: Double, _ y: Double) {
            let v = abs(delta) / (1 + abs(y))
            if v.isNaN || norm.isNaN { norm = .nan } else if v > norm { norm = v }
        }
        for i in 0..<sampleStep.count { include(sampleStep[i], iterate.states[i]) }
        for i in 0..<nodes {
            let j = nodePoint(i)
            for a in 0..<q {
                include(globalStep[thetaColumn(j) + a], iterate.theta[j * q + a])
                include(globalStep[conjugateColumn(j) + a], iterate.conjugate[j * q + a])
            }
        }
        for a in 0..<k { include(globalStep[readoutColumn + a], iterate.readout[a]) }
        return norm
    }

    /// Runs `body(sample, workspace)` for every sample, in parallel over the fixed blocks, after zeroing
    /// each block's sums.
    func forEachSample(_ body: @escaping (Int, StructuredCollocationWorkspace) -> Void) {
        let blocks = self.blocks, workspaces = self.workspaces
        let shared = UncheckedBox(body)
        Parallel.forEach(blocks.blockCount) { block in
            let ws = workspaces[block]
            ws.sums.update(repeating: 0, count: ws.sumCount)
            for sample in blocks.range(block) { shared.value(sample, ws) }
        }
    }
}

/// Carries a value that the workers of one parallel loop only read (or write at disjoint places).
struct UncheckedBox<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}
