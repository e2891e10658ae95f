import NumericCore

extension ActionNewtonSolver {
    /// Newton's method for the exactly constrained limit r_f → ∞ of the discrete boundary value problem
    /// (exact inputs): the states are the forward pass of the weights, the costates the backward sweep,
    /// and the unknowns are the weights, with stationarity ∇V(θ) = 0 of the reduced action
    /// V(θ) = A_h(X(θ), θ) = R_out Σ_k φ_k(x_{k,N}(θ)) + Regularization(θ) (model error zero).
    ///
    /// Each iteration forms the exact reduced Hessian ∇²V (`reducedHessian`: null-space method with the
    /// backprop adjoints as the Lagrange multipliers of the ResNet recursion, no penalty) and takes
    /// a trust-region step: p minimises the quadratic model gᵀp + ½pᵀ∇²V p in the ball ‖p‖₂ ≤ Δ
    /// (`TrustRegionSubproblem`, Moré–Sorensen; ∇²V is indefinite far from a minimum), the trial
    /// θ + p is accepted when the ratio ρ of the actual to the predicted decrease of V exceeds 1e-4, Δ
    /// becomes ‖p‖/4 when ρ < 1/4 and is doubled when ρ > 3/4 with the step on the boundary; a rejected trial
    /// re-solves the subproblem with the same Hessian; a very successful step on the boundary (ρ > 3/4)
    /// (Δ doubled) is lengthened within the iteration by doubling Δ while V keeps falling with ρ > 1/4. Near a
    /// nondegenerate minimum the step is the interior Newton step and convergence is quadratic;
    /// globally, limit points are stationary with a positive semidefinite Hessian (the second-order
    /// property of nearly exact trust-region steps, Moré and Sorensen 1983, which the subproblem's
    /// hard-case step provides; the lengthening and rounding-level acceptances do not affect it as they
    /// only accept more decrease of V or a smaller gradient). When the predicted
    /// decrease is below 1e-12 max(1, |V|) (rounding level of V) a trial is accepted if it lowers ‖∇V‖_∞.
    /// With `options.exactCurvature == false` the multipliers are zero: the field's second derivatives
    /// drop out and ∇²V is replaced by the generalised Gauss–Newton matrix plus the readout's own
    /// second derivatives (linear convergence).
    ///
    /// Converged: ‖∇V‖_∞ ≤ gradientTolerance · max(1, V) at the current iterate, with ∇V from one backprop
    /// sweep (`ResidualNetworkLoss`). Since V = R_out M J + Reg (J the mean training loss), the test is
    /// independent of M when V ≥ 1. `iterations` counts Hessian evaluations (one per accepted step),
    /// `evaluations` the evaluations of V and ∇V, `gradientNorms` the ‖∇V‖_∞ of the accepted iterates.
    /// Status `stalled`: the radius fell below 1e-12 (1 + ‖θ‖₂) or the model predicts no decrease (the
    /// gradient is at its rounding level); `nonFinite`: V, ∇V, the reduced Hessian or the subproblem's
    /// step is not finite (the last finite iterate is returned); `iterationLimit`: `maximumIterations`
    /// Hessians were used.
    /// Cost per iteration: one reduced Hessian, one adjoint sweep, and per trial the O(W³/3) Cholesky
    /// factorisations of one subproblem (4–5 on average, at most about 20, measured on the default runs)
    /// and one forward/backward pass. Derivation: Notes/deepest-learning-action.md §9c.
    /// - Throws: `InvalidArgument` when the action has free input states (finite R_in).
    public func solveProjected(parameters initial: [Double],
                               options: ActionNewtonOptions = ActionNewtonOptions()) throws -> ActionNewtonResult {
        guard !action.hasInitialStates else {
            throw InvalidArgument("inputWeight", action.inputWeight, "must be infinite (exact inputs) for the constrained rung")
        }
        try Validate.count(initial.count, weightCount, "parameters")
        let net = action.network
        let samples = Double(action.data.count)
        let scale = action.outputWeight * samples
        let reg = action.regularization
        let reducedRegularization = Regularization(unchecked: reg.tikhonov / scale, reg.smoothness / scale,
                                                   reg.readoutTikhonov / scale)
        let w = weightCount
        var theta = initial
        var u = action.unknowns(parameters: theta)
        var gradient = [Double](), trialGradient = [Double](), extendedGradient = [Double]()
        let loss = try ResidualNetworkLoss(network: net, data: action.data, regularization: reducedRegularization)
        loss.frozen = frozenParameters
        var value = scale * loss.evaluate(parameters: theta, gradient: &gradient)
        for i in gradient.indices { gradient[i] *= scale }
        var evaluations = 1
        func norm(_ v: [Double]) -> Double { v.reduce(0) { max($0, abs($1)) } }
        var history = [norm(gradient)]
        func finish(_ status: ActionNewtonResult.Status, _ iterations: Int) -> ActionNewtonResult {
            var g = [Double]()
            let total = action.evaluate(unknowns: u, gradient: &g)
            return ActionNewtonResult(unknowns: u, action: total, parts: action.lastParts, gradientNorm: norm(gradient),
                                      iterations: iterations, evaluations: evaluations, status: status,
                                      gradientNorms: history)
        }
        guard value.isFinite, gradient.allSatisfy(\.isFinite) else { return finish(.nonFinite, 0) }
        func converged() -> Bool { norm(gradient) <= options.gradientTolerance * max(1, value) }
        var radius = max(1, theta.reduce(0) { $0 + $1 * $1 }.squareRoot())
        var subproblem = TrustRegionSubproblem(dimension: w)
        let zeroMultipliers = [Double](repeating: 0, count: action.data.count * net.layers * net.width)
        var iterations = 0
        while iterations < options.maximumIterations {
            if converged() { return finish(.converged, iterations) }
            iterations += 1
            let multipliers = options.exactCurvature ? adjoints(unknowns: u) : zeroMultipliers
            var hessian = reducedHessian(unknowns: u, multipliers: multipliers)
            // Frozen parameters: identity rows and columns, so the step leaves them (their gradient is 0).
            for i in frozenParameters {
                for j in 0..<w { hessian[i * w + j] = 0; hessian[j * w + i] = 0 }
                hessian[i * w + i] = 1
            }
            guard hessian.allSatisfy(\.isFinite) else { return finish(.nonFinite, iterations) }
            var accepted = false, sameHessian = false
            while !accepted {
                let step = subproblem.solve(hessian: hessian, gradient: gradient, radius: radius, sameHessian: sameHessian)
                sameHessian = true
                guard step.predictedDecrease.isFinite, step.step.allSatisfy(\.isFinite) else {
                    return finish(.nonFinite, iterations)
                }
                guard step.predictedDecrease > 0 else { return finish(.stalled, iterations) }
                var trial = theta
                for i in 0..<w { trial[i] += step.step[i] }
                var trialValue = scale * loss.evaluate(parameters: trial, gradient: &trialGradient)
                for i in trialGradient.indices { trialGradient[i] *= scale }
                evaluations += 1
                let finite = trialValue.isFinite && trialGradient.allSatisfy(\.isFinite)
                let ratio = finite ? (value - trialValue) / step.predictedDecrease : -Double.infinity
                let roundingLevel = step.predictedDecrease <= 1e-12 * max(1, abs(value))
                var doubled = false
                if ratio < 0.25 && !roundingLevel {
                    radius = 0.25 * step.norm
                } else if ratio > 0.75 && step.norm >= 0.9 * radius {
                    radius *= 2
                    doubled = true
                }
                if finite && (roundingLevel ? norm(trialGradient) < norm(gradient) : ratio > 1e-4) {
                    // Very successful on the boundary: try longer steps with the same Hessian (internal
                    // doubling) while V keeps falling with ρ > 1/4; keep the best.
                    var candidateNorm = step.norm, candidateRatio = ratio
                    while doubled && !roundingLevel && candidateRatio > 0.75 && candidateNorm >= 0.9 * (radius / 2) {
                        let longer = subproblem.solve(hessian: hessian, gradient: gradient, radius: radius, sameHessian: true)
                        guard longer.norm > 1.1 * candidateNorm, longer.predictedDecrease > 0, longer.predictedDecrease.isFinite,
                              longer.step.allSatisfy(\.isFinite) else { break }
                        var extended = theta
                        for i in 0..<w { extended[i] += longer.step[i] }
                        let extendedValue = scale * loss.evaluate(parameters: extended, gradient: &extendedGradient)
                        for i in extendedGradient.indices { extendedGradient[i] *= scale }
                        evaluations += 1
                        let extendedRatio = (value - extendedValue) / longer.predictedDecrease
                        guard extendedValue.isFinite, extendedGradient.allSatisfy(\.isFinite), extendedValue < trialValue,
                              extendedRatio > 0.25 else {
                            radius /= 2
                            break
                        }
                        trial = extended
                        trialValue = extendedValue
                        swap(&trialGradient, &extendedGradient)
                        candidateNorm = longer.norm
                        candidateRatio = extendedRatio
                        guard extendedRatio > 0.75 && longer.norm >= 0.9 * radius else { break }
                        radius *= 2
                    }
                    theta = trial
                    value = trialValue
                    swap(&gradient, &trialGradient)
                    history.append(norm(gradient))
                    accepted = true
                } else if roundingLevel || radius < 1e-12 * (1 + theta.reduce(0) { $0 + $1 * $1 }.squareRoot()) {
                    return finish(.stalled, iterations)
                }
            }
            u = action.unknowns(parameters: theta)
        }
        return finish(converged() ? .converged : .iterationLimit, iterations)
    }

