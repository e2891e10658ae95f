import Foundation
import NumericCore
import Testing
@testable import DeepestLearning

/// The exactly constrained rung (`ActionNewtonSolver.solveProjected`) and its relation to the penalty
/// problems of precision annealing (Notes/deepest-learning-action.md §9b).
@Suite struct ActionNewtonSolverProjectionTests {
    static func problem() throws -> (ResidualNetwork, Dataset, Regularization) {
        let c = ResidualNetworkLossTests.Case(activation: .tanh, antisymmetric: true, classification: true)
        let net = try ResidualNetworkLossTests.network(c, width: 3, layers: 4)
        let data = try randomDataset(count: 12, inputDimension: 2, classes: 3, seed: 83)
        return (net, data, try Regularization(tikhonov: 0.1, smoothness: 0.05, readoutTikhonov: 0.1))
    }

    /// The projected iteration reaches a zero of ∇V, V(θ) = Σφ_k(x_{k,N}(θ)) + Reg(θ) the action on the
    /// forward pass (checked with an independent backprop gradient of the ResNet loss, rescaled), with
    /// model error exactly zero. The penalty solutions θ(r_f) of the same branch approach it as
    /// O(1/r_f) (the multiplier estimate p = R_f e is O(1), so e = O(1/R_f)): fitted slope of
    /// |θ(r_f) − θ*| against 1/r_f is 1 ± 0.1 over r_f = 10^2..10^5.
    @Test func constrainedRungIsTheLimitOfThePenaltyRungs() throws {
        let (net, data, reg) = try Self.problem()
        let precisions = [1e2, 1e3, 1e4, 1e5]
        let action = try TrainingAction(network: net, data: data, modelPrecision: precisions.last ?? 1, regularization: reg)
        let solver = ActionNewtonSolver(action: action)
        let constrained = try solver.solveProjected(parameters: net.initialParameters(seed: 2, weightScale: 0.5),
                                                options: ActionNewtonOptions(gradientTolerance: 1e-11, maximumIterations: 300))
        #expect(constrained.status == .converged, "status \(constrained.status), |∇V| = \(constrained.gradientNorm)")
        #expect(constrained.parts.modelError < 1e-20)
        let theta = action.parameters(of: constrained.unknowns)
        let scale = Double(data.count)
        let check = try ResidualNetworkLoss(network: net, data: data, regularization: Regularization(
            tikhonov: reg.tikhonov / scale, smoothness: reg.smoothness / scale, readoutTikhonov: reg.readoutTikhonov / scale))
        var gradient = [Double]()
        let value = scale * check.evaluate(parameters: theta, gradient: &gradient)
        let norm = gradient.reduce(0) { max($0, abs($1)) } * scale
        #expect(norm <= 1e-10 * max(1, value), "|∇V| = \(norm)")
        var distances = [Double]()
        for r in precisions {
            let penalty = try TrainingAction(network: net, data: data, modelPrecision: r, regularization: reg)
            let result = ActionNewtonSolver(action: penalty).solve(
                from: penalty.unknowns(parameters: theta), options: ActionNewtonOptions(gradientTolerance: 1e-10, maximumIterations: 200))
            #expect(result.status == .converged, "r_f = \(r): \(result.status)")
            let p = penalty.parameters(of: result.unknowns)
            distances.append(zip(p, theta).reduce(0) { max($0, abs($1.0 - $1.1)) })
        }
        let fit = try OrderFit.fit(steps: precisions.map { 1 / $0 }, errors: distances)
        #expect(abs(fit.order - 1) < 0.1, "1/r_f = \(precisions.map { 1 / $0 }), |θ(r_f) − θ*| = \(distances), \(fit)")
    }

    /// Continuation in T: rungs on T_j = T_0 (T/T_0)^{j/J} at r_f0, then the rung at T, reaches the same
    /// stationary point of A_h at T as the direct solve (a well-conditioned problem with a unique
    /// nearby stationary point), to the Newton tolerance.
    @Test func continuationInHorizonMatchesTheDirectSolve() throws {
        let c = ResidualNetworkLossTests.Case(activation: .tanh, antisymmetric: false, classification: false)
        let net = try ResidualNetworkLossTests.network(c, width: 3, layers: 4)
        let data = try randomDataset(count: 12, inputDimension: 2, classes: nil, seed: 83)
        let reg = try Regularization(tikhonov: 1, smoothness: 0.1, readoutTikhonov: 1)
        let options = ActionNewtonOptions(gradientTolerance: 1e-12, maximumIterations: 200)
        let initial = net.initialParameters(seed: 2, weightScale: 0.5)
        let direct = try PrecisionAnnealing.run(network: net, data: data, initialParameters: initial, initialPrecision: 1,
                                                factor: 2, steps: 0, regularization: reg, options: options)
        let continued = try PrecisionAnnealing.run(network: net, data: data, initialParameters: initial, initialPrecision: 1,
                                                   factor: 2, steps: 0, regularization: reg, options: options,
                                                   initialHorizon: net.horizon / 8, horizonSteps: 3)
        #expect(continued.rungs.map(\.beta) == [-3, -2, -1, 0])
        let horizons = continued.rungs.compactMap(\.horizon)
        #expect(horizons.count == 3 && abs(horizons[0] - net.horizon / 8) < 1e-15 && abs(horizons[2] - net.horizon / 2) < 1e-12,
                "\(horizons)")
        for rung in continued.rungs + direct.rungs { #expect(rung.status == "converged", "β \(rung.beta): \(rung.status)") }
        let difference = zip(direct.unknowns, continued.unknowns).reduce(0) { max($0, abs($1.0 - $1.1)) }
        #expect(difference < 1e-9, "max |u_direct − u_continued| = \(difference), actions \(direct.rungs.map(\.action)) \(continued.rungs.map(\.action))")
    }

