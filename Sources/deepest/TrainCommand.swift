import ArgumentParser
import DeepestLearning
import Foundation
import NumericCore
import Yams

/// `deepest train`: trains one network on one data set by a recipe (a pipeline of stages) and prints
/// the report (JSON keys dataset, method, recipe, trainLoss, trainMisfit, trainSamples, trainAccuracy, testAccuracy or testRMSE,
/// action, annealingRungs, epochs, seconds, gradientEvaluations, status). Settings come from the
/// options, then a `--config` YAML file, then the data set's and the recipe's defaults.
struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train a continuous-depth network (boundary value methods or SGD/Adam on the ResNet).")

    @OptionGroup var options: TrainOptions
    @Option(help: "table or json") var format: OutputFormat = .table
    @OptionGroup var resources: ResourceOptions
    @OptionGroup var checkpointing: CheckpointOptions

    func run() throws {
        let settings = try TrainSettings(command: options)
        let checkpoint = try checkpointing.policy(
            unsupported: settings.configuration.recipe.stages.contains { TrainingPipeline.resumableStageTypes.contains($0.type) } ? nil
                : "recipe \(settings.configuration.recipe.name) has no resumable stage (langevin, continuum-annealing, tikhonov-continuation, horizon-continuation)")
        let out = try options.out.map { try OutputFolder(path: $0, option: "--out") }
        let split = try settings.loadSplit()
        try TrainingSize.check(settings.configuration, split: split, budget: try resources.budget())
        let outcome = try TrainingRun.run(settings.configuration, split: split, checkpoint: checkpoint)
        let report = outcome.report
        if let out {
            defer { out.discard() }
            let train = try TrainingExperiment.trainingSplit(settings.configuration, of: split).train
            let model = try SavedModel(outcome: outcome, configuration: settings.configuration, train: train)
            try out.write([("train.json", try Output.json(report) + "\n"), ("model.json", String(decoding: try model.jsonData(), as: UTF8.self) + "\n"),
                           ("loss.csv", TrainingRun.lossCSV(report)),
                           ("stages.csv", TrainingRun.stagesCSV(report))]
                          + (report.rungs.isEmpty ? [] : [("rungs.csv", TrainingRun.rungsCSV(report))])
                          + (report.smallestHessianEigenvector.map { [("hessian-eigenvector.csv", $0.csv)] } ?? []))
            if let annealing = TrainingRun.annealingCSV(report) {
                // A Langevin stage ran: its weights' (τ, t) heat map.
                try out.write([("annealing.csv", annealing)])
                if let staging = try? out.stage(), let reason = ComparisonReport.render(folder: staging, script: "spde_figures.py", arguments: ["annealing"]) {
                    FileHandle.standardError.write(Data("deepest: annealing.png not written: \(reason)\n".utf8))
                }
            }
            try out.commit()
        }
        try Output.emit(report, format: format) {
            var rows = [["dataset", report.dataset], ["method", report.method], ["recipe", report.recipe],
                        ["train loss", Output.sci(report.trainLoss)], ["train misfit", Output.sci(report.trainMisfit)]]
            if let a = report.trainAccuracy { rows.append(["train accuracy", Output.fixed(a, 4)]) }
            if let a = report.testAccuracy { rows.append(["test accuracy", Output.fixed(a, 4)]) }
            if let r = report.testRMSE { rows.append(["test RMSE", Output.sci(r)]) }
            if let a = report.action { rows.append(["action", Output.sci(a)]) }
            if let r = report.annealingRungs { rows.append(["annealing rungs", "\(r)"]) }
            if let e = report.epochs { rows.append(["epochs", "\(e)"]) }
            rows.append(["seconds", Output.fixed(report.seconds, 3)])
            rows.append(["gradient evaluations", "\(report.gradientEvaluations)"])
            rows.append(["status", report.status])
            var text = Output.table(["quantity", "value"], rows)
            text += "\n" + Output.table(
                ["stage", "beta", "r_f", "action", "data misfit", "model error", "iterations", "seconds", "status"],
                report.stages.flatMap { stage in
                    stage.rungs.isEmpty
                        ? [[stage.type, "-", "-", "-", "-", "-", String(stage.lossPerEpoch.count) + " epochs", Output.fixed(stage.seconds, 2), stage.status]]
                        : stage.rungs.map { [stage.type, String($0.beta), Output.sci($0.modelPrecision), Output.sci($0.action),
                                             Output.sci($0.parts.dataMisfit), Output.sci($0.parts.modelError), String($0.iterations),
                                             Output.fixed(stage.seconds, 2), $0.status] }
                })
            return text
        }
        if let failure = TrainingRun.failure([report]) { throw failure }
    }
}

