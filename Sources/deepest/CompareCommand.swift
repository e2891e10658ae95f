import ArgumentParser
import DeepestLearning
import Foundation
import NumericCore

/// `deepest compare`: trains the boundary value method and SGD and Adam at equal architecture (width,
/// layers, horizon, activation, antisymmetry, seed) and prints one table side by side. JSON: one object
/// {dataset, width, layers, horizon, activation, antisymmetric, seed, results: [the `deepest train`
/// object of each method]}. `--out DIR` writes the result files of `ComparisonFiles` and then, unless
/// `--no-figures`, the figures and report.md (`ComparisonReport`). `--continuum M` adds a column for the
/// continuum method M (collocation, multiple-shooting, chebyshev) with its own defaults and the options
/// given (they apply to every method, as for the boundary value run).
struct CompareCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compare",
        abstract: "Train a boundary value method and SGD/Adam at equal architecture and compare them.")

    @OptionGroup var options: TrainOptions
    @Option(help: "table or json") var format: OutputFormat = .table
    @Flag(inversion: .prefixedNo, help: "With --out: draw the figures and write report.md (needs python3 with matplotlib).")
    var figures = true
    @Option(help: "Also train this continuum method (collocation, multiple-shooting or chebyshev) at the same architecture, with its own defaults (its start, α, annealing; Notes/deepest-learning-action.md §9e).")
    var continuum: String?

    func run() throws {
        var bvp = options
        if bvp.method == nil && TrainSettings.configMethod(options.config) == nil { bvp.method = TrainingMethod.symplecticEuler.rawValue }
        let bvpSettings = try TrainSettings(command: bvp)
        guard bvpSettings.configuration.method.isBoundaryValueMethod else {
            throw CommandFailure("compare needs a boundary value --method (\(TrainingMethod.allCases.filter(\.isBoundaryValueMethod).map(\.rawValue).joined(separator: ", "))); SGD and Adam are always run beside it")
        }
        let shape = bvpSettings.configuration
        let split = try loadSplit(shape.dataset, directory: options.dataDirectory)
        var trained = [(configuration: TrainingConfiguration, parameters: [Double])]()
        var reports = [TrainingReport]()
        var methods = [shape.method]
        if let continuum {
            let continuumMethods: [TrainingMethod] = [.collocation, .multipleShooting, .chebyshev]
            guard let method = TrainingMethod(rawValue: continuum), continuumMethods.contains(method) else {
                throw CommandFailure("unknown --continuum method '\(continuum)'; valid: \(continuumMethods.map(\.rawValue).joined(separator: ", "))")
            }
            if method != shape.method { methods.append(method) }
        }
        for method in methods + [.sgd, .adam] {
            var o = options
            o.method = method.rawValue
            var c = try TrainSettings(command: o).configuration
            if !method.isBoundaryValueMethod { c.readout = .trained }  // SGD/Adam always train the readout.
            // Equal architecture: the boundary value run's shape for every method.
            c.width = shape.width; c.layers = shape.layers; c.horizon = shape.horizon; c.activation = shape.activation
            c.antisymmetric = shape.antisymmetric; c.shift = shape.shift; c.seed = shape.seed; c.samples = shape.samples
            let run = try TrainingRun.run(c, split: split, label: method.rawValue)
            reports.append(run.report)
            trained.append((c, run.parameters))
        }
        let comparison = ComparisonFiles.Comparison(
            dataset: shape.dataset.rawValue, width: shape.width, layers: shape.layers, horizon: shape.horizon,
            activation: shape.activation.rawValue, antisymmetric: shape.antisymmetric, seed: shape.seed, results: reports)
        if let out = options.out {
            let folder = URL(fileURLWithPath: out)
            try ComparisonFiles(folder: folder).write(comparison, trained: trained, split: split)
            if figures, let reason = ComparisonReport.render(folder: folder) {
                FileHandle.standardError.write(Data("deepest: figures and report.md not written: \(reason)\n".utf8))
            }
        }
        let header = ["method", "train loss", "train acc", "test acc", "test RMSE", "action", "seconds", "grad evals", "status"]
        let rows = reports.map { r in
            [r.method, Output.sci(r.trainLoss), r.trainAccuracy.map { Output.fixed($0, 4) } ?? "-",
             r.testAccuracy.map { Output.fixed($0, 4) } ?? "-", r.testRMSE.map { Output.sci($0) } ?? "-",
             r.action.map { Output.sci($0) } ?? "-", Output.fixed(r.seconds, 2), String(r.gradientEvaluations), r.status]
        }
        try Output.emit(comparison, format: format) {
            "dataset \(shape.dataset.rawValue), width \(shape.width), layers \(shape.layers), horizon \(shape.horizon)\n"
                + Output.table(header, rows)
        }
    }
}