    /// The reduced action V(θ) = M·J(θ) of `problem`-like data and its backprop gradient, rescaled as in
    /// `solveProjected`.
    static func reducedLoss(_ net: ResidualNetwork, _ data: Dataset, _ reg: Regularization) throws -> (ResidualNetworkLoss, Double) {
        let scale = Double(data.count)
        let loss = try ResidualNetworkLoss(network: net, data: data, regularization: Regularization(
            tikhonov: reg.tikhonov / scale, smoothness: reg.smoothness / scale, readoutTikhonov: reg.readoutTikhonov / scale))
        return (loss, scale)
    }

    /// The null-space reduced Hessian (`reducedHessian`, backprop adjoints as multipliers, no penalty)
    /// is the Hessian of V: it agrees with central differences of the backprop gradient ∇V (step 1e-5,
    /// truncation O(1e-10)) to 1e-6 relative, for cross-entropy and least squares, plain and
    /// antisymmetric fields, with smoothness and Tikhonov terms.
    @Test(arguments: [(false, true), (true, true), (false, false), (true, false)])
    func reducedHessianIsTheHessianOfTheReducedAction(antisymmetric: Bool, classification: Bool) throws {
        let c = ResidualNetworkLossTests.Case(activation: .tanh, antisymmetric: antisymmetric, classification: classification)
        let net = try ResidualNetworkLossTests.network(c, width: 3, layers: 4)
        let data = try randomDataset(count: 12, inputDimension: 2, classes: classification ? 3 : nil, seed: 84)
        let reg = try Regularization(tikhonov: 0.1, smoothness: 0.05, readoutTikhonov: 0.1)
        let action = try TrainingAction(network: net, data: data, modelPrecision: 1e6, regularization: reg)
        let solver = ActionNewtonSolver(action: action)
        let theta = net.initialParameters(seed: 5, weightScale: 0.8)
        let u = action.unknowns(parameters: theta)
        let hessian = solver.reducedHessian(unknowns: u, multipliers: solver.adjoints(unknowns: u))
        let (loss, scale) = try Self.reducedLoss(net, data, reg)
        let w = theta.count
        var plus = [Double](), minus = [Double]()
        var difference = 0.0, largest = 0.0
        for j in 0..<w {
            var tp = theta, tm = theta
            let e = 1e-5
            tp[j] += e; tm[j] -= e
            _ = loss.evaluate(parameters: tp, gradient: &plus)
            _ = loss.evaluate(parameters: tm, gradient: &minus)
            for i in 0..<w {
                let column = scale * (plus[i] - minus[i]) / (2 * e)
                difference = max(difference, abs(column - hessian[i * w + j]))
                largest = max(largest, abs(column))
            }
        }
        #expect(difference <= 1e-6 * largest, "max |H − H_fd| = \(difference), max |H_fd| = \(largest)")
    }

