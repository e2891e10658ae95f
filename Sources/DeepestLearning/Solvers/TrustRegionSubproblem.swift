import NumericCore

/// The trust-region subproblem min_p m(p) = gᵀp + ½pᵀHp subject to ‖p‖₂ ≤ Δ for a dense symmetric,
/// possibly indefinite H, solved by the Moré–Sorensen iteration: the solution is p(λ) = −(H + λI)⁻¹g
/// with H + λI positive semidefinite, λ ≥ 0 and λ(Δ − ‖p‖) = 0. If H is positive definite and the
/// Newton step lies inside the region it is returned (λ = 0, one factorisation). Otherwise λ is found by
/// the safeguarded Newton iteration on 1/Δ − 1/‖p(λ)‖ (the secular equation, nearly linear in λ) inside a
/// bracket [λ_L, λ_U] from Gershgorin bounds; a failed Cholesky factorisation (H + λI indefinite) raises
/// λ_L. Accepted when |‖p‖ − Δ| ≤ 0.1Δ, the tolerance under which the step's model decrease is within a
/// fixed fraction of the optimal one (Moré and Sorensen 1983; Nocedal and Wright §4.3).
///
/// Hard case (g nearly orthogonal to the eigenvectors of λ_min(H) < 0, so that ‖p(λ)‖ < Δ for every
/// λ > −λ_min): at each factorisation with ‖p(λ)‖ < Δ and λ > 0, four steps of inverse iteration with
/// the factor of H + λI give a unit vector z with μ = zᵀ(H + λI)z ≈ λ + λ_min; λ − μ is a lower bound on
/// −λ_min (the estimate used below), and p + τz with ‖p + τz‖ = Δ (the root τ of lower model value) is the step. It is
/// accepted when τ²μ ≤ σ(pᵀ(H + λI)p + λΔ²), σ = 1e-8, which bounds its model value within a factor
/// (1 − σ) of the optimum (Moré and Sorensen 1983, Lemma 3.4). When the Newton update leaves the bracket
/// in that situation for the second time in a row the next trial is max(λ_L, λ − μ)(1 + σ/2), just above the
/// estimate of −λ_min (the first time it is the safeguard below), so the hard case costs a few
/// factorisations beyond the first interior one. `sameHessian` re-solves keep the
/// failed shifts as lower bounds, the eigenvector and start from the last shift.
/// Cost: one O(W³/3) factorisation per trial λ plus O(W²) per trial (solves, inverse iteration); on the
/// default spirals and sine runs 4–5 factorisations per call on average, at most about 20
/// (Notes/deepest-learning-action.md §9c).
/// Falls back to the Cauchy point (the model minimiser along −g within the region) if no factorisation
/// succeeded in 40 trials. Allocates only the returned step.
struct TrustRegionSubproblem {
    let dimension: Int
    /// Factor of H + λI.
    private var work: [Double]
    /// p(λ) at the current trial, the Newton-update solve L w = p, the hard-case step, the best step,
    /// the inverse-iteration vector z and Hz.
    private var candidate: [Double], newtonVector: [Double], boundaryStep: [Double], bestStep: [Double]
    private var eigenvector: [Double], product: [Double]
    /// Relative accuracy σ of the hard-case step's model value.
    static let hardCaseTolerance = 1e-8

    init(dimension: Int) {
        self.dimension = dimension
        work = [Double](repeating: 0, count: dimension * dimension)
        candidate = [Double](repeating: 0, count: dimension)
        newtonVector = candidate
        boundaryStep = candidate
        bestStep = candidate
        eigenvector = candidate
        product = candidate
    }

    struct Step {
        /// The step p (length W).
        var step: [Double]
        /// −m(p) = −(gᵀp + ½pᵀHp) ≥ 0.
        var predictedDecrease: Double
        /// The multiplier λ of the constraint ‖p‖ ≤ Δ (0 for an interior Newton step).
        var shift: Double
        var norm: Double
        var factorizations: Int
    }

    static func model(hessian: [Double], gradient: [Double], step: [Double]) -> Double {
        let n = gradient.count
        var value = 0.0
        hessian.withUnsafeBufferPointer { hh in
            for i in 0..<n {
                var row = 0.0
                for j in 0..<n { row += hh[i * n + j] * step[j] }
                value += step[i] * (gradient[i] + 0.5 * row)
            }
        }
        return value
    }

    /// Largest shift at which a factorisation of the last Hessian failed (a lower bound on −λ_min for
    /// that Hessian, valid for every radius) and the last accepted shift.
    private var failedShift = 0.0, lastShift = 0.0
    /// Whether `eigenvector` holds an inverse-iteration vector of the current Hessian.
    private var hasEigenvector = false

