import NumericCore

extension ActionNewtonSolver {
    /// Newton's method for the exactly constrained limit r_f → ∞ of the discrete boundary value problem
    /// (exact inputs): the states are the forward pass of the weights, the costates the backward sweep,
    /// and the unknowns are the weights, with stationarity ∇V(θ) = 0 of the reduced action
    /// V(θ) = A_h(X(θ), θ) = R_out Σ_k φ_k(x_{k,N}(θ)) + Regularization(θ) (model error zero).
    ///
    /// Each iteration evaluates the full-space Newton step of A_h at the action's (large) R_f from the
    /// feasible point X(θ) (the per-sample Schur complement of `step`) with the right side (0, ∇V),
    /// keeps its weight part Δθ and re-projects the states onto the forward pass of θ + Δθ. At a
    /// feasible point the costates R_f e of the penalty vanish; with `options.exactCurvature` (the
    /// default) the backprop adjoints take their place in the second-derivative blocks, so the Schur
    /// complement is, up to O(1/R_f), the exact reduced Hessian ∇²V and the step is Newton's (the
    /// sequential quadratic programming step of min V subject to the ResNet recursion with the
    /// Lagrangian's Hessian); without it, the generalised Gauss–Newton matrix of V (plus the readout's
    /// exact curvature: linear convergence). The fixed points are exactly the zeros of ∇V for any R_f. The
    /// projection removes the penalty method's tiny steps (a step that changes θ by δ breaks the
    /// recursion by O(δ²), which the penalty R_f|e|²/2 would punish). Levenberg–Marquardt damping as in
    /// `solve`; a step is accepted when V does not increase.
    /// Converged: max|∇V| ≤ gradientTolerance · max(1, V), with ∇V from one backprop sweep
    /// (`ResidualNetworkLoss`). Cost per iteration that of `step` plus two forward/backward passes.
    /// Derivation: Notes/deepest-learning-action.md §9b.
    public func solveProjected(parameters initial: [Double],
                               options: ActionNewtonOptions = ActionNewtonOptions()) throws -> ActionNewtonResult {
        let net = action.network
        let samples = Double(action.data.count)
        let scale = action.outputWeight * samples
        let reg = action.regularization
        let reducedRegularization = Regularization(unchecked: reg.tikhonov / scale, reg.smoothness / scale,
                                                   reg.readoutTikhonov / scale)
        let stateCount = action.stateUnknownCount
        var theta = initial
        var u = action.unknowns(parameters: theta)
        // The right side of the Newton system: zero in the states (they satisfy the recursion), ∇V in Θ,
        // so the weight step is −S⁻¹∇V and its fixed points are exactly the zeros of ∇V.
        var rightSide = [Double](repeating: 0, count: action.unknownCount)
        var reduced = [Double](), trialReduced = [Double]()
        let loss = try ResidualNetworkLoss(network: net, data: action.data, regularization: reducedRegularization)
        var value = scale * loss.evaluate(parameters: theta, gradient: &reduced)
        var evaluations = 1
        func norm(_ v: [Double]) -> Double { v.reduce(0) { max($0, abs($1)) } * scale }
        func finish(_ status: ActionNewtonResult.Status, _ iterations: Int) -> ActionNewtonResult {
            var g = [Double]()
            let total = action.evaluate(unknowns: u, gradient: &g)
            return ActionNewtonResult(unknowns: u, action: total, parts: action.lastParts, gradientNorm: norm(reduced),
                                      iterations: iterations, evaluations: evaluations, status: status)
        }
        guard value.isFinite, reduced.allSatisfy(\.isFinite) else { return finish(.nonFinite, 0) }
        var mu = options.initialDamping
        var iterations = 0
        while iterations < options.maximumIterations {
            if norm(reduced) <= options.gradientTolerance * max(1, value) { return finish(.converged, iterations) }
            iterations += 1
            for i in 0..<reduced.count { rightSide[stateCount + i] = reduced[i] * scale }
            let multipliers = options.exactCurvature ? adjoints(unknowns: u) : nil
            var accepted = false
            while !accepted {
                if mu > 1e12 { return finish(.stalled, iterations) }
                guard let delta = step(unknowns: u, gradient: rightSide, damping: mu, multipliers: multipliers) else {
                    mu *= 4
                    continue
                }
                var trial = theta
                for i in trial.indices { trial[i] += delta[stateCount + i] }
                let trialValue = scale * loss.evaluate(parameters: trial, gradient: &trialReduced)
                evaluations += 1
                if trialValue.isFinite && trialValue <= value && trialReduced.allSatisfy(\.isFinite) {
                    theta = trial
                    u = action.unknowns(parameters: theta)
                    value = trialValue
                    swap(&reduced, &trialReduced)
                    mu = max(mu / 3, 1e-12)
                    accepted = true
                } else {
                    mu *= 4
                }
            }
        }
        return finish(norm(reduced) <= options.gradientTolerance * max(1, value) ? .converged : .iterationLimit, iterations)
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
