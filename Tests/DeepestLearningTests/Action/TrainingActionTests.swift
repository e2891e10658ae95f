import Foundation
import Testing
@testable import DeepestLearning

@Suite struct TrainingActionTests {
    /// MATH.md V5(i): the gradient of A_h with respect to every state and parameter matches central
    /// differences (relative error < 1e-6), for finite and infinite R_in, finite r_f, α, λ > 0, every
    /// activation, both readouts, plain and antisymmetric K.
    @Test(arguments: ResidualNetworkLossTests.cases)
    func gradientMatchesCentralDifferences(_ c: ResidualNetworkLossTests.Case) throws {
        let net = try ResidualNetworkLossTests.network(c, layers: 3)
        let data = try randomDataset(count: 6, inputDimension: 2, classes: c.classification ? 3 : nil, seed: 12)
        let reg = try Regularization(tikhonov: 0.05, smoothness: 0.1, readoutTikhonov: 0.02)
        for inputWeight in [2.5, Double.infinity] {
            let action = try TrainingAction(network: net, data: data, modelPrecision: 0.7, inputWeight: inputWeight,
                                            outputWeight: 1.3, regularization: reg)
            // States perturbed away from the forward pass, so every model-error term is active.
            let base = action.unknowns(parameters: net.initialParameters(seed: 3, weightScale: 1.2))
            let noise = randomVector(base.count, seed: 44, scale: 0.3)
            let u = zip(base, noise).map { $0 + $1 }
            var g = [Double]()
            action.evaluate(unknowns: u, gradient: &g)
            var scratch = [Double]()
            let fd = centralDifferences(u) { action.evaluate(unknowns: $0, gradient: &scratch) }
            let error = relativeError(g, fd)
            #expect(error < 1e-6, "\(c) R_in=\(inputWeight): relative error \(error)")
        }
    }

    /// At the forward pass of the network the model error vanishes, and the action reduces to
    /// R_out Σ φ_k + regularisation: R_out · M · (ResNet loss) when there is no regularisation.
    @Test func forwardPassHasNoModelError() throws {
        let c = ResidualNetworkLossTests.Case(activation: .tanh, antisymmetric: false, classification: true)
        let net = try ResidualNetworkLossTests.network(c)
        let data = try randomDataset(count: 10, inputDimension: 2, classes: 3, seed: 1)
        let p = net.initialParameters(seed: 5)
        let action = try TrainingAction(network: net, data: data, modelPrecision: 3, inputWeight: .infinity, outputWeight: 2)
        var g = [Double]()
        let a = action.evaluate(unknowns: action.unknowns(parameters: p), gradient: &g)
        let j = try ResidualNetworkLoss(network: net, data: data).value(parameters: p)
        #expect(action.lastParts.modelError < 1e-28)
        #expect(abs(a - 2 * 10 * j) < 1e-12 * a)
    }