    /// - Parameter sameHessian: the Hessian and gradient are those of the previous call (a re-solve with
    ///   another radius): its failed shifts stay lower bounds and its shift is the first guess.
    mutating func solve(hessian: [Double], gradient: [Double], radius: Double, sameHessian: Bool = false) -> Step {
        let n = dimension
        let gradientNorm = gradient.reduce(0) { $0 + $1 * $1 }.squareRoot()
        var rowSum = 0.0, minimumDiagonal = Double.infinity
        for i in 0..<n {
            var s = 0.0
            for j in 0..<n { s += abs(hessian[i * n + j]) }
            rowSum = max(rowSum, s)
            minimumDiagonal = min(minimumDiagonal, hessian[i * n + i])
        }
        var lower = max(0, -minimumDiagonal, gradientNorm / radius - rowSum)
        var upper = gradientNorm / radius + rowSum
        if sameHessian {
            lower = max(lower, failedShift)
        } else {
            failedShift = 0
            hasEigenvector = false
        }
        var shift = sameHessian ? min(max(lastShift, lower), upper) : lower
        var hasBest = false, bestShift = 0.0, bestNorm = 0.0
        var factorizations = 0
        let sigma = Self.hardCaseTolerance
        var shortTrials = 0, eigenLower = 0.0
        for _ in 0..<40 {
            factorizations += 1
            let positive = work.withUnsafeMutableBufferPointer { ww -> Bool in
                hessian.withUnsafeBufferPointer { hh in ww.baseAddress!.update(from: hh.baseAddress!, count: n * n) }
                for i in 0..<n { ww[i * n + i] += shift }
                return DenseCholesky.factor(ww.baseAddress!, dimension: n)
            }
            if !positive {
                lower = max(lower, shift)
                failedShift = max(failedShift, shift)
                shift = max((lower * upper).squareRoot(), lower + 0.01 * (upper - lower))
                if upper - lower <= 1e-14 * max(1, upper) { break }
                continue
            }
            let pNorm = work.withUnsafeBufferPointer { ww in
                candidate.withUnsafeMutableBufferPointer { pp -> Double in
                    for i in 0..<n { pp[i] = -gradient[i] }
                    DenseCholesky.solve(ww.baseAddress!, dimension: n, pp.baseAddress!)
                    var sum = 0.0
                    for i in 0..<n { sum += pp[i] * pp[i] }
                    return sum.squareRoot()
                }
            }
            var hardCase = false
            if pNorm <= radius {
                if shift == 0 || abs(pNorm - radius) <= 0.1 * radius {
                    keep(candidate, shift: shift, norm: pNorm, &hasBest, &bestShift, &bestNorm)
                    break
                }
                upper = shift
                hardCase = true
                let hard = hardCaseStep(hessian: hessian, gradient: gradient, shift: shift, radius: radius, norm: pNorm)
                eigenLower = max(eigenLower, hard.lowerBound)
                if hard.improves {
                    keep(boundaryStep, shift: shift, norm: radius, &hasBest, &bestShift, &bestNorm)
                } else {
                    keep(candidate, shift: shift, norm: pNorm, &hasBest, &bestShift, &bestNorm)
                }
                if hard.accepted { break }
            } else {
                if abs(pNorm - radius) <= 0.1 * radius {
                    keep(candidate, shift: shift, norm: pNorm, &hasBest, &bestShift, &bestNorm)
                    break
                }
                lower = shift
            }
            if upper - lower <= 1e-10 * max(1, upper) { break }
            // Newton on 1/Δ − 1/‖p(λ)‖: λ⁺ = λ + (‖p‖/‖w‖)² (‖p‖ − Δ)/Δ with L w = p.
            let wNorm2 = work.withUnsafeBufferPointer { ww in
                candidate.withUnsafeBufferPointer { pp in
                    newtonVector.withUnsafeMutableBufferPointer { vv -> Double in
                        vv.baseAddress!.update(from: pp.baseAddress!, count: n)
                        DenseCholesky.solveLower(ww.baseAddress!, dimension: n, vv.baseAddress!)
                        var sum = 0.0
                        for i in 0..<n { sum += vv[i] * vv[i] }
                        return sum
                    }
                }
            }
            var next = shift + (pNorm * pNorm / wNorm2) * (pNorm - radius) / radius
            if !(next > lower && next < upper) || !next.isFinite {
                shortTrials = hardCase ? shortTrials + 1 : 0
                let guess = max(lower, eigenLower) * (1 + 0.5 * sigma)
                if shortTrials >= 2 && guess > lower && guess < upper {
                    next = guess
                } else {
                    next = max((lower * upper).squareRoot(), lower + 0.01 * (upper - lower))
                }
            }
            shift = next
        }
        if hasBest {
            lastShift = bestShift
            let step = bestStep
            return Step(step: step, predictedDecrease: -Self.model(hessian: hessian, gradient: gradient, step: step),
                        shift: bestShift, norm: bestNorm, factorizations: factorizations)
        }
        // Cauchy point: p = −τ Δ g/‖g‖, τ = 1 if gᵀHg ≤ 0, else min(1, ‖g‖³/(Δ gᵀHg)).
        var curvature = 0.0
        hessian.withUnsafeBufferPointer { hh in
            for i in 0..<n {
                var row = 0.0
                for j in 0..<n { row += hh[i * n + j] * gradient[j] }
                curvature += gradient[i] * row
            }
        }
        let tau = curvature <= 0 ? 1 : min(1, gradientNorm * gradientNorm * gradientNorm / (radius * curvature))
        let factor = -tau * radius / max(gradientNorm, .leastNormalMagnitude)
        let p = gradient.map { $0 * factor }
        return Step(step: p, predictedDecrease: -Self.model(hessian: hessian, gradient: gradient, step: p), shift: 0,
                    norm: tau * radius, factorizations: factorizations)
    }

