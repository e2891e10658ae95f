import DeepestLearning
import Foundation
import NumericCore
import Yams

/// The settings of `deepest train` and `deepest compare`: options override the `--config` file, which
/// overrides the data set's and the recipe's defaults. Options that are stage options (`stageKeys`) set
/// that key in every stage of the recipe that has it; a config file's `stages:` list replaces the
/// recipe's stages. Every bad value fails with one line naming the option or key, the value and what is
/// allowed.
struct TrainSettings {
    /// Options (and config keys) that set a stage option of the same name.
    static let stageKeys = ["rf", "anneal-steps", "anneal-factor", "newton-iterations", "tol", "form", "readout", "epochs",
                            "batch", "lr", "momentum", "langevin-steps", "time-step", "langevin-rf", "temperature", "schedule", "cooling", "quench"]
    /// The keys a config file may hold (the long option names, and `stages`).
    static let allowedKeys = ["dataset", "data", "test", "test-fraction", "target-column", "task", "recipe", "method", "horizon",
                              "layers", "width", "activation", "antisymmetric", "shift", "lift", "tikhonov", "smoothness",
                              "readout-tikhonov", "seed", "samples", "stages"] + stageKeys
    /// Largest config file read (bytes).
    static let maximumConfigBytes = 1 << 20
    /// Most values a config file may hold with its YAML aliases expanded, and its deepest nesting.
    static let maximumConfigValues = 10_000
    static let maximumConfigDepth = 32

    let configuration: TrainingConfiguration
    let data: DataChoice

    /// Where the data come from: a built-in data set (and the folder to look in) or the user's files.
    enum DataChoice {
        case catalog(DatasetCatalog, directory: String?)
        case files(UserDataset)
    }

