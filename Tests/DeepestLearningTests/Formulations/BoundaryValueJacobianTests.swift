import BoundaryValue
import Foundation
import NumericCore
import Testing
@testable import DeepestLearning

/// Largest entry-wise error of an analytic Jacobian against central differences, relative to the row's
/// scale max(1, max|row|), over the field rows and both end residuals of a built problem at `y`.
struct JacobianCheck {
    var field = 0.0, start = 0.0, end = 0.0
    var largest: Double { max(field, start, end) }

    init(_ built: TrainingBoundaryValueProblem, at y: [Double]) throws {
        let probe = BuiltProblem(problem: built), n = built.dimension, startRows = built.startCount
        let fieldJacobian = try #require(built.fieldJacobian), startJacobian = try #require(built.startJacobian)
        let endJacobian = try #require(built.endJacobian)
        func compare(_ rows: Int, _ analytic: [Double], _ residual: @escaping ([Double]) -> [Double]) -> Double {
            var worst = 0.0
            // One central-difference sweep gives every row: column j from residual(y ± h e_j).
            var differences = [Double](repeating: 0, count: rows * n), work = y
            for j in 0..<n {
                let step = 1e-5 * max(1, abs(y[j]))
                work[j] = y[j] + step
                let plus = residual(work)
                work[j] = y[j] - step
                let minus = residual(work)
                work[j] = y[j]
                for i in 0..<rows { differences[i * n + j] = (plus[i] - minus[i]) / (2 * step) }
            }
            for i in 0..<rows {
                let row = differences[(i * n)..<((i + 1) * n)]
                let scale = max(1, row.reduce(0) { max($0, abs($1)) })
                for j in 0..<n { worst = max(worst, abs(analytic[i * n + j] - differences[i * n + j]) / scale) }
            }
            return worst
        }
        var jac = [Double](repeating: 0, count: n * n)
        fieldJacobian(0, y, &jac)
        field = compare(n, jac, { probe.field($0) })
        var sj = [Double](repeating: 0, count: startRows * n)
        startJacobian(y, &sj)
        start = compare(startRows, sj, { probe.startResidual($0) })
        var ej = [Double](repeating: 0, count: (n - startRows) * n)
        endJacobian(y, &ej)
        end = compare(n - startRows, ej, { probe.endResidual($0) })
    }
}

/// The analytic Jacobians of the Lagrangian form and of version (a), and of every readout treatment's
/// end conditions, against central differences (Notes/deepest-learning-action.md §6a, §7a, §11).
@Suite struct BoundaryValueJacobianTests {
    /// The readout settings of the checks: (readout parameters, R_in, classes).
    static func settings(_ readout: Int) -> (parameters: (Readout, Int) -> ReadoutParameters, inputWeight: Double, classes: Bool) {
        switch readout {
        case 0: return ({ r, d in .fixed(randomVector(r.parameterCount(width: d), seed: 62)) }, 2.0, true)
        case 1: return ({ _, _ in .trained(tikhonov: 0.01) }, .infinity, false)
        case 2: return ({ _, _ in .trained(tikhonov: 0.02) }, 1.5, true)
        case 3: return ({ _, _ in .projected(tikhonov: 0.05) }, 2.5, false)
        default: return ({ _, _ in .projected(tikhonov: 0.05) }, .infinity, true)
        }
    }

    static func problem(_ sigma: Activation, antisymmetric: Bool, readout setting: Int, tikhonov: Double = 0.05,
                        samples m: Int = 3) throws -> ContinuousTrainingProblem<ResidualField> {
        let d = 2
        let field = try ResidualField(width: d, activation: sigma, antisymmetric: antisymmetric, shift: 0.1)
        let s = settings(setting)
        let readout: Readout = s.classes ? .softmaxCrossEntropy(classes: 3) : .leastSquares(outputs: 2)
        let targets: [Double] = s.classes ? (0..<m).map { Double($0 % 3) } : randomVector(2 * m, seed: 61)
        return try ContinuousTrainingProblem(field: field, horizon: 2, inputs: randomVector(m * d, seed: 63), readout: readout,
                                             targets: targets, readoutParameters: s.parameters(readout, d), modelPrecision: 1.7,
                                             smoothness: 0.3, tikhonov: tikhonov, inputWeight: s.inputWeight, outputWeight: 1.4)
    }

