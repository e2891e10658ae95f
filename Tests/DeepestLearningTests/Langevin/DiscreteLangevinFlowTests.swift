import Foundation
import NumericCore
import Stochastic
import Testing
@testable import DeepestLearning

/// The Langevin flow of the discrete action A_h (states and weights at finite r_f) against mathematics:
/// its drift is −P∇A_h (finite differences), its stationary law where A_h is quadratic is the Gaussian
/// exp(−A_h/Temp) with the scheme's own Δτ bias, at Temp = 0 it returns to the stationary point Newton's
/// method finds, and its strong and weak orders in τ are 1.
@Suite struct DiscreteLangevinFlowTests {
    /// `LangevinFlowTests`' regression problem, with 6 samples by default.
    static func smallProblem(layers: Int = 4, count: Int = 6) throws -> (ResidualNetwork, Dataset) {
        try LangevinFlowTests.smallProblem(layers: layers, count: count)
    }

    /// −P∇A_h (P = 1/h on states and weights, 1 on the readout, 0 where frozen) against central
    /// differences of A_h, with finite and exact inputs; one noiseless step of Δτ = 1e-9 (implicit
    /// Laplacians and penalties, explicit rest) moves the unknowns by Δτ times that drift.
    @Test func driftIsThePreconditionedNegativeGradient() throws {
        let (network, data) = try Self.smallProblem()
        let regularization = try Regularization(tikhonov: 0.3, smoothness: 0.2, readoutTikhonov: 0.1)
        let frozen: Set<Int> = [network.layerParameterCount + 1, network.readoutOffset]
        for inputWeight in [3.0, Double.infinity] {
            let flow = try DiscreteLangevinFlow(network: network, data: data, modelPrecision: 0.7, inputWeight: inputWeight,
                                                regularization: regularization, schedule: try TemperatureSchedule(.constant, initial: 0),
                                                frozenParameters: frozen)
            let action = flow.action()
            let base = action.unknowns(parameters: network.initialParameters(seed: 4, weightScale: 1.5))
            let point = zip(base, randomVector(base.count, seed: 9, scale: 0.2)).map { $0 + $1 }
            let (_, drift) = try flow.actionAndDrift(point)
            var scratch = [Double]()
            let gradient = centralDifferences(point) { action.evaluate(unknowns: $0, gradient: &scratch) }
            let h = network.stepSize, states = action.stateUnknownCount
            let expected = gradient.enumerated().map { i, g -> Double in
                if i < states { return -g / h }
                let p = i - states
                return frozen.contains(p) ? 0 : (p < network.readoutOffset ? -g / h : -g)
            }
            #expect(relativeError(drift, expected) < 1e-7, "R_in = \(inputWeight)")

            let dt = 1e-9
            let stepper = try DiscreteLangevinStepper(flow, unknowns: point, timeStep: dt)
            #expect(stepper.step(increments: nil))
            let rate = zip(stepper.unknowns, point).map { ($0 - $1) / dt }
            #expect(relativeError(rate, drift) < 1e-5, "step rate against −P∇A_h, R_in = \(inputWeight)")
            for i in frozen { #expect(stepper.parameters[i] == point[states + i]) }
        }
    }

    /// One noiseless step at Δτ = 0.05, where the implicit part matters, equals U + (I + ΔτPQ)⁻¹(−ΔτP∇A_h)
    /// with Q written out here from the action's quadratic terms: (r_f/h)·L on each state path (free at
    /// both ends with finite R_in) plus R_in at x_0, (α/h)·L + hλ on each weight component over the layers,
    /// μ on the readout; a component with a frozen entry keeps its penalties explicit (no Q), and frozen
    /// entries do not move (P = 0). Dense solve against the stepper's Thomas solves.
    @Test func implicitStepSolvesTheQuadraticPartsOfTheAction() throws {
        let (network, data) = try Self.smallProblem(layers: 3, count: 2)
        let regularization = try Regularization(tikhonov: 0.3, smoothness: 0.2, readoutTikhonov: 0.1)
        let q = network.layerParameterCount, d = network.width, layers = network.layers, h = network.stepSize
        let frozen: Set<Int> = [1 * q + 1, network.readoutOffset + 2]
        let rf = 0.7, rin = 3.0, dt = 0.05
        let flow = try DiscreteLangevinFlow(network: network, data: data, modelPrecision: rf, inputWeight: rin,
                                            regularization: regularization, schedule: try TemperatureSchedule(.constant, initial: 0),
                                            frozenParameters: frozen)
        let action = flow.action()
        let base = action.unknowns(parameters: network.initialParameters(seed: 4, weightScale: 1.2))
        let point = zip(base, randomVector(base.count, seed: 10, scale: 0.2)).map { $0 + $1 }
        let n = point.count, states = action.stateUnknownCount, s = action.statesPerSample
        #expect(s == layers + 1)
        var quadratic = [Double](repeating: 0, count: n * n)
        func addPath(first: Int, stride: Int, count: Int, coupling: Double, diagonal: Double) {
            for a in 0..<count {
                let i = first + a * stride
                quadratic[i * n + i] += diagonal + coupling * Double((a > 0 ? 1 : 0) + (a < count - 1 ? 1 : 0))
                if a + 1 < count { quadratic[i * n + i + stride] -= coupling; quadratic[(i + stride) * n + i] -= coupling }
            }
        }
        for k in 0..<data.count {
            for i in 0..<d {
                let first: Int = k * s * d + i
                addPath(first: first, stride: d, count: s, coupling: rf / h, diagonal: 0)
                quadratic[first * n + first] += rin
            }
        }
        for c in 0..<q where !(0..<layers).contains(where: { frozen.contains($0 * q + c) }) {
            addPath(first: states + c, stride: q, count: layers, coupling: regularization.smoothness / h, diagonal: h * regularization.tikhonov)
        }
        for i in network.readoutOffset..<network.parameterCount { quadratic[(states + i) * n + states + i] += regularization.readoutTikhonov }
        let (_, drift) = try flow.actionAndDrift(point)  // −P∇A_h
        let scales = (0..<n).map { i -> Double in
            i < states ? 1 / h : (frozen.contains(i - states) ? 0 : (i - states < network.readoutOffset ? 1 / h : 1))
        }
        var system = [Double](repeating: 0, count: n * n)
        for i in 0..<n { for j in 0..<n { system[i * n + j] = (i == j ? 1 : 0) + dt * scales[i] * quadratic[i * n + j] } }
        let increment = try #require(try DenseLU(matrix: system, dimension: n).solve(drift.map { dt * $0 }))
        let expected = zip(point, increment).map { $0 + $1 }
        let stepper = try DiscreteLangevinStepper(flow, unknowns: point, timeStep: dt)
        #expect(stepper.step(increments: nil))
        #expect(relativeError(stepper.unknowns, expected) < 1e-12)
        #expect(maxDifference(stepper.unknowns, point) > 1e-3, "the step moves the state")
        for i in frozen { #expect(stepper.parameters[i] == point[states + i]) }
    }

    /// With every parameter frozen and K = 0 the field is the constant σ(b_n), so A_h is a quadratic form
    /// in the states: exp(−A_h/Temp) is the Gaussian with mean x* = argmin A_h and covariance Temp·H⁻¹
    /// (H = ∇²A_h). The semi-implicit scheme with implicit part A = P·(r_f/h)L and explicit B = PH − A is
    /// the linear recursion e ← M e + D ξ, M = (I + ΔτA)⁻¹(I − ΔτB), D = (I + ΔτA)⁻¹√(2Temp·P·Δτ), whose
    /// stationary covariance Σ solves Σ = MΣMᵀ + DDᵀ (doubling). H is differenced from the gradient and L
    /// written out here, independently of the stepper. 3000 paths at τ = 8 from x*: mean and covariance
    /// within 4.5 standard errors of (x*, Σ); Σ differs from Temp·H⁻¹ by many standard errors (the Δτ
    /// bias is resolved) and tends to it as Δτ → 0.
    @Test func stationaryLawIsTheGaussianOfTheActionWithTheSchemesBias() throws {
        let (network, data) = try Self.smallProblem(layers: 4, count: 2)
        let d = network.width, q = network.layerParameterCount
        var parameters = randomVector(network.parameterCount, seed: 5, scale: 0.8)
        for n in 0..<network.layers { for i in 0..<(d * d) { parameters[n * q + i] = 0 } }  // K_n = 0
        let rf = 1.0, temperature = 0.05, dt = 0.04
        let flow = try DiscreteLangevinFlow(network: network, data: data, modelPrecision: rf, regularization: .none,
                                            schedule: try TemperatureSchedule(.constant, initial: temperature),
                                            frozenParameters: Set(0..<network.parameterCount))
        let action = flow.action()
        let n = action.stateUnknownCount, h = network.stepSize
        let base = action.unknowns(parameters: parameters)
        func gradient(_ u: [Double]) -> [Double] {
            var g = [Double]()
            action.evaluate(unknowns: u, gradient: &g)
            return Array(g[0..<n])
        }
        // H by central differences of the gradient (exact up to rounding for a quadratic).
        var hessian = [Double](repeating: 0, count: n * n)
        for j in 0..<n {
            var plus = base, minus = base
            plus[j] += 1e-3
            minus[j] -= 1e-3
            let gp = gradient(plus), gm = gradient(minus)
            for i in 0..<n { hessian[i * n + j] = (gp[i] - gm[i]) / 2e-3 }
        }
        for i in 0..<n { for j in 0..<i { let s = 0.5 * (hessian[i * n + j] + hessian[j * n + i]); hessian[i * n + j] = s; hessian[j * n + i] = s } }
        let hLU = try DenseLU(matrix: hessian, dimension: n)
        let step = try #require(hLU.solve(gradient(base)))
        var minimum = base
        for i in 0..<n { minimum[i] -= step[i] }
        #expect(gradient(minimum).reduce(0) { max($0, abs($1)) } < 1e-9)
        var inverseH = [Double](repeating: 0, count: n * n)
        for j in 0..<n {
            var e = [Double](repeating: 0, count: n)
            e[j] = 1
            let column = try #require(hLU.solve(e))
            for i in 0..<n { inverseH[i * n + j] = temperature * column[i] }
        }
        // The grounded-free path Laplacian of each sample's components (exact inputs: x_0 is fixed).
        let s = action.statesPerSample
        var implicit = [Double](repeating: 0, count: n * n)
        for k in 0..<data.count {
            for c in 0..<d {
                for m in 0..<s {
                    let i = k * s * d + m * d + c
                    implicit[i * n + i] = rf / (h * h) * (m < s - 1 ? 2 : 1)
                    if m + 1 < s { implicit[i * n + i + d] = -rf / (h * h); implicit[(i + d) * n + i] = -rf / (h * h) }
                }
            }
        }
        func covariance(timeStep tau: Double) throws -> [Double] {
            var left = identity(n), right = identity(n)
            for i in 0..<(n * n) {
                left[i] += tau * implicit[i]
                right[i] -= tau * (hessian[i] / h - implicit[i])
            }
            let lu = try DenseLU(matrix: left, dimension: n)
            var transition = [Double](repeating: 0, count: n * n), noise = transition
            for j in 0..<n {
                let mColumn = lu.solve((0..<n).map { right[$0 * n + j] })!
                var e = [Double](repeating: 0, count: n)
                e[j] = (2 * temperature * tau / h).squareRoot()
                let dColumn = lu.solve(e)!
                for i in 0..<n { transition[i * n + j] = mColumn[i]; noise[i * n + j] = dColumn[i] }
            }
            var sigma = multiply(noise, transpose(noise, n), n), power = transition
            for _ in 0..<40 {
                sigma = add(sigma, multiply(multiply(power, sigma, n), transpose(power, n), n))
                power = multiply(power, power, n)
            }
            return sigma
        }
        let scheme = try covariance(timeStep: dt)
        // Σ(Δτ) → Temp·H⁻¹ as Δτ → 0, linearly.
        let far = maxDifference(try covariance(timeStep: 2e-3), inverseH), near = maxDifference(try covariance(timeStep: 1e-3), inverseH)
        #expect(abs(far / near - 2) < 0.1, "Σ(Δτ) − Temp·H⁻¹: \(far) at 2e-3, \(near) at 1e-3")

        let paths = 3000, steps = 200
        var sum = [Double](repeating: 0, count: n), products = [Double](repeating: 0, count: n * n)
        for path in 0..<paths {
            let stepper = try DiscreteLangevinStepper(flow, unknowns: minimum, timeStep: dt)
            var stream = XoshiroRandomStream(seed: 17, index: UInt64(path))
            var increments = [Double](repeating: 0, count: stepper.noiseCount)
            for _ in 0..<steps {
                stream.fillGaussian(&increments, standardDeviation: dt.squareRoot())
                _ = increments.withUnsafeBufferPointer { stepper.step(increments: $0.baseAddress!) }
            }
            let e = (0..<n).map { stepper.unknowns[$0] - minimum[$0] }
            for i in 0..<n {
                sum[i] += e[i]
                for j in 0..<n { products[i * n + j] += e[i] * e[j] }
            }
        }
        let count = Double(paths)
        var worstBias = 0.0
        for i in 0..<n {
            #expect(abs(sum[i] / count) < 4.5 * (scheme[i * n + i] / count).squareRoot(), "mean of state \(i)")
            for j in 0..<n {
                let sample = products[i * n + j] / count - sum[i] * sum[j] / (count * count)
                let standardError = ((scheme[i * n + i] * scheme[j * n + j] + scheme[i * n + j] * scheme[i * n + j]) / count).squareRoot()
                #expect(abs(sample - scheme[i * n + j]) < 4.5 * standardError,
                        "covariance (\(i), \(j)): \(sample), scheme \(scheme[i * n + j]), Gaussian \(inverseH[i * n + j])")
                worstBias = max(worstBias, abs(scheme[i * n + j] - inverseH[i * n + j]) / standardError)
            }
        }
        #expect(worstBias > 8, "the Δτ bias is resolved: \(worstBias) standard errors")
    }

    /// At Temp = 0 the flow is the preconditioned gradient flow of A_h: from a perturbation of the point
    /// where Newton's method (the symplectic-euler-penalty rungs' solver) makes ∇A_h = 0 at r_f = 2, a strict
    /// minimum (Haynsworth inertia: no negative eigenvalue), it returns to that point (states and weights).
    @Test func noiselessFlowReturnsToTheNewtonStationaryPoint() throws {
        let (network, data) = try Self.smallProblem()
        let context = try TrainingContext(network: network, data: data, regularization: try Regularization(tikhonov: 0.1, readoutTikhonov: 0.1),
                                          seed: 5, smoothnessScale: Double(data.count))
        var iterate = TrainingIterate(initialParameters: context.initialParameters())
        _ = try DiscreteLBFGSStage(iterations: 20000, gradientTolerance: 1e-11).run(&iterate, in: context, progress: nil)
        let regularization = try context.actionRegularization()
        let action = try TrainingAction(network: network, data: data, modelPrecision: 2, regularization: regularization)
        let solver = ActionNewtonSolver(action: action)
        let newton = solver.solve(from: action.unknowns(parameters: iterate.parameters),
                                  options: ActionNewtonOptions(gradientTolerance: 1e-12, maximumIterations: 100))
        #expect(newton.status == .converged)
        let inertia = try #require(solver.inertia(unknowns: newton.unknowns))
        #expect(inertia.negative == 0 && inertia.zero == 0)
        let flow = try DiscreteLangevinFlow(network: network, data: data, modelPrecision: 2, regularization: regularization,
                                            schedule: try TemperatureSchedule(.constant, initial: 0))
        let perturbed = newton.unknowns.enumerated().map { i, u in u + 1e-3 * sin(Double(i)) }
        let stepper = try DiscreteLangevinStepper(flow, unknowns: perturbed, timeStep: 0.03)
        for _ in 0..<5000 { #expect(stepper.step(increments: nil)) }
        let error = relativeError(stepper.unknowns, newton.unknowns)
        #expect(error < 1e-6, "flow end against Newton's point: \(error)")
    }

    /// Additive noise on a fixed grid: semi-implicit Euler–Maruyama is strong and weak order 1 in τ once
    /// μ_max·Δτ ≲ 1 (μ_max = 4r_f/h² = 64 here; coarser steps show the pre-asymptotic slope of MATH.md
    /// §2.4), measured through the study API on one Brownian path per unknown (states, weights,
    /// readout): τ ∈ [0, 1/4], 16–256 steps, 300 paths against 4096 steps; weak functional |U|², coupled
    /// on the same paths. ±0.15.
    @Test func strongAndWeakOrdersInOptimisationTimeAreOne() throws {
        let (network, data) = try Self.smallProblem(layers: 4, count: 3)
        let flow = try DiscreteLangevinFlow(network: network, data: data, modelPrecision: 1,
                                            regularization: try Regularization(tikhonov: 0.1, smoothness: 0.05),
                                            schedule: try TemperatureSchedule(.constant, initial: 0.05))
        let start = flow.action().unknowns(parameters: network.initialParameters(seed: 2))
        let solver = try DiscreteLangevinPathwiseSolver(flow, start: start, horizon: 0.25)
        let study = try ConvergenceStudy(steps: [16, 32, 64, 128, 256], reference: .fineSolution(StudyResolution(steps: 4096)),
                                         paths: 300, seed: 6, weakFunctional: .squaredNorm)
        let run = try solve(solver, study)
        let strong = try #require(run.strong), weak = try #require(run.weak)
        #expect(run.failedPaths == 0)
        #expect(abs(strong.order - 1) < 0.15, "strong errors \(strong.errors), order \(strong.order)")
        #expect(abs(weak.order - 1) < 0.15, "weak errors \(weak.errors), order \(weak.order)")
    }
}

private func identity(_ n: Int) -> [Double] {
    var m = [Double](repeating: 0, count: n * n)
    for i in 0..<n { m[i * n + i] = 1 }
    return m
}

private func add(_ a: [Double], _ b: [Double]) -> [Double] { zip(a, b).map { $0 + $1 } }

private func maxDifference(_ a: [Double], _ b: [Double]) -> Double { zip(a, b).reduce(0) { max($0, abs($1.0 - $1.1)) } }
