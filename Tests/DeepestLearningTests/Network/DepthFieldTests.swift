import Foundation
import Testing
@testable import DeepestLearning

/// Array wrappers over the pointer API of a `DepthField`.
struct FieldProbe<Field: DepthField> {
    let field: Field
    var d: Int { field.stateDimension }
    var q: Int { field.parameterCount }

    func call(_ n: Int, _ body: (UnsafeMutablePointer<Double>) -> Void) -> [Double] {
        var out = [Double](repeating: 0, count: max(n, 1))
        out.withUnsafeMutableBufferPointer { body($0.baseAddress!) }
        return Array(out[0..<n])
    }
    func value(_ x: [Double], _ t: [Double]) -> [Double] { call(d) { field.value(x: x, theta: t + [0], into: $0) } }
    func stateAdjoint(_ x: [Double], _ t: [Double], _ p: [Double]) -> [Double] {
        call(d) { field.stateAdjoint(x: x, theta: t + [0], costate: p, into: $0) }
    }
    func parameterAdjoint(_ x: [Double], _ t: [Double], _ p: [Double]) -> [Double] {
        call(q) { field.parameterAdjoint(x: x, theta: t + [0], costate: p, into: $0) }
    }
}

@Suite struct DepthFieldTests {
    /// Every product of the residual field's `DepthField` conformance against central differences of
    /// F and of the adjoints: tangents, adjoints, ∂ₓF, ∂_θF and the three Hessian blocks of p·F.
    @Test(arguments: ResidualFieldTests.cases)
    func residualFieldProductsMatchDifferences(_ sigma: Activation, _ antisymmetric: Bool) throws {
        let field = try ResidualField(width: 3, activation: sigma, antisymmetric: antisymmetric, shift: 0.2)
        let probe = FieldProbe(field: field)
        let d = 3, q = field.parameterCount
        let x = randomVector(d, seed: 31), p = randomVector(d, seed: 32), t = randomVector(q, seed: 33, scale: 0.6)
        let v = randomVector(d, seed: 34), eta = randomVector(q, seed: 35)
        func dot(_ a: [Double], _ b: [Double]) -> Double { zip(a, b).reduce(0) { $0 + $1.0 * $1.1 } }
        // Tangents: directional derivatives of F.
        let fdState = (0..<d).map { i in centralDifferences([0.0]) { s in probe.value(zip(x, v).map { $0 + s[0] * $1 }, t)[i] }[0] }
        let fdParameter = (0..<d).map { i in centralDifferences([0.0]) { s in probe.value(x, zip(t, eta).map { $0 + s[0] * $1 })[i] }[0] }
        #expect(relativeError(probe.call(d) { field.stateTangent(x: x, theta: t, direction: v, into: $0) }, fdState) < 1e-8)
        #expect(relativeError(probe.call(d) { field.parameterTangent(x: x, theta: t, direction: eta, into: $0) }, fdParameter) < 1e-8)
        // Adjoints: gradients of p·F.
        #expect(relativeError(probe.stateAdjoint(x, t, p), centralDifferences(x) { dot(p, probe.value($0, t)) }) < 1e-8)
        #expect(relativeError(probe.parameterAdjoint(x, t, p), centralDifferences(t) { dot(p, probe.value(x, $0)) }) < 1e-8)
        // Jacobians.
        var js = [Double](repeating: 0, count: d * d), jp = [Double](repeating: 0, count: d * q)
        field.jacobians(x: x, theta: t, state: &js, parameter: &jp)
        for i in 0..<d {
            #expect(relativeError(Array(js[(i * d)..<((i + 1) * d)]), centralDifferences(x) { probe.value($0, t)[i] }) < 1e-8)
            #expect(relativeError(Array(jp[(i * q)..<((i + 1) * q)]), centralDifferences(t) { probe.value(x, $0)[i] }) < 1e-8)
        }
        // Hessian blocks.
        var hxx = [Double](repeating: 0, count: d * d), hxt = [Double](repeating: 0, count: d * q)
        var htt = [Double](repeating: 0, count: q * q)
        field.adjointHessian(x: x, theta: t, costate: p, stateState: &hxx, stateParameter: &hxt, parameterParameter: &htt)
        for j in 0..<d {
            #expect(relativeError(Array(hxx[(j * d)..<((j + 1) * d)]), centralDifferences(x) { probe.stateAdjoint($0, t, p)[j] }) < 1e-7)
            #expect(relativeError(Array(hxt[(j * q)..<((j + 1) * q)]), centralDifferences(t) { probe.stateAdjoint(x, $0, p)[j] }) < 1e-7)
        }
        for r in 0..<q {
            let fd = centralDifferences(t) { probe.parameterAdjoint(x, $0, p)[r] }
            #expect(relativeError(Array(htt[(r * q)..<((r + 1) * q)]), fd) < 1e-7 || fd.allSatisfy { abs($0) < 1e-9 }, "row \(r)")
        }
    }
}
