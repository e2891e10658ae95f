import ArgumentParser
import DeepestLearning
import Foundation
import NumericCore

/// The options every `deepest study` subcommand shares for choosing the networks it studies: saved
/// models (`--model DIR`, repeatable: the `model.json` that `deepest train --out DIR` wrote), or a
/// recipe trained here beside SGD and Adam at equal architecture, for plain and antisymmetric kernels.
struct StudyModelOptions: ParsableArguments {
    @Option(name: .customLong("model"), help: "A folder with a model.json written by deepest train --out (repeatable); replaces training.")
    var models: [String] = []
    @Option(help: "Kernels to train: plain, antisymmetric, or both comma-separated (default: both for stability, the data set's own otherwise; with --antisymmetric only antisymmetric).")
    var kernels: String?
    @Option(help: "Baselines trained beside --recipe at equal architecture: sgd, adam, both comma-separated, or none (default sgd,adam).")
    var baselines: String?
}

/// One network a study looks at: its label in tables and file names, the recipe and kernel that
/// trained it, the network, the data split it was trained on, and the training report (nil for a
/// loaded model).
struct StudiedNetwork {
    let label: String
    let recipe: String
    let kernel: String
    let network: TrainedNetwork
    let report: TrainingReport?
}

/// The networks of a study and the data split they share.
struct StudySubjects {
    let dataset: String
    let split: DatasetCatalog.Split
    let networks: [StudiedNetwork]

    /// Loads `--model` folders, or trains `--recipe` (default `defaultRecipe`) and the baselines for each kernel.
    /// `bothKernels`: without --kernels, train plain and antisymmetric kernels (else the configuration's own).
    init(options: TrainOptions, models modelOptions: StudyModelOptions, resources: ResourceOptions,
         defaultRecipe: String = "symplectic-euler", bothKernels: Bool = true) throws {
        if !modelOptions.models.isEmpty {
            for (given, option) in [(modelOptions.kernels, "--kernels"), (modelOptions.baselines, "--baselines"),
                                    (options.recipe, "--recipe"), (options.method, "--method")] where given != nil {
                throw CommandFailure("\(option) applies to training; it cannot be combined with --model")
            }
            var loaded = [(String, SavedModel)]()
            for folder in modelOptions.models { loaded.append((folder, try Self.load(folder))) }
            var split: DatasetCatalog.Split
            var name: String
            if options.dataset != nil || options.data != nil || options.config != nil {
                let settings = try TrainSettings(command: options, strict: false)
                split = try settings.loadSplit()
                name = settings.configuration.dataName
            } else {
                name = loaded[0].1.dataset
                guard let catalog = DatasetCatalog(rawValue: name) else {
                    throw CommandFailure("invalid --model = \(loaded[0].0): trained on '\(name)', not a built-in data set; give its data with --data")
                }
                for (folder, model) in loaded where model.dataset != name {
                    throw CommandFailure("invalid --model = \(folder): trained on '\(model.dataset)', the first model on '\(name)'; give the data with --dataset or --data")
                }
                split = try loadCatalogSplit(catalog, directory: options.dataDirectory)
                if loaded[0].1.samples > 0 {
                    var c = try TrainingConfiguration.defaults(dataset: catalog, recipe: "adam")
                    c.samples = loaded[0].1.samples
                    do { split = try TrainingExperiment.trainingSplit(c, of: split) } catch let error as InvalidArgument {
                        throw CommandFailure("invalid --model = \(loaded[0].0): \(error.description)")
                    }
                }
            }
            for (folder, model) in loaded where model.network.inputDimension != split.train.inputDimension {
                throw CommandFailure("invalid --model = \(folder): the network takes \(model.network.inputDimension) inputs, the data \(name) have \(split.train.inputDimension)")
            }
            dataset = name
            self.split = split
            var labels = Set<String>()
            networks = loaded.map { folder, model in
                let kernel = model.network.field.antisymmetric ? "antisymmetric" : "plain"
                var label = "\(model.method)-\(kernel)"
                if labels.contains(label) { label += "-\(URL(fileURLWithPath: folder).lastPathComponent)" }
                labels.insert(label)
                return StudiedNetwork(label: label, recipe: model.recipe, kernel: kernel, network: model.network, report: nil)
            }
            return
        }
        var bvp = options
        if bvp.recipe == nil && bvp.method == nil && TrainSettings.configRecipe(options.config) == nil { bvp.recipe = defaultRecipe }
        let settings = try TrainSettings(command: bvp, strict: false)
        let shape = settings.configuration
        let ownKernel = shape.antisymmetric ? "antisymmetric" : "plain"
        let kernels = try Self.list(modelOptions.kernels ?? (options.antisymmetric ? "antisymmetric" : bothKernels ? "plain,antisymmetric" : ownKernel),
                                    option: "--kernels", allowed: ["plain", "antisymmetric"])
        let baselineNames = modelOptions.baselines == "none" ? []
            : try Self.list(modelOptions.baselines ?? "sgd,adam", option: "--baselines", allowed: ["sgd", "adam"])
        let split = try settings.loadSplit()
        let budget = try resources.budget()
        var recipes = [String?.none]
        for baseline in baselineNames where baseline != shape.methodLabel { recipes.append(baseline) }
        var studied = [StudiedNetwork]()
        // The same training samples for every network (the seed and sample count are the shape's).
        let train = try TrainingExperiment.trainingSplit(shape, of: split).train
        let configurations = try recipes.map { recipe in
            recipe == nil ? shape : try TrainSettings(command: bvp, recipe: recipe, strict: false).configuration.withArchitecture(of: shape)
        }
        for kernel in kernels {
            for base in configurations {
                var c = base
                c.antisymmetric = kernel == "antisymmetric"
                try TrainingSize.check(c, split: split, budget: budget)
                let run = try TrainingRun.run(c, split: split, label: "\(c.methodLabel) (\(kernel))")
                let model = try SavedModel(outcome: run, configuration: c, train: train)
                studied.append(StudiedNetwork(label: "\(c.methodLabel)-\(kernel)", recipe: c.recipe.name, kernel: kernel,
                                              network: model.network, report: run.report))
            }
        }
        dataset = shape.dataName
        self.split = try TrainingExperiment.trainingSplit(shape, of: split)
        networks = studied
    }

    /// The model in `folder`/model.json; errors name --model, the folder and the key.
    static func load(_ folder: String) throws -> SavedModel {
        let url = URL(fileURLWithPath: folder).appendingPathComponent("model.json")
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw CommandFailure("invalid --model = \(folder): no readable model.json in the folder (deepest train --out DIR writes one)")
        }
        do {
            return try SavedModel(jsonData: data)
        } catch let error as InvalidArgument {
            throw CommandFailure("invalid --model = \(folder): \(error.description)")
        }
    }

    /// A comma-separated list whose entries are all in `allowed` (at least one, no repeats).
    static func list(_ text: String, option: String, allowed: [String]) throws -> [String] {
        let entries = text.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        for entry in entries where !allowed.contains(entry) {
            throw CommandFailure("invalid \(option) = \(text): '\(entry)' is not one of \(allowed.joined(separator: ", "))")
        }
        guard Set(entries).count == entries.count else { throw CommandFailure("invalid \(option) = \(text): an entry is repeated") }
        return entries
    }

    /// Whether any training run ended without success (exit status 3 after the results are written).
    var failure: CommandFailure? { TrainingRun.failure(networks.compactMap(\.report)) }
}
