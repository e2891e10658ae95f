import ArgumentParser
import DeepestLearning
import Foundation
import NumericCore

/// `deepest study depth`: trains `--recipe` and the baselines at N = `--layers-list` layers (fixed
/// horizon) for each of `--seeds`, and reports accuracy, loss, time, the relative L² distance in depth
/// between the weights at N and 2N with its fitted order in h (`DepthConvergence`), and the gap between
/// the Euler network and its flow. JSON: {dataset, horizon, layers, seeds, results: [{method, recipe,
/// seed, testAccuracy, trainLoss, seconds, status, weightDistance, fittedOrder, eulerFlowGap}]} (lists
/// over `layers`; weightDistance over consecutive pairs; fittedOrder null with fewer than two positive
/// distances). `--out DIR`: depth.json, depth.csv (`method,seed,layers,testAccuracy,trainLoss,seconds,
/// status,weightDistance,eulerFlowGap`) and depth.png.
struct DepthStudyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "depth",
        abstract: "Accuracy and the convergence of the trained weights to a continuum as the number of layers doubles.")

    @OptionGroup var options: TrainOptions
    @OptionGroup var models: StudyModelOptions
    @Option(help: "table or json") var format: OutputFormat = .table
    @OptionGroup var resources: ResourceOptions
    @Option(name: .customLong("layers-list"), help: "Layers N, comma-separated, each twice the previous (default 4,8,16,32,64; up to 256 or more).")
    var layersList: String = "4,8,16,32,64"
    @Option(help: "Seeds, comma-separated (default 1).") var seeds: String = "1"
    @Flag(inversion: .prefixedNo, help: "With --out: draw the figure (needs python3 with matplotlib).") var figures = true

    struct Result: Encodable {
        let method: String, recipe: String, seed: UInt64
        let testAccuracy: [Double?], trainLoss: [Double], seconds: [Double], status: [String]
        let weightDistance: [Double], fittedOrder: Double?, eulerFlowGap: [Double]
    }

    struct Summary: Encodable {
        let dataset: String, horizon: Double, layers: [Int], seeds: [UInt64]
        let results: [Result]
    }

    func run() throws {
        guard models.models.isEmpty else { throw CommandFailure("--model does not apply to study depth: it trains at every --layers-list entry") }
        if options.layers != nil { throw CommandFailure("--layers does not apply to study depth; use --layers-list") }
        let layers = try layersList.split(separator: ",", omittingEmptySubsequences: false).map { entry -> Int in
            guard let n = Int(entry.trimmingCharacters(in: .whitespaces)), (1...1_000_000).contains(n) else {
                throw CommandFailure("invalid --layers-list = \(layersList): '\(entry)' is not an integer in 1...1000000")
            }
            return n
        }
        guard layers.count >= 2, zip(layers, layers.dropFirst()).allSatisfy({ $1 == 2 * $0 }) else {
            throw CommandFailure("invalid --layers-list = \(layersList): needs at least two entries, each twice the previous")
        }
        let seedList = try seeds.split(separator: ",", omittingEmptySubsequences: false).map { entry -> UInt64 in
            guard let s = UInt64(entry.trimmingCharacters(in: .whitespaces)) else {
                throw CommandFailure("invalid --seeds = \(seeds): '\(entry)' is not a non-negative integer")
            }
            return s
        }
        guard (1...100).contains(seedList.count) else { throw CommandFailure("invalid --seeds = \(seeds): 1 to 100 seeds") }
        let out = try options.out.map { try OutputFolder(path: $0, option: "--out") }
        var bvp = options
        if bvp.recipe == nil && bvp.method == nil && TrainSettings.configRecipe(options.config) == nil { bvp.recipe = "symplectic-euler" }
        let settings = try TrainSettings(command: bvp, strict: false)
        let shape = settings.configuration
        let baselines = models.baselines == "none" ? []
            : try StudySubjects.list(models.baselines ?? "sgd,adam", option: "--baselines", allowed: ["sgd", "adam"])
        if models.kernels != nil { throw CommandFailure("--kernels does not apply to study depth; use --antisymmetric") }
        let split = try settings.loadSplit()
        let budget = try resources.budget()
        var recipes = [String?.none]
        for baseline in baselines where baseline != shape.methodLabel { recipes.append(baseline) }
        // Each recipe's configuration on the shape's network, parsed once.
        let configurations = try recipes.map { recipe in
            recipe == nil ? shape : try TrainSettings(command: bvp, recipe: recipe, strict: false).configuration.withArchitecture(of: shape)
        }
        // Refuse the largest run before any training.
        for base in configurations {
            var c = base
            c.layers = layers.last!
            try TrainingSize.check(c, split: split, budget: budget)
        }
        let progress = ProgressReporter("depth", total: recipes.count * seedList.count * layers.count)
        var done = 0
        var results = [Result]()
        var reports = [TrainingReport]()
        for base in configurations {
            for seed in seedList {
                var ladder = [TrainedNetwork]()
                var accuracy = [Double?](), loss = [Double](), seconds = [Double](), status = [String](), gaps = [Double]()
                var label = ""
                var recipeName = ""
                for n in layers {
                    var c = base
                    c.layers = n
                    c.seed = seed
                    let run = try TrainingRun.run(c, split: split, label: "\(c.methodLabel) N=\(n) seed \(seed)")
                    let train = try TrainingExperiment.trainingSplit(c, of: split).train
                    let network = try SavedModel(outcome: run, configuration: c, train: train).network
                    ladder.append(network)
                    accuracy.append(run.report.testAccuracy)
                    loss.append(run.report.trainLoss)
                    seconds.append(run.report.seconds)
                    status.append(run.report.status)
                    reports.append(run.report)
                    do {
                        gaps.append(try DepthConvergence.eulerFlowGap(network, inputs: split.test.inputs, layers: n))
                    } catch let error as InvalidArgument {
                        throw CommandFailure(numerical: "\(c.methodLabel) N=\(n): \(error.description)")
                    }
                    label = c.methodLabel
                    recipeName = c.recipe.name
                    done += 1
                    progress.update(done)
                }
                let (distances, fit) = try DepthConvergence.fittedOrder(ladder)
                results.append(Result(method: label, recipe: recipeName, seed: seed, testAccuracy: accuracy, trainLoss: loss, seconds: seconds,
                                      status: status, weightDistance: distances, fittedOrder: fit?.order, eulerFlowGap: gaps))
            }
        }
        let summary = Summary(dataset: shape.dataName, horizon: shape.horizon, layers: layers, seeds: seedList, results: results)
        if let out {
            defer { out.discard() }
            var csv = "method,seed,layers,testAccuracy,trainLoss,seconds,status,weightDistance,eulerFlowGap\n"
            for r in results {
                for (i, n) in layers.enumerated() {
                    let distance = i < r.weightDistance.count ? "\(r.weightDistance[i])" : ""
                    csv += "\(r.method),\(r.seed),\(n),\(r.testAccuracy[i].map { "\($0)" } ?? ""),\(r.trainLoss[i]),\(r.seconds[i]),"
                        + "\(r.status[i]),\(distance),\(r.eulerFlowGap[i])\n"
                }
            }
            try out.write([("depth.json", try Output.json(summary) + "\n"), ("depth.csv", csv)])
            if figures, let reason = ComparisonReport.render(folder: try out.stage(), script: "study_figures.py", arguments: ["depth"]) {
                FileHandle.standardError.write(Data("deepest: figures not written: \(reason)\n".utf8))
            }
            try out.commit()
        }
        try Output.emit(summary, format: format) {
            func list(_ values: [Double], _ digits: Int = 2) -> String { values.map { Output.sci($0, digits) }.joined(separator: " ") }
            var text = "dataset \(shape.dataName), horizon \(shape.horizon), layers \(layers.map(String.init).joined(separator: " "))\n"
            text += Output.table(["method", "seed", "test accuracy", "weight distance N vs 2N", "fitted order", "Euler-flow gap", "seconds"],
                                 results.map { r in
                [r.method, "\(r.seed)", r.testAccuracy.map { $0.map { Output.fixed($0, 3) } ?? "-" }.joined(separator: " "),
                 list(r.weightDistance), r.fittedOrder.map { Output.fixed($0, 2) } ?? "-", list(r.eulerFlowGap),
                 Output.fixed(r.seconds.reduce(0, +), 1)]
            })
            return text
        }
        if let failure = TrainingRun.failure(reports) { throw failure }
    }
}
