// A convergence study of your own SDE with the library's public API (Notes/convergence-studies.md).
//
// The Cox–Ingersoll–Ross process dX = κ(θ − X) dt + σ √X dW (κ = 2, θ = 1, σ = 0.5, X0 = 0.5, T = 1)
// has no closed-form path solution, so both studies use a fine-step solution on the same Brownian paths
// as the reference. The Feller condition 2κθ ≥ σ² holds with room to spare (4 ≥ 0.25), so the process
// stays away from 0 and Milstein keeps its strong order 1; Euler–Maruyama has weak order 1.
// A path on which a scheme steps below 0 would give √X = NaN; the study would count it as failed.
import Foundation
import NumericCore
import Stochastic

/// The user's own equation: a type conforming to `StochasticDifferentialEquation` (the stepping loops
/// are specialised to it). Milstein with scalar noise needs L¹b = b ∂b/∂x = σ√x · σ/(2√x) = σ²/2.
struct CoxIngersollRoss: StochasticDifferentialEquation {
    let rate = 2.0, mean = 1.0, volatility = 0.5, start = 0.5
    var dimension: Int { 1 }
    var noise: NoiseStructure { .scalar }
    var initialValue: [Double] { [start] }
    var horizon: Double { 1 }
    var providesDiffusionDerivative: Bool { true }

    func drift(_ t: Double, _ x: UnsafeBufferPointer<Double>, _ result: UnsafeMutableBufferPointer<Double>) {
        result[0] = rate * (mean - x[0])
    }

    func diffusion(_ t: Double, _ x: UnsafeBufferPointer<Double>, _ result: UnsafeMutableBufferPointer<Double>) {
        result[0] = volatility * x[0].squareRoot()
    }

    func diffusionDerivative(_ t: Double, _ x: UnsafeBufferPointer<Double>, _ result: UnsafeMutableBufferPointer<Double>) {
        result[0] = 0.5 * volatility * volatility
    }
}

let problem = CoxIngersollRoss()
let steps = [16, 32, 64, 128, 256, 512]

// Strong study: Milstein at h = 2^-4 ... 2^-9 against Milstein at 2^-13 on the same 1000 paths.
let strongStudy = try ConvergenceStudy(steps: steps, reference: .fineSolution(StudyResolution(steps: 8192)),
                                       paths: 1000, seed: 2026)
let strong = try solve(SDEPathwiseSolver(problem, scheme: .milstein), strongStudy)
print("Milstein on CIR, strong error against Milstein at h = 2^-13 on the same paths (expected order 1)")
print(strong.table)

// Weak study: E X(T)² by Euler–Maruyama, coupled with the fine solution on the same paths (its variance
// is about the strong error squared, so 4000 paths resolve weak errors near 10^-3).
let weakStudy = try ConvergenceStudy(steps: [16, 32, 64, 128, 256], reference: .fineSolution(StudyResolution(steps: 4096)),
                                     paths: 4000, seed: 2027,
                                     weakFunctional: EnsembleFunctional(name: "x^2") { $0[0] * $0[0] })
let weak = try solve(SDEPathwiseSolver(problem, scheme: .eulerMaruyama), weakStudy)
print("\nEuler–Maruyama on CIR, weak error of E X(T)² against EM at h = 2^-12 on the same paths (expected order 1)")
print(weak.table)

// The mean has a closed form, E X(T) = θ + (x0 − θ)e^{−κT}: a weak study against the exact expectation
// needs independent-sample accuracy, so it only resolves the coarse levels with this many paths.
let exactMean = problem.mean + (problem.start - problem.mean) * exp(-problem.rate * problem.horizon)
let exactStudy = try ConvergenceStudy(steps: [4, 8, 16, 32], reference: .exactExpectation(exactMean), paths: 40000, seed: 2028,
                                      weakFunctional: .component(0))
let exact = try solve(SDEPathwiseSolver(problem, scheme: .eulerMaruyama), exactStudy)
print("\nEuler–Maruyama on CIR, weak error of E X(T) against the exact mean \(exactMean) (expected order 1)")
print(exact.table)
