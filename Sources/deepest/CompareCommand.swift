import ArgumentParser
import DeepestLearning
import Foundation
import NumericCore

/// `deepest compare`: trains a boundary value recipe and SGD and Adam at equal architecture (width,
/// layers, horizon, activation, antisymmetry, seed) and prints one table side by side. JSON: one object
/// {dataset, width, layers, horizon, activation, antisymmetric, seed, results: [the `deepest train`
/// object of each method]}. `--out DIR` writes the result files of `ComparisonFiles` and then, unless
/// `--no-figures`, the figures and report.md (`ComparisonReport`). `--continuum R` adds a column for the
/// continuum recipe R with its own defaults and the options given (each applies to the stages of every
/// column that have it); `--langevin` a column for the langevin recipe (`--recipe langevin` makes it the
/// first column instead).
struct CompareCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compare",
        abstract: "Train a boundary value method and SGD/Adam at equal architecture and compare them.")

    @OptionGroup var options: TrainOptions
    @Option(help: "table or json") var format: OutputFormat = .table
    @OptionGroup var resources: ResourceOptions
    @Flag(inversion: .prefixedNo, help: "With --out: draw the figures and write report.md (needs python3 with matplotlib).")
    var figures = true
    @Option(help: "Also train this continuum recipe (collocation, collocation-reduced, collocation-discrete, collocation-continuation, multiple-shooting or chebyshev) at the same architecture, with its own defaults (Notes/deepest-learning-action.md §9e).")
    var continuum: String?
    @Flag(help: "Also train the langevin recipe (annealed Langevin dynamics, then polish) at the same architecture.")
    var langevin = false

    func run() throws {
        var bvp = options
        if bvp.recipe == nil && bvp.method == nil && TrainSettings.configRecipe(options.config) == nil {
            bvp.recipe = "symplectic-euler"
        }
        let bvpSettings = try TrainSettings(command: bvp, strict: false)
        let shape = bvpSettings.configuration
        guard !["sgd", "adam"].contains(shape.recipe.name) else {
            throw CommandFailure("compare needs a boundary value --recipe (\(TrainingRecipe.names.filter { $0 != "sgd" && $0 != "adam" }.joined(separator: ", "))); SGD and Adam are always run beside it")
        }
        let out = try options.out.map { try OutputFolder(path: $0, option: "--out") }
        let split = try bvpSettings.loadSplit()
        let budget = try resources.budget()
        var columns = [String?.none]
        if let continuum {
            let allowed = TrainingRecipe.continuumNames + TrainingRecipe.aliases
            guard allowed.contains(continuum) else {
                throw CommandFailure("invalid --continuum = \(continuum): must be one of \(allowed.joined(separator: ", "))")
            }
            if continuum != shape.methodLabel { columns.append(continuum) }
        }
        if langevin && shape.methodLabel != "langevin" { columns.append("langevin") }
        var trained = [(configuration: TrainingConfiguration, parameters: [Double])]()
        var reports = [TrainingReport]()
        for recipe in columns + ["sgd", "adam"] {
            // Equal architecture: the boundary value run's shape for every method.
            let c = recipe == nil ? shape : try TrainSettings(command: bvp, recipe: recipe, strict: false).configuration.withArchitecture(of: shape)
            try TrainingSize.check(c, split: split, budget: budget)
            let run = try TrainingRun.run(c, split: split, label: c.methodLabel)
            reports.append(run.report)
            trained.append((c, run.parameters))
        }
        let comparison = ComparisonFiles.Comparison(
            dataset: shape.dataName, width: shape.width, layers: shape.layers, horizon: shape.horizon,
            activation: shape.activation.rawValue, antisymmetric: shape.antisymmetric, seed: shape.seed, results: reports)
        if let out {
            defer { out.discard() }
            let staging = try out.stage()
            try ComparisonFiles(folder: staging).write(comparison, trained: trained, split: split)
            if figures, let reason = ComparisonReport.render(folder: staging) {
                FileHandle.standardError.write(Data("deepest: figures and report.md not written: \(reason)\n".utf8))
            }
            try out.commit()
        }
        let header = ["method", "train loss", "train acc", "test acc", "test RMSE", "action", "seconds", "grad evals", "status"]
        let rows = reports.map { r in
            [r.method, Output.sci(r.trainLoss), r.trainAccuracy.map { Output.fixed($0, 4) } ?? "-",
             r.testAccuracy.map { Output.fixed($0, 4) } ?? "-", r.testRMSE.map { Output.sci($0) } ?? "-",
             r.action.map { Output.sci($0) } ?? "-", Output.fixed(r.seconds, 2), String(r.gradientEvaluations), r.status]
        }
        try Output.emit(comparison, format: format) {
            "dataset \(shape.dataName), width \(shape.width), layers \(shape.layers), horizon \(shape.horizon)\n"
                + Output.table(header, rows)
        }
        if let failure = TrainingRun.failure(reports) { throw failure }
    }
}
