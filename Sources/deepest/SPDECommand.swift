import ArgumentParser
import Dispatch
import Foundation
import NumericCore
import Stochastic

/// `deepest spde`: an ensemble of the stochastic heat equation; prints the mean energy ∫u² with its
/// standard error and the exact expected energy of the J-mode projection when known (f = 0, u(0) = 0).
struct SPDECommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "spde",
        abstract: "Simulate the stochastic heat equation du = (α u_tt − λu + f(u))dτ + σ dW and report the mean energy.")

    enum Problem: String, ExpressibleByArgument, CaseIterable { case heat }
    enum Reaction: String, ExpressibleByArgument, CaseIterable { case none, sine }

    @Option(help: "heat")
    var problem: Problem = .heat
    @Option(help: "semi-implicit, exponential-euler or finite-difference")
    var scheme: String = "semi-implicit"
    @Option(parsing: .unconditional, help: "Number of modes J (finite differences: nodes)")
    var modes: Int = 64
    @Option(parsing: .unconditional, help: "Time step Δτ (must divide the horizon)")
    var dt: Double = 0.001
    @Option(parsing: .unconditional, help: "Final pseudo-time τ")
    var horizon: Double = 1
    @Option(parsing: .unconditional, help: "Number of paths")
    var paths: Int = 100
    @Option(parsing: .unconditional, help: "Seed")
    var seed: UInt64 = 1
    @Option(help: "neumann or dirichlet")
    var boundary: String = "neumann"
    @Option(parsing: .unconditional, help: "Diffusivity α")
    var diffusivity: Double = 1
    @Option(parsing: .unconditional, help: "Decay λ")
    var decay: Double = 1
    @Option(parsing: .unconditional, help: "Noise amplitude σ")
    var sigma: Double = 1
    @Option(help: "Reaction f: none or sine (f(u) = sin u)")
    var reaction: Reaction = .none
    @Option(help: "table or json")
    var format: OutputFormat = .table
    @OptionGroup var resources: ResourceOptions

    /// The library's argument names as this command's options.
    static let optionNames = ["noiseAmplitude": "--sigma", "diffusivity": "--diffusivity", "decay": "--decay", "modes": "--modes",
                              "paths": "--paths", "timeStep": "--dt", "steps": "--dt"]

    struct Report: Codable {
        let problem: String
        let scheme: String
        let boundary: String
        let modes: Int
        let paths: Int
        let steps: Int
        let seed: UInt64
        let meanEnergy: Double
        let stderr: Double
        let exactEnergy: Double?
        let failedPaths: Int
        let seconds: Double
    }

    func run() throws {
        guard let chosen = HeatScheme(rawValue: scheme) else {
            throw CommandFailure("invalid --scheme = \(scheme): must be one of \(HeatScheme.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        guard let side = StochasticHeatEquation.Boundary(rawValue: boundary) else {
            throw CommandFailure("invalid --boundary = \(boundary): must be one of neumann, dirichlet")
        }
        guard modes > 0 else { throw CommandFailure("invalid --modes = \(modes): must be > 0") }
        guard diffusivity.isFinite, diffusivity > 0 else { throw CommandFailure("invalid --diffusivity = \(diffusivity): must be a finite number > 0") }
        guard decay.isFinite, decay >= 0 else { throw CommandFailure("invalid --decay = \(decay): must be a finite number >= 0") }
        guard sigma.isFinite, sigma >= 0 else { throw CommandFailure("invalid --sigma = \(sigma): must be a finite number >= 0") }
        let steps = try EnsembleGrid.steps(paths: paths, dt: dt, horizon: horizon)
        // Memory: paths × (J + 2) result values and per worker a stepper of a few J-vectors (the
        // spectral schemes' transforms). Work: paths × steps × J (× log J for the transforms, taken as 8).
        let bytes = Size.sum(Size.product(paths, Size.sum(modes, 2), 8), Size.product(Parallel.workerCount, modes, 16 * 8), 1 << 20)
        try resources.budget().check(bytes: bytes, work: Size.product(paths, steps, modes, 8),
                                     blame: "--modes = \(modes), --paths = \(paths) with --horizon/--dt = \(steps) steps")
        let sine: @Sendable (Double) -> Double = { (u: Double) -> Double in sin(u) }
        let equation: StochasticHeatEquation
        do {
            equation = try StochasticHeatEquation(diffusivity: diffusivity, decay: decay, noiseAmplitude: sigma, boundary: side,
                                                  reaction: reaction == .sine ? sine : nil)
        } catch let error as InvalidArgument {
            throw CommandFailure.invalid(error, options: Self.optionNames)
        }
        let progress = SharedProgress("paths", total: paths)
        let start = DispatchTime.now().uptimeNanoseconds
        let result: HeatEnsembleResult
        do {
            result = try solve(equation, HeatEnsemble(scheme: chosen, modes: modes, timeStep: dt, steps: steps, paths: paths, seed: seed),
                               progress: { progress.update($0) })
        } catch let error as InvalidArgument {
            throw CommandFailure.invalid(error, options: Self.optionNames)
        }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) * 1e-9
        let exact = equation.expectedModeEnergy(at: horizon, modes: modes)
        let report = Report(problem: problem.rawValue, scheme: chosen.rawValue, boundary: side.rawValue, modes: modes, paths: paths,
                            steps: steps, seed: seed, meanEnergy: result.energy.mean, stderr: result.energy.standardError,
                            exactEnergy: exact, failedPaths: result.failedPaths, seconds: seconds)
        try Output.emit(report, format: format) {
            let header = "heat (\(side.rawValue)), \(chosen.rawValue): J = \(modes), \(paths) paths × \(steps) steps, seed \(seed), "
                + String(format: "%.3f s", seconds) + "\n"
            return header + Output.table(["quantity", "sample", "standard error", "exact (J-mode projection)"],
                                         [["E ∫u(τ)² dt", Output.sci(result.energy.mean, 6), Output.sci(result.energy.standardError, 3),
                                           exact.map { Output.sci($0, 6) } ?? "-"]])
        }
        if result.failedPaths > 0 {
            throw CommandFailure(numerical: "\(result.failedPaths) of \(paths) paths became non-finite (statistics over the others are printed)")
        }
    }
}