    /// Lagrangian form: field, start and end Jacobians agree with central differences to 1e-6 relative
    /// (measured: about 1e-10) at a random state, for every activation, plain and antisymmetric K,
    /// finite and infinite R_in, and fixed, trained and projected readouts of both kinds.
    @Test(arguments: ResidualFieldTests.cases)
    func lagrangianJacobiansMatchDifferences(_ sigma: Activation, _ antisymmetric: Bool) throws {
        for setting in 0..<5 {
            let built = try Self.problem(sigma, antisymmetric: antisymmetric, readout: setting).lagrangianForm()
            let check = try JacobianCheck(built, at: randomVector(built.dimension, seed: 64 + UInt64(setting), scale: 0.8))
            #expect(check.largest < 1e-6, "\(sigma) antisymmetric=\(antisymmetric) readout \(setting): \(check)")
        }
    }

    /// Version (a): the implicit-function Jacobian through θ(y) and the end Jacobians agree with central
    /// differences to 1e-6 relative (λ = 1 keeps λI − ΣH_θθ well conditioned, so θ(y) is smooth).
    @Test(arguments: ResidualFieldTests.cases)
    func optimalControlJacobiansMatchDifferences(_ sigma: Activation, _ antisymmetric: Bool) throws {
        for setting in 0..<5 {
            let built = try Self.problem(sigma, antisymmetric: antisymmetric, readout: setting, tikhonov: 1).optimalControlForm()
            let check = try JacobianCheck(built, at: randomVector(built.dimension, seed: 74 + UInt64(setting), scale: 0.6))
            #expect(check.largest < 1e-6, "\(sigma) antisymmetric=\(antisymmetric) readout \(setting): \(check)")
        }
    }

    /// The Hamiltonian form's end Jacobian, now analytic for trained and projected readouts too.
    @Test(arguments: ResidualFieldTests.cases)
    func hamiltonianEndJacobiansMatchDifferences(_ sigma: Activation, _ antisymmetric: Bool) throws {
        for setting in 0..<5 {
            let built = try Self.problem(sigma, antisymmetric: antisymmetric, readout: setting).hamiltonianForm()
            let check = try JacobianCheck(built, at: randomVector(built.dimension, seed: 84 + UInt64(setting), scale: 0.8))
            #expect(check.largest < 1e-6, "\(sigma) antisymmetric=\(antisymmetric) readout \(setting): \(check)")
        }
    }

    /// `tangentDerivatives` of the residual field equals the default built from unit-costate Hessians
    /// (both exact; the first is O(d² + dq), the second O(d) Hessians), for every activation and K variant.
    @Test(arguments: ResidualFieldTests.cases)
    func tangentDerivativesMatchTheHessianDefault(_ sigma: Activation, _ antisymmetric: Bool) throws {
        let field = try ResidualField(width: 3, activation: sigma, antisymmetric: antisymmetric, shift: 0.2)
        let d = 3, q = field.parameterCount
        let x = randomVector(d, seed: 91), theta = randomVector(q, seed: 92, scale: 0.7)
        let v = randomVector(d, seed: 93), eta = randomVector(q, seed: 94)
        var fast = ([Double](repeating: 0, count: d * d), [Double](repeating: 0, count: d * q))
        var reference = fast
        field.tangentDerivatives(x: x, theta: theta, stateDirection: v, parameterDirection: eta, state: &fast.0, parameter: &fast.1)
        HessianDefault(field: field).tangentDerivatives(x: x, theta: theta, stateDirection: v, parameterDirection: eta,
                                                        state: &reference.0, parameter: &reference.1)
        #expect(relativeError(fast.0, reference.0) < 1e-13 && relativeError(fast.1, reference.1) < 1e-13)
    }

