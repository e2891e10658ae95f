import Foundation
import NumericCore
import Testing
@testable import Stochastic

/// Invalid input throws an `InvalidArgument` naming the argument; a path that blows up is a failed
/// path with its last finite state.
@Suite struct SemilinearSPDEValidationTests {
    static func argument(_ body: () throws -> Void) -> String? {
        do { try body() } catch let error as InvalidArgument { return error.argument } catch { return "unexpected \(error)" }
        return nil
    }

    @Test func invalidInputNamesTheArgument() throws {
        let heat = try SpectralOperator(diffusion: 1)
        let negative = try SemilinearSPDE(boundaries: [.neumann], lengths: [1], linearPart: heat,
                                          noise: SPDENoise(amplitude: 1, covariance: .custom { $0.x == 3 ? -1 : 1 }))
        let negativeArgument = Self.argument { _ = try SPDEStepper(negative, modes: [8], scheme: .semiImplicit, timeStep: 0.1) }
        #expect(negativeArgument?.hasPrefix("noise eigenvalue q at mode (3, 0)") == true, "\(negativeArgument ?? "no error")")
        #expect(Self.argument { _ = try SemilinearSPDE(boundaries: [.neumann], lengths: [1], linearPart: heat, nonlinearity: .burgers,
                                                      noise: .none) } == "boundary")
        #expect(Self.argument { _ = try SemilinearSPDE(boundaries: [.periodic], lengths: [1, 2], linearPart: heat, noise: .none) } == "lengths.count")
        #expect(Self.argument { _ = try SemilinearSPDE(boundaries: [.periodic], lengths: [-1], linearPart: heat, noise: .none) } == "lengths[0]")
        #expect(Self.argument { _ = try SpectralOperator(diffusion: -1) } == "diffusion[0]")
        #expect(Self.argument { _ = try SemilinearSPDE(boundaries: [.periodic], lengths: [1], components: 2,
                                                      linearPart: SpectralOperator(diffusion: [1, 2, 3]), noise: .none) } == "diffusion.count")
        let problem = try SemilinearSPDE(boundaries: [.periodic], lengths: [1], linearPart: heat, noise: SPDENoise(amplitude: 1))
        #expect(Self.argument { _ = try SPDEStepper(problem, modes: [0], scheme: .semiImplicit, timeStep: 0.1) } == "modes")
        #expect(Self.argument { _ = try SPDEStepper(problem, modes: [8, 8], scheme: .semiImplicit, timeStep: 0.1) } == "modes.count")
        #expect(Self.argument { _ = try SPDEStepper(problem, modes: [8], scheme: .milstein, timeStep: 0.1) } == "scheme")
        // A growing mode (λ < 0) with Δτ|λ| ≥ 1 makes the semi-implicit step singular.
        let growing = try SemilinearSPDE(boundaries: [.periodic], lengths: [1], linearPart: SpectralOperator(diffusion: 1, decay: -20), noise: .none)
        #expect(Self.argument { _ = try SPDEStepper(growing, modes: [8], scheme: .semiImplicit, timeStep: 0.1) } == "timeStep")
        // A wrong Milstein derivative is caught by finite differences.
        let wrong = try SemilinearSPDE(boundaries: [.periodic], lengths: [1], linearPart: heat,
                                       noise: SPDENoise(amplitude: 1, multiplicative: .init({ $0 * $0 }, derivative: { $0 })))
        #expect(Self.argument { _ = try SPDEStepper(wrong, modes: [8], scheme: .milstein, timeStep: 0.1) }?.hasPrefix("noise derivative") == true)
    }

    /// u_τ = u_xx + u³ from a large start blows up in finite time: the paths fail, the stepper keeps its
    /// last finite state and time.
    @Test func blowUpIsAFailedPathWithItsLastFiniteState() throws {
        let problem = try SemilinearSPDE(boundaries: [.neumann], lengths: [1], linearPart: SpectralOperator(diffusion: 1),
                                         nonlinearity: .pointwise { $0 * $0 * $0 }, noise: SPDENoise(amplitude: 0.1),
                                         initialValue: { _, _, _ in 3 })
        let result = try solve(problem, SPDEEnsemble(scheme: .semiImplicit, modes: [8], timeStep: 0.01, steps: 100, paths: 4, seed: 1))
        #expect(result.failedPaths == 4)
        let stepper = try SPDEStepper(problem, modes: [8], scheme: .semiImplicit, timeStep: 0.01)
        var steps = 0
        while stepper.step(increments: nil) { steps += 1 }
        #expect(stepper.stepCount == steps)
        #expect(stepper.nodeValues.allSatisfy { $0.isFinite })
        // The ODE u' = u³ from 3 blows up at τ* = 1/(2·9) ≈ 0.056: the failing step is near it.
        #expect(Double(steps) * 0.01 < 0.2)
    }
}
