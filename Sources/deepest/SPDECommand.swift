import ArgumentParser
import Dispatch
import Foundation
import NumericCore
import Stochastic

/// `deepest spde`: an ensemble of a semilinear SPDE (heat, Allen–Cahn, Burgers, Swift–Hohenberg) in 1-D
/// or 2-D on the `SemilinearSPDE` engine; prints the mean energy ∫|u|² with its standard error, the
/// exact expected energy of the J-mode projection and of the scheme itself for linear problems with
/// additive noise, and the problem's own statistics. `--out DIR` writes path 0's snapshots and a figure.
struct SPDECommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "spde",
        abstract: "Simulate a semilinear SPDE du = (Au + F(u))dτ + G(u)dW^Q in 1-D or 2-D and report the mean energy.")

    enum Problem: String, ExpressibleByArgument, CaseIterable {
        case heat
        case allenCahn = "allen-cahn"
        case burgers
        case swiftHohenberg = "swift-hohenberg"
    }
    enum Reaction: String, ExpressibleByArgument, CaseIterable { case none, sine }
    enum Noise: String, ExpressibleByArgument, CaseIterable {
        case white
        case traceClass = "trace-class"
    }
    enum Multiplicative: String, ExpressibleByArgument, CaseIterable { case none, linear, sine }

    @Option(help: "heat, allen-cahn, burgers or swift-hohenberg")
    var problem: Problem = .heat
    @Option(help: "semi-implicit, exponential-euler, milstein (multiplicative noise) or finite-difference (1-D heat)")
    var scheme: String = "semi-implicit"
    @Option(parsing: .unconditional, help: "1 (an interval) or 2 (a rectangle)")
    var dimension: Int = 1
    @Option(parsing: .unconditional, help: "Modes J along x (finite differences: nodes)")
    var modes: Int = 64
    @Option(name: .customLong("modes-y"), parsing: .unconditional, help: "Modes along y in 2-D (default: --modes)")
    var modesY: Int?
    @Option(help: "Basis along x: periodic, neumann, dirichlet, dirichlet-neumann or neumann-dirichlet (default: periodic for burgers and swift-hohenberg, neumann otherwise)")
    var boundary: String?
    @Option(name: .customLong("boundary-y"), help: "Basis along y in 2-D (default: --boundary)")
    var boundaryY: String?
    @Option(parsing: .unconditional, help: "Length of the x-axis (default: 1; burgers 2π; swift-hohenberg 32)")
    var length: Double?
    @Option(name: .customLong("length-y"), parsing: .unconditional, help: "Length of the y-axis (default: --length)")
    var lengthY: Double?
    @Option(parsing: .unconditional, help: "Time step Δτ (must divide the horizon)")
    var dt: Double = 0.001
    @Option(parsing: .unconditional, help: "Final pseudo-time τ")
    var horizon: Double = 1
    @Option(parsing: .unconditional, help: "Number of paths")
    var paths: Int = 100
    @Option(parsing: .unconditional, help: "Seed")
    var seed: UInt64 = 1
    @Option(parsing: .unconditional, help: "Diffusivity α (burgers: viscosity ν; default 1, allen-cahn 0.001, burgers 0.05)")
    var diffusivity: Double?
    @Option(parsing: .unconditional, help: "Decay λ (default 1 for heat, 0 otherwise)")
    var decay: Double?
    @Option(parsing: .unconditional, help: "Swift–Hohenberg control parameter r")
    var control: Double = 0.3
    @Option(parsing: .unconditional, help: "Noise amplitude σ (default 1 for heat, 0.1 otherwise)")
    var sigma: Double?
    @Option(help: "Noise covariance: white (q = 1) or trace-class (q = (1 + |κ|²)^(−r))")
    var noise: Noise = .white
    @Option(parsing: .unconditional, help: "Regularity r of trace-class noise")
    var regularity: Double = 1
    @Option(parsing: .unconditional, help: "Drive only the first K modes along each axis")
    var cutoff: Int?
    @Option(help: "Multiplicative noise G = σ g(u): none, linear (g = u) or sine (g = sin u)")
    var multiplicative: Multiplicative = .none
    @Option(parsing: .unconditional, help: "A constant initial value u₀ (default: 0; burgers sin(2πx/L))")
    var initial: Double?
    @Option(help: "Heat reaction f: none or sine (f(u) = sin u)")
    var reaction: Reaction = .none
    @Option(parsing: .unconditional, help: "With --out: snapshots of path 0 (default 200 in 1-D, 4 in 2-D)")
    var snapshots: Int?
    @Flag(name: .customLong("measure-transforms"), help: "Time the transforms and report their share of the run (transformShare).")
    var measureTransforms = false
    @Option(help: "Folder for spde.json, snapshots.csv (path 0) and field.png")
    var out: String?
    @Flag(inversion: .prefixedNo, help: "With --out: draw field.png (needs python3 with matplotlib).")
    var figures = true
    @Option(help: "table or json")
    var format: OutputFormat = .table
    @OptionGroup var resources: ResourceOptions
    @OptionGroup var checkpointing: CheckpointOptions

    /// The library's argument names as this command's options.
    static let optionNames = ["noiseAmplitude": "--sigma", "diffusion": "--diffusivity", "diffusivity": "--diffusivity", "decay": "--decay", "modes": "--modes",
                              "modes-y": "--modes-y", "paths": "--paths", "timeStep": "--dt", "steps": "--dt", "lengths": "--length",
                              "cutoff": "--cutoff", "boundary": "--boundary", "scheme": "--scheme"]

    struct Statistic: Codable {
        let mean: Double
        let stderr: Double
        let exact: Double?
    }

    struct Report: Codable {
        let problem: String
        let scheme: String
        let dimension: Int
        let boundary: String
        let modes: [Int]
        let paths: Int
        let steps: Int
        let seed: UInt64
        let meanEnergy: Double
        let stderr: Double
        let exactEnergy: Double?
        let exactDiscreteEnergy: Double?
        let failedPaths: Int
        let seconds: Double
        let statistics: [String: Statistic]
        let transformShare: Double?
    }

    func run() throws {
        guard dimension == 1 || dimension == 2 else { throw CommandFailure("invalid --dimension = \(dimension): must be 1 or 2") }
        guard modes > 0 else { throw CommandFailure("invalid --modes = \(modes): must be > 0") }
        if let modesY, modesY <= 0 { throw CommandFailure("invalid --modes-y = \(modesY): must be > 0") }
        if dimension == 1, modesY != nil || boundaryY != nil || lengthY != nil {
            throw CommandFailure("invalid --modes-y/--boundary-y/--length-y: only with --dimension 2")
        }
        let steps = try EnsembleGrid.steps(paths: paths, dt: dt, horizon: horizon)
        let checkpoint = try checkpointing.policy(unsupported: scheme == "finite-difference" ? "not with --scheme finite-difference" : nil)
        if scheme == "finite-difference" { return try runFiniteDifference(steps: steps) }
        guard let chosen = SPDEScheme(rawValue: scheme) else {
            throw CommandFailure("invalid --scheme = \(scheme): must be one of \((SPDEScheme.allCases.map(\.rawValue) + ["finite-difference"]).joined(separator: ", "))")
        }
        let modeCounts = dimension == 1 ? [modes] : [modes, modesY ?? modes]
        guard let points = Size.product(modeCounts[0], modeCounts.count == 2 ? modeCounts[1] : 1) else {
            throw CommandFailure("invalid --modes-y = \(modeCounts[1]): --modes × --modes-y overflows")
        }
        // Memory: per worker a stepper of about 10 fields; paths × (points + 4) result values; path 0's
        // snapshots. Work: paths × steps × points × (transforms: about 4 log₂ points + 20).
        let snapshotCount = min(steps, snapshots ?? (dimension == 1 ? 200 : 4))
        if let snapshots, snapshots <= 0 { throw CommandFailure("invalid --snapshots = \(snapshots): must be > 0") }
        let logPoints = Int(log2(Double(max(points, 2))).rounded(.up))
        let bytes = Size.sum(Size.product(Parallel.workerCount, points, 12 * 8), Size.product(paths, Size.sum(points, 4), 8),
                             out == nil ? 0 : Size.product(snapshotCount + 1, points, 8), 1 << 20)
        try resources.budget().check(bytes: bytes, work: Size.product(paths, steps, points, 4 * logPoints + 20),
                                     blame: "--modes = \(modeCounts.map(String.init).joined(separator: " × ")), --paths = \(paths) with --horizon/--dt = \(steps) steps")
        let equation: SemilinearSPDE
        do {
            equation = try makeProblem()
        } catch let error as InvalidArgument {
            throw CommandFailure.invalid(error, options: Self.optionNames)
        }
        let folder = try out.map { try OutputFolder(path: $0, option: "--out") }
        let functionals: [SPDEFunctional] = [.integral()]
        let progress = SharedProgress("paths", total: paths)
        let start = DispatchTime.now().uptimeNanoseconds
        let result: SPDEEnsembleResult
        do {
            let ensemble = try SPDEEnsemble(scheme: chosen, modes: modeCounts, timeStep: dt, steps: steps, paths: paths, seed: seed,
                                            functionals: functionals, snapshotInterval: folder == nil ? nil : max(1, steps / snapshotCount))
            result = try solve(equation, ensemble, measuringTransforms: measureTransforms, checkpoint: checkpoint, progress: { progress.update($0) })
        } catch let error as InvalidArgument {
            throw CommandFailure.invalid(error, options: Self.optionNames)
        }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) * 1e-9
        var statistics: [String: Statistic] = [:]
        let integral = result.functionals[0]
        statistics["integral"] = Statistic(mean: integral.mean, stderr: integral.standardError, exact: nil)
        if problem == .burgers {
            // With additive noise the mean mode is an OU process of rate λ (∫u u_x = ∫u_xx = 0):
            // E û₀² = e^{−2λτ}û₀(0)² + σ²q₀(1 − e^{−2λτ})/(2λ), û₀(0)² + σ²q₀τ at λ = 0. No closed form with
            // multiplicative noise.
            let grid = try equation.grid(modes: modeCounts)
            let q0 = try equation.noiseEigenvalues(on: grid)[0]
            let stepper = try SPDEStepper(equation, modes: modeCounts, scheme: chosen, timeStep: dt)
            let u0 = stepper.modeCoefficients[0], s = equation.noise.amplitude, lambda = equation.linearPart.decay[0]
            let growth = lambda != 0 ? -expm1(-2 * lambda * horizon) / (2 * lambda) : horizon
            let exact = multiplicative == .none ? exp(-2 * lambda * horizon) * u0 * u0 + s * s * q0 * growth : nil
            statistics["meanModeSecondMoment"] = Statistic(mean: result.modeSecondMoments[0], stderr: result.modeStandardErrors[0],
                                                           exact: exact)
        }
        let boundaries = equation.boundaries.map(\.rawValue).joined(separator: " × ")
        let share = measureTransforms && result.workerSeconds > 0 ? result.transformSeconds / result.workerSeconds : nil
        let report = Report(problem: problem.rawValue, scheme: chosen.rawValue, dimension: dimension, boundary: boundaries,
                            modes: modeCounts, paths: paths, steps: steps, seed: seed, meanEnergy: result.energy.mean,
                            stderr: result.energy.standardError, exactEnergy: result.exactEnergy,
                            exactDiscreteEnergy: result.exactDiscreteEnergy, failedPaths: result.failedPaths, seconds: seconds,
                            statistics: statistics, transformShare: share)
        if let folder {
            defer { folder.discard() }
            try folder.write([("spde.json", try Output.json(report) + "\n"), ("snapshots.csv", Self.snapshotCSV(result))])
            if figures, let staging = try? folder.stage(), let reason = ComparisonReport.render(folder: staging, script: "spde_figures.py") {
                FileHandle.standardError.write(Data("deepest: field.png not written: \(reason)\n".utf8))
            }
            try folder.commit()
        }
        try Output.emit(report, format: format) {
            let header = "\(problem.rawValue) (\(boundaries)), \(chosen.rawValue): modes \(modeCounts.map(String.init).joined(separator: " × ")), "
                + "\(paths) paths × \(steps) steps, seed \(seed), " + String(format: "%.3f s", seconds) + "\n"
            var rows = [["E ∫|u(τ)|²", Output.sci(result.energy.mean, 6), Output.sci(result.energy.standardError, 3),
                         result.exactEnergy.map { Output.sci($0, 6) } ?? "-", result.exactDiscreteEnergy.map { Output.sci($0, 6) } ?? "-"]]
            for (name, s) in statistics.sorted(by: { $0.key < $1.key }) {
                rows.append(["E " + name, Output.sci(s.mean, 6), Output.sci(s.stderr, 3), s.exact.map { Output.sci($0, 6) } ?? "-", "-"])
            }
            var text = header + Output.table(["quantity", "sample", "standard error", "exact (J-mode projection)", "exact (scheme)"], rows)
            if let share { text += String(format: "transforms: %.0f%% of the step time\n", 100 * share) }
            return text
        }
        if result.failedPaths > 0 {
            throw CommandFailure(numerical: "\(result.failedPaths) of \(paths) paths became non-finite (statistics over the others are printed)")
        }
    }

    /// The SPDE the options describe.
    func makeProblem() throws -> SemilinearSPDE {
        func basis(_ text: String?, _ option: String) throws -> SpectralBasis {
            let fallback: SpectralBasis = problem == .burgers || problem == .swiftHohenberg ? .periodic : .neumann
            guard let text else { return fallback }
            guard let value = SpectralBasis(rawValue: text) else {
                throw CommandFailure("invalid \(option) = \(text): must be one of \(SpectralBasis.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            return value
        }
        var boundaries = [try basis(boundary, "--boundary")]
        let defaultLength = problem == .burgers ? 2 * Double.pi : (problem == .swiftHohenberg ? 32 : 1)
        var lengths = [length ?? defaultLength]
        if dimension == 2 {
            boundaries.append(boundaryY == nil ? boundaries[0] : try basis(boundaryY, "--boundary-y"))
            lengths.append(lengthY ?? lengths[0])
        }
        for (value, option) in [(length, "--length"), (lengthY, "--length-y")] {
            if let value, !(value.isFinite && value > 0) { throw CommandFailure("invalid \(option) = \(value): must be a finite number > 0") }
        }
        if let cutoff, cutoff <= 0 { throw CommandFailure("invalid --cutoff = \(cutoff): must be > 0") }
        let amplitude = sigma ?? (problem == .heat ? 1 : 0.1)
        guard amplitude.isFinite, amplitude >= 0 else { throw CommandFailure("invalid --sigma = \(amplitude): must be a finite number >= 0") }
        guard regularity.isFinite, regularity >= 0 else { throw CommandFailure("invalid --regularity = \(regularity): must be a finite number >= 0") }
        if reaction != .none, problem != .heat { throw CommandFailure("invalid --reaction = \(reaction.rawValue): only with --problem heat") }
        let g: SPDENoise.Multiplicative?
        switch multiplicative {
        case .none: g = nil
        case .linear: g = .init({ (u: Double) -> Double in u }, derivative: { (_: Double) -> Double in 1 })
        case .sine: g = .init(Self.sine, derivative: { (u: Double) -> Double in cos(u) })
        }
        let covariance: QWienerCovariance = noise == .white ? .white : .traceClass(regularity: regularity)
        let noiseTerm = try SPDENoise(amplitude: amplitude, covariance: covariance, cutoff: cutoff, multiplicative: g)
        if let initial, !initial.isFinite { throw CommandFailure("invalid --initial = \(initial): must be finite") }
        var start: (@Sendable (Int, Double, Double) -> Double)?
        if let initial { start = { _, _, _ in initial } }
        switch problem {
        case .heat:
            let alpha = diffusivity ?? 1, lambda = decay ?? 1
            return try .heat(boundaries: boundaries, lengths: lengths, diffusivity: alpha, decay: lambda,
                             reaction: reaction == .sine ? Self.sine : nil, noise: noiseTerm, initialValue: start)
        case .allenCahn:
            return try .allenCahn(boundaries: boundaries, lengths: lengths, diffusivity: diffusivity ?? 0.001, decay: decay ?? 0,
                                  noise: noiseTerm, initialValue: start)
        case .burgers:
            return try .burgers(boundaries: boundaries, lengths: lengths, viscosity: diffusivity ?? 0.05, decay: decay ?? 0,
                                noise: noiseTerm, initialValue: start)
        case .swiftHohenberg:
            guard control.isFinite else { throw CommandFailure("invalid --control = \(control): must be finite") }
            return try .swiftHohenberg(boundaries: boundaries, lengths: lengths, control: control, noise: noiseTerm, initialValue: start)
        }
    }

    static let sine: @Sendable (Double) -> Double = { (u: Double) -> Double in sin(u) }

    /// Path 0's snapshots in long format: tau, x, y, component, u.
    static func snapshotCSV(_ result: SPDEEnsembleResult) -> String {
        var lines = ["tau,x,y,component,u"]
        let grid = result.grid
        for (time, field) in zip(result.snapshotTimes, result.snapshots) {
            for c in 0..<grid.components {
                for p in 0..<grid.pointCount {
                    let (x, y) = grid.position(ofPoint: p)
                    lines.append("\(time),\(x),\(y),\(c),\(field[c * grid.pointCount + p])")
                }
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The 1-D heat equation's finite-difference scheme (not spectral: its own stepper).
    func runFiniteDifference(steps: Int) throws {
        guard problem == .heat, dimension == 1, multiplicative == .none, noise == .white, cutoff == nil else {
            throw CommandFailure("invalid --scheme = finite-difference: only for --problem heat in 1-D with additive white noise")
        }
        let side: StochasticHeatEquation.Boundary
        switch boundary ?? "neumann" {
        case "neumann": side = .neumann
        case "dirichlet": side = .dirichlet
        case let other: throw CommandFailure("invalid --boundary = \(other): finite differences take neumann or dirichlet")
        }
        let alpha = diffusivity ?? 1, lambda = decay ?? 1, amplitude = sigma ?? 1
        guard alpha.isFinite, alpha > 0 else { throw CommandFailure("invalid --diffusivity = \(alpha): must be a finite number > 0") }
        guard lambda.isFinite, lambda >= 0 else { throw CommandFailure("invalid --decay = \(lambda): must be a finite number >= 0") }
        guard amplitude.isFinite, amplitude >= 0 else { throw CommandFailure("invalid --sigma = \(amplitude): must be a finite number >= 0") }
        let bytes = Size.sum(Size.product(paths, Size.sum(modes, 2), 8), Size.product(Parallel.workerCount, modes, 16 * 8), 1 << 20)
        try resources.budget().check(bytes: bytes, work: Size.product(paths, steps, modes, 8),
                                     blame: "--modes = \(modes), --paths = \(paths) with --horizon/--dt = \(steps) steps")
        let equation: StochasticHeatEquation
        do {
            equation = try StochasticHeatEquation(length: length ?? 1, diffusivity: alpha, decay: lambda, noiseAmplitude: amplitude,
                                                  boundary: side, reaction: reaction == .sine ? Self.sine : nil)
        } catch let error as InvalidArgument {
            throw CommandFailure.invalid(error, options: Self.optionNames)
        }
        let progress = SharedProgress("paths", total: paths)
        let start = DispatchTime.now().uptimeNanoseconds
        let result = try solve(equation, HeatEnsemble(scheme: .semiImplicitFiniteDifference, modes: modes, timeStep: dt, steps: steps,
                                                      paths: paths, seed: seed), progress: { progress.update($0) })
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) * 1e-9
        let exact = equation.expectedModeEnergy(at: horizon, modes: modes)
        let report = Report(problem: problem.rawValue, scheme: scheme, dimension: 1, boundary: side.rawValue, modes: [modes], paths: paths,
                            steps: steps, seed: seed, meanEnergy: result.energy.mean, stderr: result.energy.standardError,
                            exactEnergy: exact, exactDiscreteEnergy: nil, failedPaths: result.failedPaths, seconds: seconds,
                            statistics: [:], transformShare: nil)
        try Output.emit(report, format: format) {
            "heat (\(side.rawValue)), finite-difference: J = \(modes), \(paths) paths × \(steps) steps, seed \(seed), "
                + String(format: "%.3f s", seconds) + "\n"
                + Output.table(["quantity", "sample", "standard error", "exact (J-mode projection)"],
                               [["E ∫u(τ)² dt", Output.sci(result.energy.mean, 6), Output.sci(result.energy.standardError, 3),
                                 exact.map { Output.sci($0, 6) } ?? "-"]])
        }
        if result.failedPaths > 0 {
            throw CommandFailure(numerical: "\(result.failedPaths) of \(paths) paths became non-finite (statistics over the others are printed)")
        }
    }
}
