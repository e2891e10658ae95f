import ArgumentParser
import DeepestLearning
import Dispatch
import Foundation
import NumericCore
import Stochastic

/// `deepest escape`: escape from a saddle or a well measured against theory (MATH.md §6.3–6.4):
/// `linear-saddle` (mean and variance of the exit time against (1/2λ)[ln(2λL²/σ²) + γ_E + ln 2] and
/// π²/(8λ²), and the slope of E τ against ln(1/Temp) against 1/(2λ)), `double-well` (the mean
/// transition time against the exact double integral and Eyring–Kramers), `annealed-double-well`
/// (Hajek's cooling Temp = c/ln(e + τ): P(global well) against the two-state Kramers prediction),
/// `network-saddle` (the Langevin flow of the training action from its closed-form saddle, MATH.md §6.2:
/// the escape law with the computed negative eigenvalue λ₋).
struct EscapeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "escape",
        abstract: "Measure escape times from a saddle or a well against the closed-form laws.")

    enum Problem: String, ExpressibleByArgument, CaseIterable {
        case linearSaddle = "linear-saddle"
        case doubleWell = "double-well"
        case annealedDoubleWell = "annealed-double-well"
        case networkSaddle = "network-saddle"
    }

    @Option(help: "linear-saddle, double-well, annealed-double-well or network-saddle")
    var problem: Problem = .linearSaddle
    @Option(parsing: .unconditional, help: "Paths per temperature")
    var paths: Int = 2000
    @Option(parsing: .unconditional, help: "Seed")
    var seed: UInt64 = 1
    @Option(parsing: .upToNextOption, help: "Temperatures (linear-saddle default 5e-3 5e-5 5e-7 5e-9, i.e. σ from 0.1 to 1e-4; double-well 0.1 0.07 0.05; network-saddle 1e-4 ... 1e-8) or, for annealed-double-well, the cooling constants c (default 0.05 0.1 0.2 0.4)")
    var temperatures: [Double] = []
    @Option(parsing: .unconditional, help: "linear-saddle: the unstable rate λ")
    var rate: Double = 1
    @Option(parsing: .unconditional, help: "linear-saddle: the exit radius L (default 1); network-saddle: in the flow's coordinates (default 0.1)")
    var radius: Double?
    @Option(parsing: .unconditional, help: "network-saddle: layers")
    var layers: Int = 4
    @Option(parsing: .unconditional, help: "network-saddle: the Tikhonov weight λ per sample")
    var tikhonov: Double = 0.01
    @Option(parsing: .unconditional, help: "annealed-double-well: the tilt a of V = x⁴/4 − x²/2 + ax")
    var tilt: Double = 0.1
    @Option(parsing: .unconditional, help: "annealed-double-well: the horizon")
    var horizon: Double = 200
    @Option(parsing: .unconditional, help: "Time step (linear-saddle: a fraction of 1/λ, default 1e-3; network-saddle: a fraction of 1/λ₋, default 0.01; double-well 0.005; annealed 0.01)")
    var dt: Double?
    @Option(help: "Folder for escape.json, escape.csv and escape.png")
    var out: String?
    @Flag(inversion: .prefixedNo, help: "With --out: draw escape.png (needs python3 with matplotlib).")
    var figures = true
    @Option(help: "table or json")
    var format: OutputFormat = .table
    @OptionGroup var resources: ResourceOptions

    static let optionNames = ["rate": "--rate", "radius": "--radius", "tikhonov": "--tikhonov", "layers": "--layers", "temperatures": "--temperatures", "temperatures.count": "--temperatures",
                              "timeStepFraction": "--dt", "timeStep": "--dt", "paths": "--paths", "tilt": "--tilt", "horizon": "--horizon",
                              "constants": "--temperatures", "constants.count": "--temperatures",
                              // An empty sample of escape times (no path escaped at a temperature): more paths.
                              "times": "--paths"]

    struct Row: Codable {
        let temperature: Double
        let meanEscapeTime: Double?
        let stderr: Double
        let theoryMeanEscapeTime: Double?
        let escapeProbability: Double
        let variance: Double?
        let theoryVariance: Double?
        let eyringKramers: Double?
        let theoryEscapeProbability: Double?
    }

    struct Report: Codable {
        let problem: String
        let paths: Int
        let seed: UInt64
        let temperatures: [Double]
        let rows: [Row]
        let fittedSlope: Double?
        let slopeCI95: [Double]?
        let theorySlope: Double?
        let negativeEigenvalue: Double?
        let morseIndex: Int?
        let seconds: Double
    }

    func run() throws {
        guard paths >= 2 else { throw CommandFailure("invalid --paths = \(paths): must be >= 2") }
        if let dt, !(dt.isFinite && dt > 0) { throw CommandFailure("invalid --dt = \(dt): must be a finite number > 0") }
        let folder = try out.map { try OutputFolder(path: $0, option: "--out") }
        let start = DispatchTime.now().uptimeNanoseconds
        var report: Report
        do {
            report = try measure()
        } catch let error as InvalidArgument {
            throw CommandFailure.invalid(error, options: Self.optionNames)
        }
        report = Report(problem: report.problem, paths: report.paths, seed: report.seed, temperatures: report.temperatures, rows: report.rows,
                        fittedSlope: report.fittedSlope, slopeCI95: report.slopeCI95, theorySlope: report.theorySlope,
                        negativeEigenvalue: report.negativeEigenvalue, morseIndex: report.morseIndex,
                        seconds: Double(DispatchTime.now().uptimeNanoseconds - start) * 1e-9)
        if let folder {
            defer { folder.discard() }
            try folder.write([("escape.json", try Output.json(report) + "\n"), ("escape.csv", Self.csv(report))])
            if figures, let staging = try? folder.stage(), let reason = ComparisonReport.render(folder: staging, script: "escape_figures.py") {
                FileHandle.standardError.write(Data("deepest: escape.png not written: \(reason)\n".utf8))
            }
            try folder.commit()
        }
        try Output.emit(report, format: format) { table(report) }
    }

    /// One row per temperature (empty cells where a quantity is not defined).
    static func csv(_ report: Report) -> String {
        func cell(_ x: Double?) -> String { x.map { "\($0)" } ?? "" }
        var lines = ["temperature,meanEscapeTime,stderr,theoryMeanEscapeTime,escapeProbability,theoryEscapeProbability,eyringKramers"]
        for r in report.rows {
            lines.append([cell(r.temperature), cell(r.meanEscapeTime), cell(r.stderr), cell(r.theoryMeanEscapeTime),
                          cell(r.escapeProbability), cell(r.theoryEscapeProbability), cell(r.eyringKramers)].joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Steps the chosen problem may take, checked against --max-work before any work.
    func checkWork(stepsPerPath: Double, count: Int) throws {
        let work = Double(paths) * Double(count) * stepsPerPath * 20
        try resources.budget().check(bytes: Size.product(paths, 3, 8), work: work < 9e18 ? Int(work) : nil,
                                     blame: "--paths = \(paths) with \(count) temperatures")
    }

    func measure() throws -> Report {
        switch problem {
        case .linearSaddle:
            let temps = temperatures.isEmpty ? [5e-3, 5e-5, 5e-7, 5e-9] : temperatures
            let study = try LinearSaddleEscape(rate: rate, radius: radius ?? 1, temperatures: temps, timeStepFraction: dt ?? 1e-3)
            try checkWork(stepsPerPath: 40 / study.timeStepFraction, count: temps.count)
            let result = try study.run(paths: paths, seed: seed)
            return Report(problem: problem.rawValue, paths: paths, seed: seed, temperatures: temps,
                          rows: result.rows.map { Row(temperature: $0.temperature, meanEscapeTime: $0.meanEscapeTime, stderr: $0.stderr,
                                                      theoryMeanEscapeTime: $0.theoryMeanEscapeTime, escapeProbability: $0.escapeProbability,
                                                      variance: $0.variance, theoryVariance: $0.theoryVariance, eyringKramers: nil,
                                                      theoryEscapeProbability: nil) },
                          fittedSlope: result.fittedSlope, slopeCI95: [result.slopeCI95.lowerBound, result.slopeCI95.upperBound],
                          theorySlope: result.theorySlope, negativeEigenvalue: -rate, morseIndex: nil, seconds: 0)
        case .doubleWell:
            let temps = temperatures.isEmpty ? [0.1, 0.07, 0.05] : temperatures
            let study = try DoubleWellEscape(temperatures: temps, timeStep: dt ?? 0.005)
            let longest = temps.map { EscapeLaws.doubleWellEyringKramers(temperature: $0) }.max() ?? 1
            try checkWork(stepsPerPath: 2 * longest / study.timeStep, count: temps.count)
            let rows = try study.run(paths: paths, seed: seed)
            return Report(problem: problem.rawValue, paths: paths, seed: seed, temperatures: temps,
                          rows: rows.map { Row(temperature: $0.temperature, meanEscapeTime: $0.meanEscapeTime, stderr: $0.stderr,
                                               theoryMeanEscapeTime: $0.theoryMeanEscapeTime, escapeProbability: $0.escapeProbability,
                                               variance: nil, theoryVariance: nil, eyringKramers: $0.eyringKramers,
                                               theoryEscapeProbability: nil) },
                          fittedSlope: nil, slopeCI95: nil, theorySlope: nil, negativeEigenvalue: nil, morseIndex: nil, seconds: 0)
        case .networkSaddle:
            let temps = temperatures.isEmpty ? [1e-4, 1e-5, 1e-6, 1e-7, 1e-8] : temperatures
            guard layers >= 1, layers <= 1000 else { throw CommandFailure("invalid --layers = \(layers): must be in 1...1000") }
            let saddle = try NetworkSaddle(layers: layers, tikhonov: tikhonov)
            let fraction = dt ?? 0.01
            try checkWork(stepsPerPath: 40 / fraction * Double(saddle.data.count * layers), count: temps.count)
            let index = try saddle.morseIndex()
            let result = try saddle.escape(temperatures: temps, radius: radius ?? 0.1, timeStepFraction: fraction, paths: paths, seed: seed)
            return Report(problem: problem.rawValue, paths: paths, seed: seed, temperatures: temps,
                          rows: result.rows.map { Row(temperature: $0.temperature, meanEscapeTime: $0.meanEscapeTime, stderr: $0.stderr,
                                                      theoryMeanEscapeTime: $0.theoryMeanEscapeTime, escapeProbability: $0.escapeProbability,
                                                      variance: nil, theoryVariance: nil, eyringKramers: nil,
                                                      theoryEscapeProbability: $0.theoryEscapeProbability) },
                          fittedSlope: result.fittedSlope, slopeCI95: [result.slopeCI95.lowerBound, result.slopeCI95.upperBound],
                          theorySlope: result.theorySlope, negativeEigenvalue: index?.smallestEigenvalue ?? result.negativeEigenvalue,
                          morseIndex: index?.index, seconds: 0)
        case .annealedDoubleWell:
            let constants = temperatures.isEmpty ? [0.05, 0.1, 0.2, 0.4] : temperatures
            let study = try AnnealedDoubleWell(tilt: tilt, constants: constants, horizon: horizon, timeStep: dt ?? 0.01)
            try checkWork(stepsPerPath: horizon / study.timeStep, count: constants.count)
            let rows = try study.run(paths: paths, seed: seed)
            return Report(problem: problem.rawValue, paths: paths, seed: seed, temperatures: constants,
                          rows: rows.map { Row(temperature: $0.constant, meanEscapeTime: nil, stderr: $0.stderr, theoryMeanEscapeTime: nil,
                                               escapeProbability: $0.globalProbability, variance: nil, theoryVariance: nil, eyringKramers: nil,
                                               theoryEscapeProbability: $0.theoryGlobalProbability) },
                          fittedSlope: nil, slopeCI95: nil, theorySlope: nil, negativeEigenvalue: nil, morseIndex: nil, seconds: 0)
        }
    }

    func table(_ report: Report) -> String {
        let header = "\(report.problem): \(report.paths) paths per temperature, seed \(report.seed), " + String(format: "%.2f s", report.seconds) + "\n"
        func cell(_ x: Double?) -> String { x.map { Output.sci($0, 4) } ?? "-" }
        let rows = report.rows.map { r in
            [Output.sci(r.temperature, 3), cell(r.meanEscapeTime), Output.sci(r.stderr, 2), cell(r.theoryMeanEscapeTime),
             cell(r.variance), cell(r.theoryVariance), cell(r.eyringKramers), String(format: "%.3f", r.escapeProbability),
             r.theoryEscapeProbability.map { String(format: "%.3f", $0) } ?? "-"]
        }
        var text = header + Output.table([problem == .annealedDoubleWell ? "c" : "Temp", "mean τ", "stderr", "theory", "var τ", "theory var",
                                          "Eyring–Kramers", problem == .annealedDoubleWell ? "P(global)" : "P(escape)", "theory P"], rows)
        if let slope = report.fittedSlope, let ci = report.slopeCI95, let theory = report.theorySlope {
            text += String(format: "slope of E τ against ln(1/Temp): %.4f, 95%% interval [%.4f, %.4f]; theory 1/(2λ) = %.4f\n",
                           slope, ci[0], ci[1], theory)
        }
        if problem == .networkSaddle, let eigenvalue = report.negativeEigenvalue {
            text += String(format: "Morse index %@, smallest Hessian eigenvalue (flow metric) %.6g\n", report.morseIndex.map(String.init) ?? "-", eigenvalue)
        }
        return text
    }
}