    /// - Parameters: `recipe` replaces the recipe of the options and the file (compare's SGD and Adam
    ///   columns); `strict`: an option that no stage of the recipe takes is an error (not for those columns).
    init(command c: TrainOptions, recipe forcedRecipe: String? = nil, strict: Bool = true) throws {
        let file = try c.config.map(TrainSettings.readConfig) ?? [:]
        let path = c.config ?? ""
        /// A value from the option, else the file, as text, with where it came from.
        func raw(_ key: String, _ option: CustomStringConvertible?) -> (text: String, origin: String)? {
            if let option { return ("\(option)", "--\(key)") }
            guard let value = file[key] else { return nil }
            return ("\(value)", "config key '\(key)'")
        }
        func string(_ key: String, _ option: String?) throws -> String? {
            if let option { return option }
            guard let value = file[key] else { return nil }
            guard let s = value as? String else { throw CommandFailure("config key '\(key)': expected a string, got \(value)") }
            return s
        }
        func number<T: LosslessStringConvertible>(_ key: String, _ option: T?, _ type: T.Type) throws -> T? {
            guard let (text, origin) = raw(key, option) else { return nil }
            guard let v = T(text) else { throw CommandFailure("invalid \(origin) = \(text): expected \(T.self == Double.self ? "a number" : "an integer")") }
            return v
        }
        func flag(_ key: String, _ option: Bool?) throws -> Bool? {
            if let option { return option }
            guard let value = file[key] else { return nil }
            guard let b = value as? Bool else { throw CommandFailure("config key '\(key)': expected true or false, got \(value)") }
            return b
        }
        func choice<T: RawRepresentable & CaseIterable>(_ key: String, _ option: String?, _ type: T.Type) throws -> T? where T.RawValue == String {
            guard let raw = try string(key, option) else { return nil }
            guard let value = T(rawValue: raw) else {
                throw CommandFailure("invalid --\(key) = \(raw): must be one of \(T.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            return value
        }
        // The data: a built-in data set or the user's files.
        let datasetName = try string("dataset", c.dataset)
        let dataPath = try string("data", c.data)
        let seed = try number("seed", c.seed, UInt64.self)
        switch (datasetName, dataPath) {
        case (nil, nil):
            throw CommandFailure("missing --dataset (\(DatasetCatalog.allCases.map(\.rawValue).joined(separator: ", "))) or --data FILE.csv")
        case (.some, .some):
            throw CommandFailure("give --dataset or --data, not both")
        case (.some(let name), nil):
            guard let dataset = DatasetCatalog(rawValue: name) else {
                throw CommandFailure("invalid --dataset = \(name): must be one of \(DatasetCatalog.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            for (key, option) in [("test", c.test as Any?), ("test-fraction", c.testFraction), ("target-column", c.targetColumn), ("task", c.task)]
            where option != nil || file[key] != nil {
                throw CommandFailure("--\(key) applies to --data only; --dataset \(name) has its own split")
            }
            data = .catalog(dataset, directory: c.dataDirectory)
        case (nil, .some(let path)):
            var user = UserDataset(trainPath: path, testPath: try string("test", c.test), seed: seed ?? 1)
            if let v = try number("test-fraction", c.testFraction, Double.self) { user.testFraction = v }
            if let v = try number("target-column", c.targetColumn, Int.self) { user.targetColumn = v }
            if let v = try choice("task", c.task, UserDataset.Task.self) { user.task = v }
            data = .files(user)
        }
        var catalog: DatasetCatalog? = nil
        var dataName = "data"
        switch data {
        case .catalog(let dataset, _): catalog = dataset; dataName = dataset.rawValue
        case .files(let user): dataName = user.name
        }
        // The recipe (or the config file's own stages).
        let stages = file["stages"]
        let recipeName = try forcedRecipe ?? string("recipe", c.recipe) ?? string("method", c.method) ?? (stages == nil ? "adam" : nil)
        if let name = recipeName, !(TrainingRecipe.names + TrainingRecipe.aliases).contains(name) {
            let option = c.recipe != nil ? "--recipe" : c.method != nil ? "--method" : file["recipe"] != nil ? "config key 'recipe'" : "config key 'method'"
            throw CommandFailure("invalid \(option) = \(name): must be one of \((TrainingRecipe.names + TrainingRecipe.aliases).joined(separator: ", ")) (deepest recipes lists them)")
        }
        var s: TrainingConfiguration
        do {
            s = try TrainingConfiguration.defaults(dataset: catalog, dataName: dataName, recipe: recipeName ?? "adam")
        } catch let error as InvalidArgument { throw TrainSettings.failure(error) }
        if let v = try choice("activation", c.activation, Activation.self) { s.activation = v }
        if let v = try choice("lift", c.lift, InputLiftChoice.self) { s.lift = v }
        if let v = try number("horizon", c.horizon, Double.self) { s.horizon = v }
        if let v = try number("layers", c.layers, Int.self) { s.layers = v }
        if let v = try number("width", c.width, Int.self) { s.width = v }
        if let v = try flag("antisymmetric", c.antisymmetric ? true : nil) { s.antisymmetric = v }
        if let v = try number("shift", c.shift, Double.self) { s.shift = v }
        if let v = try number("tikhonov", c.tikhonov, Double.self) { s.tikhonov = v }
        if let v = try number("readout-tikhonov", c.readoutTikhonov, Double.self) { s.readoutTikhonov = v }
        if let v = try number("samples", c.samples, Int.self) { s.samples = v }
        if let seed { s.seed = seed }
        do {
            try s.validate()
            if let stages, forcedRecipe == nil {
                s.recipe = try TrainSettings.customRecipe(stages, path: path, label: recipeName)
                s.methodLabel = recipeName ?? "custom"
            } else {
                // The recipe's stage values depend on the horizon (the continuation from T/10).
                s.recipe = try TrainingRecipe.named(recipeName!, dataset: catalog, horizon: s.horizon)
            }
            s.smoothness = s.recipe.smoothness
            if let v = try number("smoothness", c.smoothness, Double.self) { s.smoothness = v }
            try s.validate()
        } catch let error as InvalidArgument {
            throw TrainSettings.failure(error)
        }
        // Stage options given as options or top-level config keys.
        let stageOptions: [String: CustomStringConvertible?] = [
            "rf": c.modelPrecision, "anneal-steps": c.annealSteps, "anneal-factor": c.annealFactor,
            "newton-iterations": c.newtonIterations, "tol": c.tolerance, "form": c.form, "readout": c.readout, "epochs": c.epochs,
            "batch": c.batch, "lr": c.learningRate, "momentum": c.momentum, "langevin-steps": c.langevinSteps, "langevin-rf": c.langevinPrecision,
            "time-step": c.timeStep, "temperature": c.temperature, "schedule": c.schedule, "cooling": c.cooling, "quench": c.quench]
        for key in TrainSettings.stageKeys {
            guard let (text, origin) = raw(key, stageOptions[key] ?? nil) else { continue }
            if !s.recipe.override(key, text, origin: origin) && strict {
                throw CommandFailure("\(origin) does not apply to recipe \(s.methodLabel) (stages: \(s.recipe.stages.map(\.type).joined(separator: ", "))); deepest recipes lists each stage's options")
            }
        }
        do {
            _ = try s.recipe.pipeline()
        } catch let error as InvalidArgument {
            throw TrainSettings.failure(error)
        }
        configuration = s
    }

    /// A library error as the command line says it: an argument that is an option's name gets its "--".
    static func failure(_ error: InvalidArgument) -> CommandFailure {
        // The library's camelCase names (readoutTikhonov) are the options' kebab-case ones.
        let kebab = error.argument.reduce(into: "") { text, c in text += c.isUppercase ? "-" + c.lowercased() : String(c) }
        let option = allowedKeys.contains(error.argument) ? "--" + error.argument
            : allowedKeys.contains(kebab) ? "--" + kebab : error.argument
        return CommandFailure("invalid \(option) = \(error.value): \(error.requirement)")
    }

    /// The split of the chosen data.
    func loadSplit() throws -> DatasetCatalog.Split {
        switch data {
        case .catalog(let dataset, let directory): return try loadCatalogSplit(dataset, directory: directory)
        case .files(let user):
            do {
                return try user.load()
            } catch let error as DatasetFileError {
                throw CommandFailure("invalid \(user.testPath == nil ? "--data" : "--data/--test") file: \(error.description)")
            } catch let error as InvalidArgument {
                throw TrainSettings.failure(error)
            }
        }
    }

    /// A config file's `stages:` list: each entry a mapping with `type` and that stage type's options.
    static func customRecipe(_ value: Any, path: String, label: String?) throws -> TrainingRecipe {
        guard let list = value as? [Any], !list.isEmpty else {
            throw CommandFailure("config file \(path): 'stages' must be a non-empty list of mappings, each with a 'type'")
        }
        var specifications = [StageSpecification]()
        for (index, entry) in list.enumerated() {
            guard let mapping = entry as? [String: Any], let type = mapping["type"] as? String else {
                throw CommandFailure("config file \(path): stages[\(index)] must be a mapping with a 'type' (one of \(StageCatalog.types.map(\.key).joined(separator: ", ")))")
            }
            var options = [String: StageSpecification.Value]()
            for (key, value) in mapping where key != "type" {
                options[key] = .init("\(value)", origin: "config key 'stages[\(index)].\(key)'")
            }
            specifications.append(StageSpecification(type: type, options: options))
        }
        let recipe = TrainingRecipe(name: label ?? "custom", summary: "the config file's stages", stages: specifications, smoothness: 0)
        let continuum = try recipe.pipeline().hasContinuumStage
        return TrainingRecipe(name: recipe.name, summary: recipe.summary, stages: specifications, smoothness: continuum ? 1 : 0)
    }

    /// Reads a YAML mapping and rejects unknown keys, naming the key and the allowed ones.
    static func readConfig(_ path: String) throws -> [String: Any] {
        let text: String
        do {
            let size = (try FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)?.intValue ?? 0
            guard size <= maximumConfigBytes else { throw CommandFailure("config file \(path): \(size) bytes, above the limit of \(maximumConfigBytes)") }
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch let error as CommandFailure {
            throw error
        } catch {
            throw CommandFailure("invalid --config = \(path): cannot read the file")
        }
        let loaded: Any?
        do {
            // Composed first (aliases share their node, so this is linear in the text), then the
            // values counted with aliases expanded: a file that expands beyond the bound, or nests
            // deeper than it, is refused before it is built (a "billion laughs" file would hang).
            if let node = try Yams.compose(yaml: text) {
                var budget = maximumConfigValues
                try countValues(node, depth: 0, budget: &budget, path: path)
            }
            loaded = try Yams.load(yaml: text)
        } catch let error as CommandFailure {
            throw error
        } catch {
            throw CommandFailure("config file \(path) is not valid YAML: \("\(error)".split(separator: "\n").first ?? "")")
        }
        guard let loaded else { return [:] }
        guard let mapping = loaded as? [String: Any] else {
            throw CommandFailure("config file \(path) must be a mapping of keys to values")
        }
        for key in mapping.keys.sorted() where !allowedKeys.contains(key) {
            throw CommandFailure("config file \(path): unknown key '\(key)'; allowed keys: \(allowedKeys.joined(separator: ", "))")
        }
        return mapping
    }

    /// Counts the values of `node` with aliases expanded, throwing once `budget` is spent or the
    /// nesting is deeper than `maximumConfigDepth`.
    static func countValues(_ node: Node, depth: Int, budget: inout Int, path: String) throws {
        guard depth <= maximumConfigDepth else {
            throw CommandFailure("config file \(path): nested deeper than \(maximumConfigDepth) levels")
        }
        budget -= 1
        guard budget >= 0 else {
            throw CommandFailure("config file \(path): more than \(maximumConfigValues) values with its aliases expanded")
        }
        switch node {
        case .scalar, .alias: break
        case .sequence(let sequence):
            for child in sequence { try countValues(child, depth: depth + 1, budget: &budget, path: path) }
        case .mapping(let mapping):
            for (key, value) in mapping {
                try countValues(key, depth: depth + 1, budget: &budget, path: path)
                try countValues(value, depth: depth + 1, budget: &budget, path: path)
            }
        }
    }

    /// The recipe or method named in a config file, if any (nil when there is no file or no such key).
    static func configRecipe(_ path: String?) -> String? {
        guard let path, let mapping = try? readConfig(path) else { return nil }
        return (mapping["recipe"] ?? mapping["method"]) as? String ?? (mapping["stages"] != nil ? "custom" : nil)
    }
}

extension TrainingConfiguration {
    /// This configuration's recipe and stage options on `shape`'s network and data (width, layers,
    /// horizon, activation, kernel, shift, lift, seed, samples): the equal architecture under which
    /// `compare` and the studies put the methods side by side.
    func withArchitecture(of shape: TrainingConfiguration) -> TrainingConfiguration {
        var c = self
        c.width = shape.width; c.layers = shape.layers; c.horizon = shape.horizon; c.activation = shape.activation
        c.antisymmetric = shape.antisymmetric; c.shift = shape.shift; c.seed = shape.seed; c.samples = shape.samples
        c.lift = shape.lift
        return c
    }
}
