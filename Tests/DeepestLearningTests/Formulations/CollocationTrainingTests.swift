import BoundaryValue
import NumericCore
import Foundation
import Testing
@testable import DeepestLearning

/// The boundary value formulations solved by the BoundaryValue module's collocation, against the
/// closed forms of MATH.md §4.
@Suite struct CollocationTrainingTests {
    static let collocation = Collocation(scheme: .lobatto3, tolerance: 1e-9)

    /// V1 in both forms: p(0) = p0 and x(T) of the closed form to 1e-7 relative (tolerance 1e-9, order 4),
    /// and the two forms give the same x(t) to solver tolerance.
    @Test func v1BothFormsMatchTheClosedForm() throws {
        let v = ContinuousTrainingProblemTests.V1()
        let spec = try v.problem()
        let guess = InitialGuess.function({ _ in [v.y0, 0] }, nodes: 11)
        let h = try solve(try spec.hamiltonianForm().boundaryValueProblem(), Self.collocation, initialGuess: guess)
        let l = try solve(try spec.lagrangianForm().boundaryValueProblem(), Self.collocation, initialGuess: guess)
        #expect(h.succeeded && l.succeeded, "\(h.message) / \(l.message)")
        #expect(abs(h.value(at: 0)[1] - v.p0) < 1e-7 * abs(v.p0), "p(0) = \(h.value(at: 0)[1]) vs p0 = \(v.p0)")
        for t in stride(from: 0.0, through: v.horizon, by: v.horizon / 8) {
            #expect(abs(h.value(at: t)[0] - v.x(t)) < 1e-7, "Hamiltonian x(\(t))")
            #expect(abs(l.value(at: t)[0] - h.value(at: t)[0]) < 1e-7, "forms differ at t=\(t)")
            #expect(abs(l.value(at: t)[1] - v.xDot(t)) < 1e-6, "Lagrangian ẋ(\(t))")
        }
    }

    /// V4: version (b) in Hamiltonian form gives θ(t) ≡ θ* (any variation is discretisation error, here
    /// below 1e-7) and π ≈ 0; version (a) gives the same x, p, with θ* recovered pointwise.
    @Test func v4VersionsAAndBGiveTheConstantRoot() throws {
        let v = ContinuousTrainingProblemTests.V4(xi: [1.0, 0.5], y: [2.0, 0.3])
        let th = v.theta
        let spec = try v.problem(alpha: 0.5)
        let b = try solve(try spec.hamiltonianForm().boundaryValueProblem(), Self.collocation,
                          initialGuess: .function({ _ in [1, 0.5, 0, 0, 0.5, 0] }, nodes: 11))
        let a = try solve(try spec.optimalControlForm().boundaryValueProblem(), Self.collocation,
                          initialGuess: .function({ _ in [1, 0.5, 0, 0] }, nodes: 11))
        #expect(b.succeeded && a.succeeded, "\(b.message) / \(a.message)")
        for t in stride(from: 0.0, through: v.horizon, by: 0.125) {
            let yb = b.value(at: t), ya = a.value(at: t)
            #expect(abs(yb[4] - th) < 1e-7, "θ(\(t)) = \(yb[4]) vs θ* = \(th)")
            #expect(abs(yb[5]) < 1e-7, "π(\(t)) = \(yb[5])")
            #expect(zip(ya, yb.prefix(4)).allSatisfy { abs($0 - $1) < 1e-7 }, "versions differ at t=\(t)")
            var recovered = [0.0]
            ya.withUnsafeBufferPointer { spec.stationaryWeights($0.baseAddress!, into: &recovered) }
            #expect(abs(recovered[0] - th) < 1e-7)
        }
    }

    /// A small residual network in both version-(b) forms: collocation converges and the two forms give
    /// the same states and weights (through the map p = r_f(ẋ − F), π = αθ') to solver tolerance;
    /// H is constant along the Hamiltonian solution to the same accuracy.
    @Test func residualNetworkFormsAgree() throws {
        let field = try ResidualField(width: 2, activation: .tanh)
        let spec = try ContinuousTrainingProblem(
            field: field, horizon: 1, inputs: [0.5, -0.3, 0.1, 0.8, -0.6, 0.2], readout: .leastSquares(outputs: 2),
            targets: [0.2, 0.4, -0.3, 0.6, -0.5, -0.1], readoutParameters: .fixed([1, 0, 0, 1, 0, 0]),
            modelPrecision: 1, smoothness: 1, tikhonov: 1, inputWeight: 2, outputWeight: 1)
        let n = try spec.hamiltonianForm().dimension
        let zero = [Double](repeating: 0, count: n)
        let h = try solve(try spec.hamiltonianForm().boundaryValueProblem(), Self.collocation,
                          initialGuess: .function({ _ in zero }, nodes: 11))
        #expect(h.succeeded, "\(h.message)")
        // The Lagrangian guess is the image of the Hamiltonian solution (the forms' map), so both
        // solves target the same solution branch.
        let layout = try spec.hamiltonianForm().layout
        let image: @Sendable (Double) -> [Double] = { t in
            var y = h.value(at: t)
            let theta = Array(y[layout.weightOffset..<layout.conjugateOffset])
            for k in 0..<layout.samples {
                var fx = [0.0, 0.0]
                spec.field.value(x: Array(y[(2 * k)..<(2 * k + 2)]), theta: theta, into: &fx)
                for i in 0..<2 { y[layout.secondOffset + 2 * k + i] = fx[i] + y[layout.secondOffset + 2 * k + i] / spec.modelPrecision }
            }
            for i in layout.conjugateOffset..<layout.readoutOffset { y[i] /= spec.smoothness }
            return y
        }
        let l = try solve(try spec.lagrangianForm().boundaryValueProblem(), Self.collocation,
                          initialGuess: .function(image, nodes: 11))
        #expect(l.succeeded, "\(l.message)")
        var hValues = [Double]()
        for t in stride(from: 0.0, through: spec.horizon, by: spec.horizon / 8) {
            let mapped = image(t), solved = l.value(at: t)
            let difference = zip(mapped, solved).reduce(0) { max($0, abs($1.0 - $1.1)) }
            #expect(difference < 1e-6, "forms differ by \(difference) at t=\(t)")
            hValues.append(spec.hamiltonian(h.value(at: t)))
        }
        let drift = hValues.reduce(0) { max($0, abs($1 - hValues[0])) }
        #expect(drift < 1e-6, "H drift \(drift)")
    }
}

@Suite struct VectorLinearCaseTests {
    /// MATH.md V2: F = Ax (d = 2), the Hamiltonian form's exact solution is y(t) = e^{𝓗t} y(0) with
    /// 𝓗 = [[A, I/r], [0, −Aᵀ]] and y(0) from [[−R0 I, I], [R1 I, I]·e^{𝓗T}] y(0) = [−R0 y0; R1 y1].
    /// Collocation (Lobatto IIIA, tolerance 1e-9) reproduces y(0) and y(T) to 1e-7.
    @Test func collocationMatchesTheMatrixExponential() throws {
        let v2 = try LinearCaseReference()
        let solution = try solve(try v2.problem.hamiltonianForm().boundaryValueProblem(),
                                 Collocation(scheme: .lobatto3, tolerance: 1e-9),
                                 initialGuess: .function({ _ in [0, 0, 0, 0] }, nodes: 11))
        #expect(solution.succeeded, "\(solution.message)")
        v2.expectMatches(solution.value(at:), tolerance: 1e-7)
    }
}
