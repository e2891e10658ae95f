import ArgumentParser
import DeepestLearning
import Foundation
import NumericCore
import Yams

/// `deepest train`: trains one network on one data set and prints the report (JSON keys dataset,
/// method, trainLoss, trainAccuracy, testAccuracy or testRMSE, action, annealingRungs, epochs, seconds,
/// gradientEvaluations, status). Settings come from the options, then a `--config` YAML file, then
/// the data set's defaults (`TrainingConfiguration.defaults`).
struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train a continuous-depth network (boundary value methods or SGD/Adam on the ResNet).")

    @OptionGroup var options: TrainOptions
    @Option(help: "table or json") var format: OutputFormat = .table

    func run() throws {
        let settings = try TrainSettings(command: options)
        let split = try loadSplit(settings.configuration.dataset, directory: options.dataDirectory)
        let outcome = try TrainingRun.run(settings.configuration, split: split)
        let report = outcome.report
        if let out = options.out {
            let folder = URL(fileURLWithPath: out)
            try AtomicFile.write(try Output.json(report) + "\n", to: folder.appendingPathComponent("train.json"))
            try AtomicFile.write(TrainingRun.lossCSV(report), to: folder.appendingPathComponent("loss.csv"))
            if !report.rungs.isEmpty {
                try AtomicFile.write(TrainingRun.rungsCSV(report), to: folder.appendingPathComponent("rungs.csv"))
            }
        }
        try Output.emit(report, format: format) {
            var rows = [["dataset", report.dataset], ["method", report.method], ["train loss", Output.sci(report.trainLoss)]]
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
            if !report.rungs.isEmpty {
                text += "\n" + Output.table(
                    ["beta", "r_f", "action", "data misfit", "model error", "iterations", "status"],
                    report.rungs.map { [String($0.beta), Output.sci($0.modelPrecision), Output.sci($0.action),
                                        Output.sci($0.parts.dataMisfit), Output.sci($0.parts.modelError),
                                        String($0.iterations), $0.status] })
            }
            return text
        }
    }
}

/// The settings shared by `deepest train` and `deepest compare` (each also a config-file key).
struct TrainOptions: ParsableArguments {
    @Option(help: "Data set: \(DatasetCatalog.allCases.map(\.rawValue).joined(separator: ", ")).")
    var dataset: String?
    @Option(help: "Method: \(TrainingMethod.allCases.map(\.rawValue).joined(separator: ", ")).")
    var method: String?
    @Option(help: "Boundary value form: hamiltonian or lagrangian.")
    var form: String?
    @Option(help: "Readout of collocation, multiple-shooting, chebyshev: trained (BVP unknowns, default) or projected (variable projection).")
    var readout: String?
    @Option(help: "Depth horizon T.") var horizon: Double?
    @Option(help: "Number of layers N (h = T/N).") var layers: Int?
    @Option(help: "Width d (at least the input dimension).") var width: Int?
    @Option(help: "Activation: tanh, sigmoid, softplus.") var activation: String?
    @Flag(help: "Antisymmetric weights K = W - W^T - shift*I.") var antisymmetric = false
    @Option(help: "Shift gamma of the antisymmetric weights.") var shift: Double?
    @Option(name: .customLong("rf"), help: "Model precision r_f (> 0).") var modelPrecision: Double?
    @Option(name: .customLong("anneal-steps"), help: "Annealing rungs B (r_f * a^beta, beta = 0..B).") var annealSteps: Int?
    @Option(name: .customLong("anneal-factor"), help: "Annealing factor a (> 1).") var annealFactor: Double?
    @Option(help: "Epochs (SGD/Adam).") var epochs: Int?
    @Option(help: "Minibatch size (SGD/Adam).") var batch: Int?
    @Option(name: .customLong("lr"), help: "Learning rate.") var learningRate: Double?
    @Option(help: "Momentum of SGD.") var momentum: Double?
    @Option(help: "Tikhonov weight lambda on the layer weights.") var tikhonov: Double?
    @Option(help: "Depth-smoothness weight alpha.") var smoothness: Double?
    @Option(name: .customLong("readout-tikhonov"), help: "Tikhonov weight mu on the readout.") var readoutTikhonov: Double?
    @Option(help: "Seed of initialisation and shuffling.") var seed: UInt64?
    @Option(help: "Train on N evenly spaced training samples (default: all).") var samples: Int?
    @Option(name: .customLong("newton-iterations"), help: "Newton iterations per annealing rung (default 30).") var newtonIterations: Int?
    @Option(name: .customLong("tol"),
            help: "Residual tolerance of method collocation's mesh control (default 1e-6 dense-block, 1e-3 structured).")
    var tolerance: Double?
    @Option(name: .customLong("constrained-iterations"),
            help: "Newton iterations of the final exactly constrained rung (states = forward pass; 0: none).")
    var constrainedIterations: Int?
    @Flag(help: "Restart every annealing rung from the forward pass of the previous rung's weights.") var reproject = false
    @Flag(inversion: .prefixedNo,
          help: "Continuum methods: start from the discrete (symplectic-Euler) stationary point at the first r_f (with --constrained-iterations: the exactly constrained one, at the target Tikhonov weights; Hamiltonian form for large --rf) instead of the Tikhonov and horizon continuations (default on).")
    var discreteStart: Bool?
    @Option(name: .customLong("discrete-refinement"),
            help: "Continuum methods: the discrete start solves the discrete action on r times the layers (default 1).")
    var discreteRefinement: Int?
    @Option(name: .customLong("discrete-iterations"), help: "Continuum methods: Newton iterations of the discrete start's penalty rung (default 200).")
    var discreteIterations: Int?
    @Option(name: .customLong("reduced-iterations"),
            help: "Continuum methods: start from the reduced continuum action's stationary point (RK4 flow, L-BFGS, at most this many iterations; 0: the discrete start).")
    var reducedIterations: Int?
    @Option(name: .customLong("reduced-intervals"), help: "Continuum methods: intervals of the reduced start's flow and guess (default 2N).")
    var reducedIntervals: Int?
    @Option(name: .customLong("horizon-steps"),
            help: "Continuation in T: rungs at the first r_f on horizons from --initial-horizon up to T (0: none).")
    var horizonSteps: Int?
    @Option(name: .customLong("initial-horizon"), help: "First horizon T_0 < T of the continuation in T (default T/10).")
    var initialHorizon: Double?
    @Option(help: "YAML file with the same settings (keys are the long option names).") var config: String?
    @Option(name: .customLong("data-dir"), help: "Folder of the data sets (default: Experiments/data).") var dataDirectory: String?
    @Option(help: "Folder for train.json, loss.csv (SGD/Adam) and rungs.csv (annealing).") var out: String?
}

/// Loads a catalog data set from `directory`, or from Experiments/data beside the working directory
/// or beside the executable's package.
func loadSplit(_ dataset: DatasetCatalog, directory: String?) throws -> DatasetCatalog.Split {
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
