import Foundation
import Testing
@testable import DeepestLearning

/// Array evaluation of a built problem.
struct BuiltProblem {
    let problem: TrainingBoundaryValueProblem
    var n: Int { problem.dimension }
    func field(_ y: [Double], _ t: Double = 0) -> [Double] {
        var dy = [Double](repeating: 0, count: n)
        problem.field(t, y, &dy)
        return dy
    }
    func startResidual(_ y: [Double]) -> [Double] {
        var r = [Double](repeating: 0, count: problem.startCount)
        problem.startResidual(y, &r)
        return r
    }
    func endResidual(_ y: [Double]) -> [Double] {
        var r = [Double](repeating: 0, count: n - problem.startCount)
        problem.endResidual(y, &r)
        return r
    }
}

private func maxAbs(_ v: [Double]) -> Double { v.reduce(0) { max($0, abs($1)) } }
private func maxDiff(_ a: [Double], _ b: [Double]) -> Double { zip(a, b).reduce(0) { max($0, abs($1.0 - $1.1)) } }

@Suite struct ContinuousTrainingProblemTests {
    // MARK: V1, scalar relaxed problem (MATH.md §4 V1)

    struct V1 {
        let a = 0.7, horizon = 1.3, r0 = 3.0, r1 = 5.0, r = 2.0, y0 = 0.4, y1 = 1.5
        var c: Double { exp(a * horizon) }
        var s: Double { sinh(a * horizon) / a }
        var p0: Double { (y1 - c * y0) / (1 / (r1 * c) + c / r0 + s / r) }
        var x0: Double { y0 + p0 / r0 }
        func x(_ t: Double) -> Double { exp(a * t) * x0 + (p0 / r) * sinh(a * t) / a }
        func xDot(_ t: Double) -> Double { a * exp(a * t) * x0 + (p0 / r) * cosh(a * t) }
        func xDDot(_ t: Double) -> Double { a * a * exp(a * t) * x0 + (p0 / r) * a * sinh(a * t) }
        func p(_ t: Double) -> Double { p0 * exp(-a * t) }
        var minimumAction: Double {
            let delta = y1 - c * y0
            return delta * delta / (2 * (c * c / r0 + 1 / r1 + (exp(2 * a * horizon) - 1) / (2 * a * r)))
        }
        func problem() throws -> ContinuousTrainingProblem<LinearField> {
            try ContinuousTrainingProblem(field: LinearField(matrix: [a], dimension: 1), horizon: horizon, inputs: [y0],
                                          readout: .leastSquares(outputs: 1), targets: [y1], readoutParameters: .fixed([1, 0]),
                                          modelPrecision: r, smoothness: 0, tikhonov: 0, inputWeight: r0, outputWeight: r1)
        }
    }

    /// The closed-form V1 solution satisfies the Hamiltonian and the Lagrangian BVP: vector field and
    /// both boundary residuals vanish to round-off, H = a x p + p²/2r is constant and equals its value
    /// at t = 0, and Φ0 + ΦT + ∫ p²/(2r) dt (integrated exactly) is the closed-form minimum action.
    @Test func v1ClosedFormSolvesBothForms() throws {
        let v = V1()
        let spec = try v.problem()
        let hamiltonian = BuiltProblem(problem: try spec.hamiltonianForm())
        let lagrangian = BuiltProblem(problem: try spec.lagrangianForm())
        #expect(hamiltonian.n == 2 && lagrangian.n == 2)
        let h0 = v.a * v.x0 * v.p0 + v.p0 * v.p0 / (2 * v.r)
        for t in stride(from: 0.0, through: v.horizon, by: v.horizon / 16) {
            let yH = [v.x(t), v.p(t)]
            #expect(maxDiff(hamiltonian.field(yH, t), [v.xDot(t), -v.a * v.p(t)]) < 1e-14, "Hamiltonian field at t=\(t)")
            #expect(abs(spec.hamiltonian(yH) - h0) < 1e-14, "H at t=\(t)")
            let yL = [v.x(t), v.xDot(t)]
            #expect(maxDiff(lagrangian.field(yL, t), [v.xDot(t), v.xDDot(t)]) < 1e-14, "Lagrangian field at t=\(t)")
        }
        let t1 = v.horizon
        #expect(maxAbs(hamiltonian.startResidual([v.x(0), v.p(0)])) < 1e-14)
        #expect(maxAbs(hamiltonian.endResidual([v.x(t1), v.p(t1)])) < 1e-14)
        #expect(maxAbs(lagrangian.startResidual([v.x(0), v.xDot(0)])) < 1e-14)
        #expect(maxAbs(lagrangian.endResidual([v.x(t1), v.xDot(t1)])) < 1e-14)
        let integral = v.p0 * v.p0 * (1 - exp(-2 * v.a * v.horizon)) / (4 * v.a * v.r)
        let action = 0.5 * v.r0 * pow(v.x0 - v.y0, 2) + 0.5 * v.r1 * pow(v.x(t1) - v.y1, 2) + integral
        #expect(abs(action - v.minimumAction) < 1e-14 * v.minimumAction, "A = \(action), A* = \(v.minimumAction)")
    }