    /// Stationarity of A_h in the states is the symplectic Euler scheme (MATH.md §1.6): for frozen θ_n
    /// the map (x_n, p_n) → (x_{n+1}, p_{n+1}) defined by
    ///   p_n = (I + h ∂ₓF(x_n))ᵀ p_{n+1},   x_{n+1} = x_n + h F(x_n) + (h/r_f) p_{n+1}
    /// has Jacobian Φ with ΦᵀJΦ = J. Φ is assembled from the analytic derivative products (including
    /// ∂ₓ[(∂ₓF)ᵀp]); a second check compares it with central differences of the map.
    @Test(arguments: Activation.allCases)
    func symplecticEulerMapIsSymplectic(_ sigma: Activation) throws {
        let d = 3, h = 0.3, rf = 0.8
        let field = try ResidualField(width: d, activation: sigma)
        let theta = randomVector(field.parameterCount, seed: 21, scale: 0.8)
        let x = randomVector(d, seed: 22), p = randomVector(d, seed: 23)
        func step(_ y: [Double]) -> [Double] {
            let xn = Array(y[0..<d]), pn = Array(y[d..<(2 * d)])
            let a = jacobianOfField(field, xn, theta, h)
            let pNext = solve(transpose(a, d), pn, d)
            let f = field.value(x: xn, theta: theta)
            return (0..<d).map { xn[$0] + h * f[$0] + (h / rf) * pNext[$0] } + pNext
        }
        // Analytic Jacobian: with A = I + h ∂ₓF, S = h ∂ₓ[(∂ₓF)ᵀ p_{n+1}],
        // ∂p'/∂p = A^{-T}, ∂p'/∂x = −A^{-T} S, ∂x'/∂x = A + (h/r_f) ∂p'/∂x, ∂x'/∂p = (h/r_f) A^{-T}.
        let y1 = step(x + p)
        let pNext = Array(y1[d...])
        let a = jacobianOfField(field, x, theta, h)
        let s = field.costateJacobian(x: x, theta: theta, costate: pNext).map { h * $0 }
        let aInvT = inverse(transpose(a, d), d)
        let dpdx = multiply(aInvT, s, d).map { -$0 }
        var phi = [Double](repeating: 0, count: 4 * d * d)
        for i in 0..<d {
            for j in 0..<d {
                phi[i * 2 * d + j] = a[i * d + j] + (h / rf) * dpdx[i * d + j]
                phi[i * 2 * d + d + j] = (h / rf) * aInvT[i * d + j]
                phi[(d + i) * 2 * d + j] = dpdx[i * d + j]
                phi[(d + i) * 2 * d + d + j] = aInvT[i * d + j]
            }
        }
        #expect(symplecticDefect(phi, d) < 1e-13, "\(sigma): ΦᵀJΦ − J = \(symplecticDefect(phi, d))")
        // The analytic Φ is the Jacobian of the map (so the check above is about the map).
        for j in 0..<(2 * d) {
            let fd = (0..<(2 * d)).map { i in centralDifferences(x + p) { step($0)[i] }[j] }
            let analytic = (0..<(2 * d)).map { phi[$0 * 2 * d + j] }
            #expect(relativeError(fd, analytic) < 1e-7, "column \(j)")
        }
    }
}

// Small dense helpers for the 2d×2d symplecticity check (d ≤ 4).
private func jacobianOfField(_ field: ResidualField, _ x: [Double], _ theta: [Double], _ h: Double) -> [Double] {
    let d = field.width
    let k = field.weightMatrix(theta)
    let z = field.preactivation(x: x, theta: theta)
    var a = [Double](repeating: 0, count: d * d)
    for i in 0..<d {
        for j in 0..<d { a[i * d + j] = (i == j ? 1 : 0) + h * field.activation.derivative(z[i]) * k[i * d + j] }
    }
    return a
}

/// Gaussian elimination with partial pivoting on the columns of the identity.
private func inverse(_ a: [Double], _ d: Int) -> [Double] {
    var inv = [Double](repeating: 0, count: d * d)
    for j in 0..<d {
        var e = [Double](repeating: 0, count: d)
        e[j] = 1
        let column = solve(a, e, d)
        for i in 0..<d { inv[i * d + j] = column[i] }
    }
    return inv
}

private func solve(_ matrix: [Double], _ rhs: [Double], _ d: Int) -> [Double] {
    var a = matrix, b = rhs
    for c in 0..<d {
        var pivot = c
        for r in (c + 1)..<max(c + 1, d) where abs(a[r * d + c]) > abs(a[pivot * d + c]) { pivot = r }
        if pivot != c {
            for j in 0..<d { a.swapAt(c * d + j, pivot * d + j) }
            b.swapAt(c, pivot)
        }
        for r in (c + 1)..<max(c + 1, d) {
            let f = a[r * d + c] / a[c * d + c]
            for j in c..<d { a[r * d + j] -= f * a[c * d + j] }
            b[r] -= f * b[c]
        }
    }
    var x = [Double](repeating: 0, count: d)
    for i in stride(from: d - 1, through: 0, by: -1) {
        var s = b[i]
        for j in (i + 1)..<max(i + 1, d) { s -= a[i * d + j] * x[j] }
        x[i] = s / a[i * d + i]
    }
    return x
}

/// max |ΦᵀJΦ − J| for J = [[0, I], [−I, 0]].
private func symplecticDefect(_ phi: [Double], _ d: Int) -> Double {
    let n = 2 * d
    var worst = 0.0
    for i in 0..<n {
        for j in 0..<n {
            var s = 0.0
            for k in 0..<d {
                s += phi[k * n + i] * phi[(d + k) * n + j] - phi[(d + k) * n + i] * phi[k * n + j]
            }
            let target: Double = (i < d && j == i + d) ? 1 : ((i >= d && j == i - d) ? -1 : 0)
            worst = max(worst, abs(s - target))
        }
    }
    return worst
}
