import DeepestLearning
import Foundation
import NumericCore

/// The result folder of `deepest compare --out DIR`: compare.json (the comparison, as `--format json`
/// prints it), compare.csv (one row per method), points.csv (the data, for one- or two-dimensional
/// inputs), and per method its grid (`<method>-grid.csv`: decision regions or the prediction curve),
/// its loss per epoch (`<method>-loss.csv`, SGD/Adam) or its annealing rungs (`<method>-rungs.csv`).
/// Every file is written under a temporary name and renamed (`AtomicFile`).
struct ComparisonFiles {
    struct Comparison: Encodable {
        let dataset: String
        let width: Int
        let layers: Int
        let horizon: Double
        let activation: String
        let antisymmetric: Bool
        let seed: UInt64
        let results: [TrainingReport]
    }

    /// Points per axis of the decision-region grid, and of the prediction curve of 1-D inputs.
    static let regionResolution = 200
    static let curveResolution = 800

    let folder: URL

    func write(_ comparison: Comparison, trained: [(configuration: TrainingConfiguration, parameters: [Double])],
               split: DatasetCatalog.Split) throws {
        try AtomicFile.write(try Output.json(comparison), to: file("compare.json"))
        var csv = "method,trainLoss,trainAccuracy,testAccuracy,testRMSE,action,seconds,gradientEvaluations,status\n"
        for r in comparison.results {
            let fields: [String] = [r.method, "\(r.trainLoss)", r.trainAccuracy.map { "\($0)" } ?? "",
                                    r.testAccuracy.map { "\($0)" } ?? "", r.testRMSE.map { "\($0)" } ?? "",
                                    r.action.map { "\($0)" } ?? "", "\(r.seconds)", "\(r.gradientEvaluations)", r.status]
            csv += fields.joined(separator: ",") + "\n"
            if !r.lossPerEpoch.isEmpty { try AtomicFile.write(TrainingRun.lossCSV(r), to: file("\(r.method)-loss.csv")) }
            if !r.rungs.isEmpty { try AtomicFile.write(TrainingRun.rungsCSV(r), to: file("\(r.method)-rungs.csv")) }
        }
        try AtomicFile.write(csv, to: file("compare.csv"))
        guard split.train.inputDimension <= 2 else { return }
        try AtomicFile.write(pointsCSV(split), to: file("points.csv"))
        for (report, run) in zip(comparison.results, trained) {
            let network = try run.configuration.network(for: try TrainingExperiment.trainingSplit(run.configuration, of: split).train)
            let resolution = split.train.inputDimension == 1 ? Self.curveResolution : Self.regionResolution
            // A continuum method's network is its flow (Notes/deepest-learning-action.md §9e).
            let grid = try report.flow.map { flow in
                try PredictionGrid(readout: network.readout, data: split.train, resolution: resolution) { flow.outputs(inputs: $0) }
            } ?? PredictionGrid(network: network, parameters: run.parameters, data: split.train, resolution: resolution)
            try AtomicFile.write(gridCSV(grid), to: file("\(report.method)-grid.csv"))
        }
    }

    private func file(_ name: String) -> URL { folder.appendingPathComponent(name) }

    /// `x1[,x2],label,split` for classes or `x1[,x2],target,split` for a scalar regression.
    private func pointsCSV(_ split: DatasetCatalog.Split) -> String {
        let dimension = split.train.inputDimension
        let coordinates = (1...dimension).map { "x\($0)" }.joined(separator: ",")
        var csv = coordinates + (split.train.isClassification ? ",label,split\n" : ",target,split\n")
        for (name, data) in [("train", split.train), ("test", split.test)] {
            for s in 0..<data.count {
                let x = (0..<dimension).map { "\(data.inputs[s * dimension + $0])" }.joined(separator: ",")
                switch data.targets {
                case .classes(let labels, _): csv += "\(x),\(labels[s]),\(name)\n"
                case .values(let values, let outputs): csv += "\(x),\(values[s * outputs]),\(name)\n"
                }
            }
        }
        return csv
    }

    /// `x1[,x2],prediction`: the predicted class, or the first output of a regression.
    private func gridCSV(_ grid: PredictionGrid) -> String {
        let dimension = grid.inputDimension
        var csv = (1...dimension).map { "x\($0)" }.joined(separator: ",") + ",prediction\n"
        for k in 0..<grid.count {
            let x = (0..<dimension).map { "\(grid.inputs[k * dimension + $0])" }.joined(separator: ",")
            csv += "\(x),\(grid.predictions[k * grid.outputsPerPoint])\n"
        }
        return csv
    }
}