    // MARK: V4, bilinear weight (MATH.md §4 V4)

    struct V4 {
        let horizon = 1.0, s = 1.0, lambda = 0.1
        let xi: [Double], y: [Double]
        /// Root of λθ + S Σ (ξ e^{θT} − y) ξ e^{θT} = 0 by Newton from θ = 0.5.
        var theta: Double {
            var th = 0.5
            for _ in 0..<100 {
                var g = lambda * th, dg = lambda
                for k in xi.indices {
                    let e = exp(th * horizon)
                    g += s * (xi[k] * e - y[k]) * xi[k] * e
                    dg += s * (2 * xi[k] * e - y[k]) * xi[k] * e * horizon
                }
                th -= g / dg
            }
            return th
        }
        func state(_ t: Double, _ th: Double) -> (x: [Double], p: [Double]) {
            let x = xi.map { $0 * exp(th * t) }
            let p = xi.indices.map { -s * (xi[$0] * exp(th * horizon) - y[$0]) * exp(th * (horizon - t)) }
            return (x, p)
        }
        func problem(alpha: Double) throws -> ContinuousTrainingProblem<BilinearField> {
            try ContinuousTrainingProblem(field: BilinearField(), horizon: horizon, inputs: xi, readout: .leastSquares(outputs: 1),
                                          targets: y, readoutParameters: .fixed([1, 0]), modelPrecision: .infinity,
                                          smoothness: alpha, tikhonov: lambda, inputWeight: .infinity, outputWeight: s)
        }
    }