    /// Solving with the analytic Jacobians reaches the same solution as with differenced ones (solver
    /// tolerance) with fewer field evaluations: V4 in version (a), V1 in the Lagrangian form, and a small
    /// residual network in the Lagrangian form (fixed readout) and the Hamiltonian form (projected
    /// readout), all by Lobatto IIIA collocation (tolerance 1e-9).
    @Test func analyticJacobiansSaveFieldEvaluations() throws {
        let collocation = Collocation(scheme: .lobatto3, tolerance: 1e-9)
        let v4 = try ContinuousTrainingProblemTests.V4(xi: [1.0, 0.5], y: [2.0, 0.3]).problem(alpha: 0.5)
        let v1 = try ContinuousTrainingProblemTests.V1().problem()
        func network(_ readout: ReadoutParameters) throws -> ContinuousTrainingProblem<ResidualField> {
            try ContinuousTrainingProblem(
                field: try ResidualField(width: 2, activation: .tanh), horizon: 1, inputs: [0.5, -0.3, 0.1, 0.8, -0.6, 0.2],
                readout: .leastSquares(outputs: 2), targets: [0.2, 0.4, -0.3, 0.6, -0.5, -0.1], readoutParameters: readout,
                modelPrecision: 1, smoothness: 1, tikhonov: 1, inputWeight: 2, outputWeight: 1)
        }
        let cases: [(TrainingBoundaryValueProblem, [Double])] = [
            (try v4.optimalControlForm(), [1, 0.5, 0, 0]), (try v1.lagrangianForm(), [0.4, 0]),
            (try network(.fixed([1, 0, 0, 1, 0, 0])).lagrangianForm(), [Double](repeating: 0, count: 24)),
            (try network(.projected(tikhonov: 0.1)).hamiltonianForm(), [Double](repeating: 0, count: 24)),
        ]
        for (built, start) in cases {
            let guess = InitialGuess.function({ _ in start }, nodes: 11)
            let analytic = try solve(try built.boundaryValueProblem(), collocation, initialGuess: guess)
            let differenced = try solve(try built.withoutJacobians().boundaryValueProblem(), collocation, initialGuess: guess)
            #expect(analytic.succeeded && differenced.succeeded, "\(analytic.message) / \(differenced.message)")
            for t in stride(from: 0.0, through: built.end, by: built.end / 8) {
                let difference = zip(analytic.value(at: t), differenced.value(at: t)).reduce(0) { max($0, abs($1.0 - $1.1)) }
                #expect(difference < 1e-7, "solutions differ by \(difference) at t=\(t)")
            }
            #expect(analytic.stats.fieldEvaluations < differenced.stats.fieldEvaluations,
                    "field evaluations: analytic \(analytic.stats.fieldEvaluations), differenced \(differenced.stats.fieldEvaluations)")
        }
    }
}

/// A residual field that uses the protocol's default `tangentDerivatives` (for the comparison above).
struct HessianDefault: DepthField {
    let field: ResidualField
    var stateDimension: Int { field.stateDimension }
    var parameterCount: Int { field.parameterCount }
    func value(x: UnsafePointer<Double>, theta: UnsafePointer<Double>, into out: UnsafeMutablePointer<Double>) {
        field.value(x: x, theta: theta, into: out)
    }
    func stateTangent(x: UnsafePointer<Double>, theta: UnsafePointer<Double>, direction v: UnsafePointer<Double>,
                      into out: UnsafeMutablePointer<Double>) { field.stateTangent(x: x, theta: theta, direction: v, into: out) }
    func parameterTangent(x: UnsafePointer<Double>, theta: UnsafePointer<Double>, direction eta: UnsafePointer<Double>,
                          into out: UnsafeMutablePointer<Double>) { field.parameterTangent(x: x, theta: theta, direction: eta, into: out) }
    func stateAdjoint(x: UnsafePointer<Double>, theta: UnsafePointer<Double>, costate p: UnsafePointer<Double>,
                      into out: UnsafeMutablePointer<Double>) { field.stateAdjoint(x: x, theta: theta, costate: p, into: out) }
    func parameterAdjoint(x: UnsafePointer<Double>, theta: UnsafePointer<Double>, costate p: UnsafePointer<Double>,
                          into out: UnsafeMutablePointer<Double>) { field.parameterAdjoint(x: x, theta: theta, costate: p, into: out) }
    func jacobians(x: UnsafePointer<Double>, theta: UnsafePointer<Double>, state: UnsafeMutablePointer<Double>,
                   parameter: UnsafeMutablePointer<Double>) { field.jacobians(x: x, theta: theta, state: state, parameter: parameter) }
    func adjointHessian(x: UnsafePointer<Double>, theta: UnsafePointer<Double>, costate p: UnsafePointer<Double>,
                        stateState: UnsafeMutablePointer<Double>, stateParameter: UnsafeMutablePointer<Double>,
                        parameterParameter: UnsafeMutablePointer<Double>) {
        field.adjointHessian(x: x, theta: theta, costate: p, stateState: stateState, stateParameter: stateParameter,
                             parameterParameter: parameterParameter)
    }
}

extension TrainingBoundaryValueProblem {
    /// The same problem with every Jacobian removed (the solvers then difference them).
    func withoutJacobians() -> TrainingBoundaryValueProblem {
        TrainingBoundaryValueProblem(dimension: dimension, start: start, end: end, field: field, fieldJacobian: nil,
                                     startCount: startCount, startResidual: startResidual, startJacobian: nil,
                                     endResidual: endResidual, endJacobian: nil, layout: layout)
    }
}