    private mutating func keep(_ step: [Double], shift: Double, norm: Double,
                               _ hasBest: inout Bool, _ bestShift: inout Double, _ bestNorm: inout Double) {
        step.withUnsafeBufferPointer { ss in
            bestStep.withUnsafeMutableBufferPointer { $0.baseAddress!.update(from: ss.baseAddress!, count: dimension) }
        }
        hasBest = true
        bestShift = shift
        bestNorm = norm
    }

    /// The Moré–Sorensen hard-case step from the factor of H + λI in `work` and p = p(λ) in `candidate`
    /// (‖p‖ < Δ, λ > 0): inverse iteration for z, then `boundaryStep` = p + τz on the sphere ‖·‖ = Δ.
    /// - Returns: `lowerBound` λ − zᵀ(H + λI)z ≤ −λ_min; `improves`: m(p + τz) < m(p); `accepted`: the
    ///   test τ²μ ≤ σ(pᵀ(H + λI)p + λΔ²).
    private mutating func hardCaseStep(hessian: [Double], gradient: [Double], shift: Double, radius: Double,
                                       norm: Double) -> (lowerBound: Double, improves: Bool, accepted: Bool) {
        let n = dimension
        return work.withUnsafeBufferPointer { ww in
        hessian.withUnsafeBufferPointer { hh in
        candidate.withUnsafeBufferPointer { pp in
        eigenvector.withUnsafeMutableBufferPointer { zz in
        product.withUnsafeMutableBufferPointer { hz in
        boundaryStep.withUnsafeMutableBufferPointer { bb in
            let z = zz.baseAddress!
            func normalize() {
                var sum = 0.0
                for i in 0..<n { sum += z[i] * z[i] }
                let scale = sum > 0 && sum.isFinite ? 1 / sum.squareRoot() : 0
                for i in 0..<n { z[i] *= scale }
            }
            if !hasEigenvector {
                // Deterministic, generic start (fractional parts of multiples of the golden ratio).
                for i in 0..<n {
                    let golden = Double(i + 1) * 0.6180339887498949
                    z[i] = golden - golden.rounded(.down) - 0.5
                }
                normalize()
                hasEigenvector = true
            }
            for _ in 0..<4 {
                DenseCholesky.solve(ww.baseAddress!, dimension: n, z)
                normalize()
            }
            var curvature = 0.0, pz = 0.0, gp = 0.0
            for i in 0..<n {
                var row = 0.0
                for j in 0..<n { row += hh[i * n + j] * z[j] }
                hz[i] = row
                curvature += z[i] * row
                pz += pp[i] * z[i]
                gp += gradient[i] * pp[i]
            }
            let mu = max(0, curvature + shift)
            // ‖p + τz‖² = Δ²: τ² + 2(pᵀz)τ + ‖p‖² − Δ² = 0, roots of opposite signs; stable formulas.
            let root = max(0, pz * pz + radius * radius - norm * norm).squareRoot()
            let large = -(pz + (pz >= 0 ? root : -root))
            let small = large != 0 ? (norm * norm - radius * radius) / large : 0
            // m(p + τz) − m(p) = −λτ pᵀz + ½τ² zᵀHz, since g + Hp = −λp.
            func change(_ tau: Double) -> Double { -shift * tau * pz + 0.5 * tau * tau * curvature }
            let tau = change(large) <= change(small) ? large : small
            for i in 0..<n { bb[i] = pp[i] + tau * z[i] }
            let accepted = tau * tau * mu <= Self.hardCaseTolerance * (-gp + shift * radius * radius)
            return (shift - mu, change(tau) < 0, accepted)
        }}}}}}
    }
}