/// The settings shared by `deepest train` and `deepest compare` (each also a config-file key).
struct TrainOptions: ParsableArguments {
    @Option(help: "Built-in data set: \(DatasetCatalog.allCases.map(\.rawValue).joined(separator: ", ")).")
    var dataset: String?
    @Option(help: "Your own training data: a CSV file (inputs and one target column, optional header).")
    var data: String?
    @Option(help: "With --data: the held-out CSV file (default: a seeded split of --data).") var test: String?
    @Option(name: .customLong("test-fraction"), parsing: .unconditional, help: "With --data and no --test: the held-out fraction (default 0.2).")
    var testFraction: Double?
    @Option(name: .customLong("target-column"), parsing: .unconditional, help: "With --data: the 1-based target column (default: the last).")
    var targetColumn: Int?
    @Option(help: "With --data: classification, regression or automatic (integer targets with few values: classification).")
    var task: String?
    @Option(help: "Recipe: \((TrainingRecipe.names + TrainingRecipe.aliases).joined(separator: ", ")) (deepest recipes lists their stages).")
    var recipe: String?
    @Option(help: "Synonym of --recipe.") var method: String?
    @Option(help: "Continuum stages: the boundary value form, hamiltonian or lagrangian.") var form: String?
    @Option(help: "Continuum stages: the readout trained (BVP unknowns) or projected (variable projection).") var readout: String?
    @Option(parsing: .unconditional, help: "Depth horizon T.") var horizon: Double?
    @Option(parsing: .unconditional, help: "Number of layers N (h = T/N).") var layers: Int?
    @Option(parsing: .unconditional, help: "Width d (below the input dimension: the principal-component lift).") var width: Int?
    @Option(help: "Activation: tanh, sigmoid, softplus.") var activation: String?
    @Option(help: "Input lift: automatic, padding, replication, principal-components.") var lift: String?
    @Flag(help: "Antisymmetric weights K = W - W^T - shift*I.") var antisymmetric = false
    @Option(parsing: .unconditional, help: "Shift gamma of the antisymmetric weights.") var shift: Double?
    @Option(name: .customLong("rf"), parsing: .unconditional, help: "Stages with a model precision: r_f (first rung).") var modelPrecision: Double?
    @Option(name: .customLong("anneal-steps"), parsing: .unconditional, help: "Annealing stages: rungs B (r_f * a^beta, beta = 0..B).") var annealSteps: Int?
    @Option(name: .customLong("anneal-factor"), parsing: .unconditional, help: "Annealing stages: factor a (> 1).") var annealFactor: Double?
    @Option(parsing: .unconditional, help: "Minibatch stages: epochs.") var epochs: Int?
    @Option(parsing: .unconditional, help: "Minibatch stages: batch size.") var batch: Int?
    @Option(name: .customLong("lr"), parsing: .unconditional, help: "Minibatch stages: learning rate.") var learningRate: Double?
    @Option(parsing: .unconditional, help: "SGD stages: momentum.") var momentum: Double?
    @Option(name: .customLong("langevin-steps"), parsing: .unconditional, help: "Langevin stages: steps in optimisation time.") var langevinSteps: Int?
    @Option(name: .customLong("langevin-rf"), parsing: .unconditional, help: "Langevin stages: sample the discrete action A_h with its states at this r_f (default: the reduced action).") var langevinPrecision: Double?
    @Option(name: .customLong("time-step"), parsing: .unconditional, help: "Langevin stages: the step Δτ (default 0.1/M).") var timeStep: Double?
    @Option(parsing: .unconditional, help: "Langevin stages: the initial temperature T₀.") var temperature: Double?
    @Option(help: "Langevin stages: constant, geometric or logarithmic cooling.") var schedule: String?
    @Option(parsing: .unconditional, help: "Langevin stages: the geometric cooling factor.") var cooling: Double?
    @Option(parsing: .unconditional, help: "Langevin stages: noiseless final steps.") var quench: Int?
    @Option(parsing: .unconditional, help: "Tikhonov weight lambda on the layer weights (per sample).") var tikhonov: Double?
    @Option(parsing: .unconditional, help: "Depth-smoothness weight alpha (default 1 with continuum stages, else 0).") var smoothness: Double?
    @Option(name: .customLong("readout-tikhonov"), parsing: .unconditional, help: "Tikhonov weight mu on the readout (per sample).") var readoutTikhonov: Double?
    @Option(parsing: .unconditional, help: "Seed of initialisation, shuffling and of the --data split.") var seed: UInt64?
    @Option(parsing: .unconditional, help: "Train on N evenly spaced training samples (default: all).") var samples: Int?
    @Option(name: .customLong("newton-iterations"), parsing: .unconditional, help: "Newton stages: iterations per rung.") var newtonIterations: Int?
    @Option(name: .customLong("tol"), parsing: .unconditional, help: "Continuum stages: residual tolerance (0: the algorithm's default).")
    var tolerance: Double?
    @Option(help: "YAML file with the same settings (keys are the long option names) and optionally 'stages:'.") var config: String?
    @Option(name: .customLong("data-dir"), help: "Folder of the built-in data sets (default: Experiments/data).") var dataDirectory: String?
    @Option(help: "Folder for train.json, model.json (the trained network, for deepest study --model), stages.csv, hessian-eigenvector.csv (the smallest Hessian eigenvalue's eigenvector), loss.csv (minibatch), rungs.csv (rungs), annealing.csv and annealing.png (Langevin stages).") var out: String?
}

/// Loads a catalog data set from `directory`, or from Experiments/data beside the working directory
/// or beside the executable's package.
func loadCatalogSplit(_ dataset: DatasetCatalog, directory: String?) throws -> DatasetCatalog.Split {
    let candidates: [URL]
    if let directory {
        candidates = [URL(fileURLWithPath: directory)]
    } else {
        let executable = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        candidates = [URL(fileURLWithPath: "Experiments/data"),
                      executable.deletingLastPathComponent().appendingPathComponent("../../../Experiments/data").standardized,
                      executable.deletingLastPathComponent().appendingPathComponent("../../Experiments/data").standardized]
    }
    guard let folder = candidates.first(where: { FileManager.default.fileExists(atPath: $0.appendingPathComponent(dataset.rawValue).path) }) else {
        throw CommandFailure("data set folder not found: \(candidates[0].appendingPathComponent(dataset.rawValue).path) (use --data-dir)")
    }
    do {
        return try dataset.load(from: folder)
    } catch let error as DatasetFileError {
        throw CommandFailure(error.description)
    } catch let error as InvalidArgument {
        throw CommandFailure(error.description)
    }
}