    /// The Moré–Sorensen solution p of min gᵀp + ½pᵀHp, ‖p‖ ≤ Δ, for an indefinite H (eigenvalues −3..5,
    /// random eigenvectors) satisfies the optimality conditions of the subproblem: (H + λI)p = −g
    /// (residual ≤ 1e-10 ‖g‖), H + λI positive semidefinite (λ ≥ −λ_min = 3), and λ > 0 with ‖p‖ within
    /// 10% of Δ; for a positive definite H with Δ beyond the Newton step it returns that step (λ = 0).
    @Test func trustRegionSubproblemSatisfiesItsOptimalityConditions() throws {
        let n = 60
        let stream = RandomStream(seed: 9, index: 1)
        var q = [Double](repeating: 0, count: n * n)
        stream.fillGaussian(&q)
        // Gram–Schmidt: orthonormal rows of q.
        for r in 0..<n {
            for s in 0..<r {
                var dot = 0.0
                for c in 0..<n { dot += q[r * n + c] * q[s * n + c] }
                for c in 0..<n { q[r * n + c] -= dot * q[s * n + c] }
            }
            let length = (0..<n).reduce(0) { $0 + q[r * n + $1] * q[r * n + $1] }.squareRoot()
            for c in 0..<n { q[r * n + c] /= length }
        }
        func matrix(_ eigenvalues: [Double]) -> [Double] {
            var h = [Double](repeating: 0, count: n * n)
            for r in 0..<n { for c in 0..<n { for k in 0..<n { h[r * n + c] += q[k * n + r] * eigenvalues[k] * q[k * n + c] } } }
            return h
        }
        var g = [Double](repeating: 0, count: n)
        stream.fillGaussian(&g)
        let gNorm = g.reduce(0) { $0 + $1 * $1 }.squareRoot()
        func residual(_ h: [Double], _ p: [Double], _ shift: Double) -> Double {
            var worst = 0.0
            for r in 0..<n {
                var value = g[r] + shift * p[r]
                for c in 0..<n { value += h[r * n + c] * p[c] }
                worst = max(worst, abs(value))
            }
            return worst
        }
        let indefinite = matrix((0..<n).map { -3 + 8 * Double($0) / Double(n - 1) })
        var subproblem = TrustRegionSubproblem(dimension: n)
        for radius in [0.1, 1.0, 10.0] {
            let step = subproblem.solve(hessian: indefinite, gradient: g, radius: radius)
            #expect(step.shift >= 3 - 1e-12 && abs(step.norm - radius) <= 0.1 * radius,
                    "Δ = \(radius): λ = \(step.shift), ‖p‖ = \(step.norm)")
            #expect(residual(indefinite, step.step, step.shift) <= 1e-10 * gNorm)
            #expect(step.predictedDecrease > 0)
        }
        let definite = matrix((0..<n).map { 1 + Double($0) / Double(n - 1) })
        let newton = subproblem.solve(hessian: definite, gradient: g, radius: 10 * gNorm)
        #expect(newton.shift == 0 && newton.factorizations == 1 && residual(definite, newton.step, 0) <= 1e-12 * gNorm)
    }

    /// The constrained rung (trust-region Newton on ∇V = 0 with the exact reduced Hessian) from random
    /// weights converges with status `converged` to ‖∇V‖_∞ ≤ 1e-10 max(1, V); at the result the central
    /// differences of V itself (step 1e-5) vanish to 1e-6 of the initial gradient (stationarity checked
    /// without the backprop code); and the last recorded gradient norms converge superlinearly: the
    /// contraction ratios ‖∇V_{k+1}‖/‖∇V_k‖ of the final steps decrease, the last below 1e-2.
    @Test func constrainedRungConvergesSuperlinearlyToAStationaryPoint() throws {
        let (net, data, reg) = try Self.problem()
        let action = try TrainingAction(network: net, data: data, modelPrecision: 1e6, regularization: reg)
        let initial = net.initialParameters(seed: 3, weightScale: 0.5)
        let result = try ActionNewtonSolver(action: action).solveProjected(
            parameters: initial, options: ActionNewtonOptions(gradientTolerance: 1e-10, maximumIterations: 200))
        #expect(result.status == .converged, "status \(result.status), ‖∇V‖ = \(result.gradientNorms.suffix(6))")
        let theta = action.parameters(of: result.unknowns)
        let (loss, scale) = try Self.reducedLoss(net, data, reg)
        var gradient = [Double]()
        let value = scale * loss.evaluate(parameters: theta, gradient: &gradient)
        #expect(gradient.reduce(0) { max($0, abs($1)) } * scale <= 1e-10 * max(1, value))
        var finiteDifference = 0.0
        for j in theta.indices {
            var tp = theta, tm = theta
            tp[j] += 1e-5; tm[j] -= 1e-5
            finiteDifference = max(finiteDifference, abs(scale * (loss.value(parameters: tp) - loss.value(parameters: tm)) / 2e-5))
        }
        let initialNorm = try #require(result.gradientNorms.first)
        #expect(finiteDifference <= 1e-6 * initialNorm, "max |δV/δθ| = \(finiteDifference), initial ‖∇V‖ = \(initialNorm)")
        let norms = result.gradientNorms
        #expect(norms.count >= 4)
        let ratios = zip(norms.dropFirst(), norms).suffix(3).map { $0 / $1 }
        #expect(zip(ratios.dropFirst(), ratios).allSatisfy { $0 < $1 } && (ratios.last ?? 1) < 1e-2,
                "last gradient norms \(norms.suffix(4)), ratios \(ratios)")
    }

    /// Free input states (finite R_in) have no forward pass to project onto: refused with the argument.
    @Test func constrainedRungRefusesFreeInputs() throws {
        let (net, data, reg) = try Self.problem()
        let action = try TrainingAction(network: net, data: data, modelPrecision: 1e3, inputWeight: 10, regularization: reg)
        #expect(throws: InvalidArgument.self) {
            _ = try ActionNewtonSolver(action: action).solveProjected(parameters: net.initialParameters(seed: 2, weightScale: 0.5))
        }
    }
}