    /// θ ≡ θ*, π ≡ 0 with x_k = ξ_k e^{θt}, p_k = p_k(T)e^{θ(T−t)} solves version (b) in Hamiltonian form
    /// (field, both ends, H = λθ²/2... constant), and version (a) recovers θ* from the pointwise
    /// stationarity condition at every t. MATH.md's example T = S = 1, λ = 0.1, ξ = 1, y = 2 has
    /// θ* ∈ (0.6, ln 2); a two-sample case is checked too.
    @Test(arguments: [([1.0], [2.0]), ([1.0, 0.5], [2.0, 0.3])])
    func v4ConstantWeightSolvesVersionsAAndB(_ xi: [Double], _ y: [Double]) throws {
        let v = V4(xi: xi, y: y)
        let th = v.theta
        if xi.count == 1 { #expect(th > 0.6 && th < log(2)) }
        let spec = try v.problem(alpha: 0.5)
        let b = BuiltProblem(problem: try spec.hamiltonianForm())
        let a = BuiltProblem(problem: try spec.optimalControlForm())
        let m = xi.count
        var hValues = [Double]()
        for t in stride(from: 0.0, through: v.horizon, by: 0.125) {
            let (x, p) = v.state(t, th)
            let yB = x + p + [th, 0]
            let expected = x.map { th * $0 } + p.map { -th * $0 } + [0, 0]
            #expect(maxDiff(b.field(yB, t), expected) < 1e-13, "version b field at t=\(t)")
            hValues.append(spec.hamiltonian(yB))
            let yA = x + p
            #expect(maxDiff(a.field(yA, t), Array(expected[0..<(2 * m)])) < 1e-13, "version a field at t=\(t)")
            var recovered = [0.0]
            yA.withUnsafeBufferPointer { spec.stationaryWeights($0.baseAddress!, into: &recovered) }
            #expect(abs(recovered[0] - th) < 1e-13, "θ(t=\(t)) = \(recovered[0]) vs θ* = \(th)")
        }
        #expect(maxDiff(hValues, hValues.map { _ in hValues[0] }) < 1e-13, "H drift \(hValues)")
        let (x0, p0) = v.state(0, th), (x1, p1) = v.state(v.horizon, th)
        #expect(maxAbs(b.startResidual(x0 + p0 + [th, 0])) < 1e-14)
        #expect(maxAbs(b.endResidual(x1 + p1 + [th, 0])) < 1e-13)
        #expect(maxAbs(a.startResidual(x0 + p0)) < 1e-14)
        #expect(maxAbs(a.endResidual(x1 + p1)) < 1e-13)
    }

    // MARK: Jacobians and the equivalence of the two version-(b) forms

    static func residualProblem(_ sigma: Activation, antisymmetric: Bool, trained: Bool, inputWeight: Double,
                                classes: Bool) throws -> ContinuousTrainingProblem<ResidualField> {
        let field = try ResidualField(width: 2, activation: sigma, antisymmetric: antisymmetric, shift: 0.1)
        let readout: Readout = classes ? .softmaxCrossEntropy(classes: 3) : .leastSquares(outputs: 2)
        let targets: [Double] = classes ? [0, 2, 1] : randomVector(6, seed: 61)
        let parameters: ReadoutParameters = trained ? .trained(tikhonov: 0.01)
            : .fixed(randomVector(readout.parameterCount(width: 2), seed: 62))
        return try ContinuousTrainingProblem(field: field, horizon: 2, inputs: randomVector(6, seed: 63), readout: readout,
                                             targets: targets, readoutParameters: parameters, modelPrecision: 1.7,
                                             smoothness: 0.3, tikhonov: 0.05, inputWeight: inputWeight, outputWeight: 1.4)
    }

    /// The analytic Jacobians of the Hamiltonian form (field, start and end conditions) against
    /// central differences at a random state, for plain and antisymmetric K, every activation, finite
    /// and infinite R_in, both readouts, fixed and trained (BoundaryValueJacobianTests covers the other forms).
    @Test(arguments: ResidualFieldTests.cases)
    func hamiltonianJacobiansMatchDifferences(_ sigma: Activation, _ antisymmetric: Bool) throws {
        for (trained, inputWeight, classes) in [(false, 2.0, true), (true, Double.infinity, false), (false, Double.infinity, false)] {
            let spec = try Self.residualProblem(sigma, antisymmetric: antisymmetric, trained: trained,
                                                inputWeight: inputWeight, classes: classes)
            let built = try spec.hamiltonianForm()
            let probe = BuiltProblem(problem: built)
            let n = built.dimension
            let y = randomVector(n, seed: 64, scale: 0.8)
            var jac = [Double](repeating: 0, count: n * n)
            built.fieldJacobian?(0, y, &jac)
            for i in 0..<n {
                let fd = centralDifferences(y) { probe.field($0)[i] }
                let row = Array(jac[(i * n)..<((i + 1) * n)])
                #expect(maxDiff(row, fd) < 1e-8 * max(1, maxAbs(fd)), "\(sigma) row \(i) trained=\(trained)")
            }
            let startRows = built.startCount
            var sj = [Double](repeating: 0, count: startRows * n)
            built.startJacobian?(y, &sj)
            for i in 0..<startRows {
                let fd = centralDifferences(y) { probe.startResidual($0)[i] }
                #expect(maxDiff(Array(sj[(i * n)..<((i + 1) * n)]), fd) < 1e-8 * max(1, maxAbs(fd)))
            }
            let endJacobian = try #require(built.endJacobian)
            var ej = [Double](repeating: 0, count: (n - startRows) * n)
            endJacobian(y, &ej)
            for i in 0..<(n - startRows) {
                let fd = centralDifferences(y) { probe.endResidual($0)[i] }
                #expect(maxDiff(Array(ej[(i * n)..<((i + 1) * n)]), fd) < 1e-8 * max(1, maxAbs(fd)), "end row \(i) trained=\(trained)")
            }
        }
    }

    /// The map (x, p, θ, π) ↦ (x, F(x, θ) + p/r_f, θ, π/α) carries the Hamiltonian form to the
    /// Lagrangian form: at a random state, the Lagrangian field equals the time derivative of the image
    /// computed from the Hamiltonian field (chain rule with the field's tangents), and the boundary
    /// residuals agree (π rows scaled by 1/α).
    @Test(arguments: ResidualFieldTests.cases)
    func lagrangianFormIsTheImageOfTheHamiltonianForm(_ sigma: Activation, _ antisymmetric: Bool) throws {
        let spec = try Self.residualProblem(sigma, antisymmetric: antisymmetric, trained: true, inputWeight: 2.5, classes: true)
        let h = BuiltProblem(problem: try spec.hamiltonianForm())
        let l = BuiltProblem(problem: try spec.lagrangianForm())
        let layout = h.problem.layout
        let d = 2, m = 3, q = spec.field.parameterCount, n = h.n, rf = spec.modelPrecision, alpha = spec.smoothness
        let yH = randomVector(n, seed: 71, scale: 0.7)
        let dyH = h.field(yH)
        var yL = yH
        var expected = dyH
        let theta = Array(yH[layout.weightOffset..<(layout.weightOffset + q)])
        let thetaDot = Array(dyH[layout.weightOffset..<(layout.weightOffset + q)])
        for k in 0..<m {
            let x = Array(yH[(k * d)..<((k + 1) * d)])
            let p = Array(yH[(layout.secondOffset + k * d)..<(layout.secondOffset + (k + 1) * d)])
            let xDot = Array(dyH[(k * d)..<((k + 1) * d)])
            let pDot = Array(dyH[(layout.secondOffset + k * d)..<(layout.secondOffset + (k + 1) * d)])
            var fx = [0.0, 0.0], a = [0.0, 0.0], b = [0.0, 0.0]
            spec.field.value(x: x, theta: theta, into: &fx)
            spec.field.stateTangent(x: x, theta: theta, direction: xDot, into: &a)
            spec.field.parameterTangent(x: x, theta: theta, direction: thetaDot, into: &b)
            for i in 0..<d {
                yL[layout.secondOffset + k * d + i] = fx[i] + p[i] / rf
                expected[layout.secondOffset + k * d + i] = a[i] + b[i] + pDot[i] / rf
            }
        }
        for i in 0..<q {
            yL[layout.conjugateOffset + i] = yH[layout.conjugateOffset + i] / alpha
            expected[layout.conjugateOffset + i] = dyH[layout.conjugateOffset + i] / alpha
        }
        #expect(maxDiff(l.field(yL), expected) < 1e-12 * max(1, maxAbs(expected)), "\(sigma) antisymmetric=\(antisymmetric)")
        var startH = h.startResidual(yH), endH = h.endResidual(yH)
        for i in 0..<q { startH[m * d + i] /= alpha; endH[m * d + i] /= alpha }
        #expect(maxDiff(l.startResidual(yL), startH) < 1e-12)
        #expect(maxDiff(l.endResidual(yL), endH) < 1e-12)
    }

    @Test func invalidSettingsThrow() throws {
        let v = V1()
        let spec = try v.problem()
        let exact = try V4(xi: [1], y: [2]).problem(alpha: 0.5)
        #expect(throws: (any Error).self) { try exact.lagrangianForm() }
        #expect(throws: (any Error).self) { try spec.optimalControlForm() }  // λ = 0
        #expect(throws: (any Error).self) {
            try ContinuousTrainingProblem(field: BilinearField(), horizon: 1, inputs: [1], readout: .leastSquares(outputs: 1),
                                          targets: [1], readoutParameters: .fixed([1, 0]), modelPrecision: -1,
                                          smoothness: 1, tikhonov: 1, inputWeight: 1, outputWeight: 1)
        }
    }
}
