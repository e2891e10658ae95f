import NumericCore
import Testing
@testable import DeepestLearning

/// The Moré–Sorensen hard case of `TrustRegionSubproblem` (Notes/deepest-learning-action.md §9c):
/// H = diag(−1, 1), g = (ε, 1), Δ = 2. For ε = 0 the solution is λ* = 1 = −λ_min,
/// p* = (±√(Δ² − 1/4), −1/2) on the boundary, model value m* = −1/2 + ½(−15/4 + 1/4) = −9/4; for ε > 0
/// tiny it differs from that by O(ε). The returned step must satisfy the optimality conditions
/// (H + λI)p = −g, λ ≥ 0, H + λI ⪰ 0, λ(Δ − ‖p‖) = 0 and reach the exact decrease 9/4.
@Suite struct TrustRegionSubproblemTests {
    static func check(gradient g: [Double]) {
        let hessian = [-1.0, 0, 0, 1]
        let radius = 2.0
        var subproblem = TrustRegionSubproblem(dimension: 2)
        let result = subproblem.solve(hessian: hessian, gradient: g, radius: radius)
        let p = result.step, lambda = result.shift
        let norm = (p[0] * p[0] + p[1] * p[1]).squareRoot()
        let residual = max(abs((-1 + lambda) * p[0] + g[0]), abs((1 + lambda) * p[1] + g[1]))
        #expect(abs(norm - radius) <= 1e-8, "g = \(g): ‖p‖ = \(norm), p = \(p), λ = \(lambda)")
        #expect(abs(result.predictedDecrease - 2.25) <= 1e-6,
                "g = \(g): decrease \(result.predictedDecrease), exact 2.25, p = \(p), λ = \(lambda)")
        #expect(residual <= 1e-7, "g = \(g): ‖(H + λI)p + g‖_∞ = \(residual), λ = \(lambda)")
        #expect(lambda >= 1 - 1e-12, "g = \(g): λ = \(lambda) < −λ_min = 1 (H + λI not PSD)")
        #expect(abs(lambda * (radius - norm)) <= 1e-8, "g = \(g): λ(Δ − ‖p‖) = \(lambda * (radius - norm))")
        #expect(result.factorizations <= 6, "g = \(g): \(result.factorizations) factorisations")
    }

    /// g orthogonal to the eigenvector e₁ of λ_min = −1: p(λ) is short for every λ > 1, the step needs the
    /// eigenvector component τe₁.
    @Test func hardCaseReachesTheBoundaryWithTheOptimalDecrease() {
        Self.check(gradient: [0, 1])
    }

    /// Nearly hard case, g = (1e-12, 1): λ* − 1 ≈ 5e-13, below any bracket resolution.
    @Test func nearlyHardCaseReachesTheBoundaryWithTheOptimalDecrease() {
        Self.check(gradient: [1e-12, 1])
    }
}