    /// The backprop adjoints p_{k,n+1}, n = 0..N−1 (M·N·d numbers), of the states in `unknowns` (a
    /// forward pass): p_N = −R_out ∇φ_k(x_{k,N}), p_n = p_{n+1} + h(∂ₓF)ᵀp_{n+1} (`DiscreteCostate.step`).
    /// They are the Lagrange multipliers of the recursion at a feasible point. Cost O(M N d²).
    func adjoints(unknowns: [Double]) -> [Double] {
        let net = action.network, d = net.width, layers = net.layers, h = net.stepSize, mIn = net.inputDimension
        let perSample = action.statesPerSample, first = action.hasInitialStates ? 0 : 1
        let stateCount = action.stateUnknownCount, rout = action.outputWeight
        let readout = net.readout, targetWidth = readout.targetWidth, outputs = readout.outputs
        let blocks = SampleBlocks(count: action.data.count)
        var result = [Double](repeating: 0, count: action.data.count * layers * d)
        var weights = [Double](repeating: 0, count: 2 * layers * d * d)
        let scratchLength = 6 * d + 2 * d * d + outputs + net.readoutParameterCount
        var scratch = [Double](repeating: 0, count: blocks.blockCount * scratchLength)
        unknowns.withUnsafeBufferPointer { uu in
            weights.withUnsafeMutableBufferPointer { net.writeEffectiveWeights(uu.baseAddress! + stateCount, into: $0.baseAddress!) }
        }
        unknowns.withUnsafeBufferPointer { uu in
        weights.withUnsafeBufferPointer { ww in
        action.data.inputs.withUnsafeBufferPointer { ii in
        action.targets.withUnsafeBufferPointer { tt in
        scratch.withUnsafeMutableBufferPointer { sc in
        result.withUnsafeMutableBufferPointer { rr in
            let u = SharedPointer(uu), w = SharedPointer(ww), inputs = SharedPointer(ii), targets = SharedPointer(tt)
            let work = SharedMutablePointer(sc.baseAddress!), out = SharedMutablePointer(rr.baseAddress!)
            Parallel.forEach(blocks.blockCount) { block in
                let base = work.base + block * scratchLength
                let lifted = base, p = base + d, next = base + 2 * d, z = base + 3 * d, a = base + 4 * d
                let spare = base + 5 * d, gK = base + 6 * d, gb = gK + d * d, o = gb + d * d, gr = o + outputs
                let theta = u.base + stateCount
                for sample in blocks.range(block) {
                    let xs = u.base + sample * perSample * d
                    net.lift.apply(inputs.base + sample * mIn, into: lifted)
                    func state(_ n: Int) -> UnsafePointer<Double> {
                        n < first ? UnsafePointer(lifted) : xs + (n - first) * d
                    }
                    _ = readout.loss(x: state(layers), parameters: theta + net.readoutOffset, width: d,
                                     target: targets.base + sample * targetWidth, weight: rout, gradX: p,
                                     gradParameters: gr, scratch: o)
                    for i in 0..<d { p[i] = -p[i] }
                    for n in stride(from: layers - 1, through: 0, by: -1) {
                        (out.base + (sample * layers + n) * d).update(from: p, count: d)
                        guard n > 0 else { break }
                        net.field.evaluate(x: state(n), kTransposed: w.base + (2 * n + 1) * d * d,
                                           bias: theta + net.layerOffset(n) + d * d, preactivation: z, value: a)
                        DiscreteCostate.step(field: net.field, step: h, x: state(n), value: a, k: w.base + 2 * n * d * d,
                                             next: p, result: next, scratch: spare, weightGradient: gK, biasGradient: gb)
                        p.update(from: next, count: d)
                    }
                }
            }
        }}}}}}
        return result
    }
}
