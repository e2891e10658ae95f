import ArgumentParser
import Foundation
import NumericCore

/// `deepest demo`: the package's default experiment (`make demo`). For now the core self-check:
/// spectral differentiation, a banded solve with its fitted order, and a parallel Monte Carlo mean.
struct DemoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Run the default experiment and print its report.")

    @Option(parsing: .unconditional, help: "Random seed of the Monte Carlo part.")
    var seed: UInt64 = 2026

    func run() throws {
        let spectral = try SelfCheck.chebyshevDerivative()
        print("Chebyshev differentiation of e^t sin 5t on [-1, 1] (DCT-I through FFTW)")
        print(Output.table(["N", "max error"], zip(spectral.degrees, spectral.maxErrors).map { ["\($0)", Output.sci($1)] }),
              terminator: "")
        print(String(format: "fitted decay: error ~ e^(%.3f N)\n", spectral.rate.order))

        let poisson = try SelfCheck.finiteDifferencePoisson()
        print("-u'' + u = (1 + pi^2) sin(pi t), u(0) = u(1) = 0: 3-point differences, banded LU (GSL + OpenBLAS)")
        print(Output.table(["h", "max error"], zip(poisson.steps, poisson.maxErrors).map { [Output.sci($0), Output.sci($1)] }),
              terminator: "")
        print("fitted order: \(poisson.order)\n")

        let monteCarlo = SelfCheck.lognormalMean(seed: seed)
        print("E[exp(Z)], Z ~ N(0,1): \(monteCarlo.samples) variates from \(Parallel.workerCount) cores, seed \(seed)")
        print(String(format: "estimate %.6f ± %.6f (1 s.e.), exact e^(1/2) = %.6f", monteCarlo.estimate,
                     monteCarlo.standardError, monteCarlo.exact))
    }
}
