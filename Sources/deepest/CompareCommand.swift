import ArgumentParser
import DeepestLearning
import Foundation
import NumericCore

/// `deepest compare`: trains the boundary value method and SGD and Adam at equal architecture (width,
/// layers, horizon, activation, antisymmetry, seed) and prints one table side by side. JSON: one object
/// {dataset, results: [the `deepest train` object of each method]}. `--out DIR` writes compare.csv and,
/// per method, loss.csv (SGD/Adam) or rungs.csv (annealing).
struct CompareCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compare",
        abstract: "Train a boundary value method and SGD/Adam at equal architecture and compare them.")

    @OptionGroup var options: TrainOptions
    @Option(help: "table or json") var format: OutputFormat = .table

    struct Comparison: Encodable {
        let dataset: String
        let results: [TrainingReport]
    }

    func run() throws {
        var bvp = options
        if bvp.method == nil && TrainSettings.configMethod(options.config) == nil { bvp.method = TrainingMethod.symplecticEuler.rawValue }
        let bvpSettings = try TrainSettings(command: bvp)
        guard bvpSettings.configuration.method.isBoundaryValueMethod else {
            throw CommandFailure("compare needs a boundary value --method (\(TrainingMethod.allCases.filter(\.isBoundaryValueMethod).map(\.rawValue).joined(separator: ", "))); SGD and Adam are always run beside it")
        }
        let split = try loadSplit(bvpSettings.configuration.dataset, directory: options.dataDirectory)
        var reports = [TrainingReport]()
        for method in [bvpSettings.configuration.method, .sgd, .adam] {
            var o = options
            o.method = method.rawValue
            var c = try TrainSettings(command: o).configuration
            if !method.isBoundaryValueMethod { c.readout = .trained }  // SGD/Adam always train the readout.
            // Equal architecture: the boundary value run's shape for every method.
            let shape = bvpSettings.configuration
            c.width = shape.width; c.layers = shape.layers; c.horizon = shape.horizon; c.activation = shape.activation
            c.antisymmetric = shape.antisymmetric; c.shift = shape.shift; c.seed = shape.seed; c.samples = shape.samples
            reports.append(try TrainingRun.run(c, split: split, label: method.rawValue).report)
        }
        let header = ["method", "train loss", "train acc", "test acc", "test RMSE", "action", "seconds", "grad evals", "status"]
        let rows = reports.map { r in
            [r.method, Output.sci(r.trainLoss), r.trainAccuracy.map { Output.fixed($0, 4) } ?? "-",
             r.testAccuracy.map { Output.fixed($0, 4) } ?? "-", r.testRMSE.map { Output.sci($0) } ?? "-",
             r.action.map { Output.sci($0) } ?? "-", Output.fixed(r.seconds, 2), String(r.gradientEvaluations), r.status]
        }
        if let out = options.out {
            let folder = URL(fileURLWithPath: out)
            var csv = "method,trainLoss,trainAccuracy,testAccuracy,testRMSE,action,seconds,gradientEvaluations,status\n"
            for r in reports {
                let fields: [String] = [r.method, "\(r.trainLoss)", r.trainAccuracy.map { "\($0)" } ?? "",
                                        r.testAccuracy.map { "\($0)" } ?? "", r.testRMSE.map { "\($0)" } ?? "",
                                        r.action.map { "\($0)" } ?? "", "\(r.seconds)", "\(r.gradientEvaluations)", r.status]
                csv += fields.joined(separator: ",") + "\n"
                if !r.lossPerEpoch.isEmpty {
                    try AtomicFile.write(TrainingRun.lossCSV(r), to: folder.appendingPathComponent("\(r.method)-loss.csv"))
                }
                if !r.rungs.isEmpty {
                    try AtomicFile.write(TrainingRun.rungsCSV(r), to: folder.appendingPathComponent("\(r.method)-rungs.csv"))
                }
            }
            try AtomicFile.write(csv, to: folder.appendingPathComponent("compare.csv"))
        }
        try Output.emit(Comparison(dataset: bvpSettings.configuration.dataset.rawValue, results: reports), format: format) {
            "dataset \(bvpSettings.configuration.dataset.rawValue), width \(bvpSettings.configuration.width), layers \(bvpSettings.configuration.layers), horizon \(bvpSettings.configuration.horizon)\n"
                + Output.table(header, rows)
        }
    }
}
