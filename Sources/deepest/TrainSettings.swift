import DeepestLearning
import Foundation
import NumericCore
import Yams

/// The settings of `deepest train`: options override the `--config` file, which overrides the data
/// set's defaults. Every bad value fails with one line naming the option or key and the valid values.
struct TrainSettings {
    /// The keys a config file may hold (the long option names).
    static let allowedKeys = ["dataset", "method", "form", "horizon", "layers", "width", "activation", "antisymmetric",
                              "shift", "rf", "anneal-steps", "anneal-factor", "epochs", "batch", "lr", "momentum",
                              "tikhonov", "smoothness", "readout-tikhonov", "seed", "samples", "newton-iterations",
                              "constrained-iterations", "reproject", "horizon-steps", "initial-horizon", "readout", "tol",
                              "discrete-start", "discrete-refinement", "discrete-iterations", "reduced-iterations",
                              "reduced-intervals"]

    let configuration: TrainingConfiguration

    init(command c: TrainOptions) throws {
        let file = try c.config.map(TrainSettings.readConfig) ?? [:]
        func string(_ key: String, _ option: String?) throws -> String? {
            if let option { return option }
            guard let value = file[key] else { return nil }
            guard let s = value as? String else { throw CommandFailure("config key '\(key)': expected a string, got \(value)") }
            return s
        }
        func double(_ key: String, _ option: Double?) throws -> Double? {
            if let option { return option }
            guard let value = file[key] else { return nil }
            if let d = value as? Double { return d }
            if let i = value as? Int { return Double(i) }
            throw CommandFailure("config key '\(key)': expected a number, got \(value)")
        }
        func int(_ key: String, _ option: Int?) throws -> Int? {
            if let option { return option }
            guard let value = file[key] else { return nil }
            guard let i = value as? Int else { throw CommandFailure("config key '\(key)': expected an integer, got \(value)") }
            return i
        }
        /// A switch: the option when given (a plain flag counts only when set), else the file's boolean.
        func flag(_ key: String, _ option: Bool?) throws -> Bool? {
            if let option { return option }
            guard let value = file[key] else { return nil }
            guard let b = value as? Bool else { throw CommandFailure("config key '\(key)': expected true or false, got \(value)") }
            return b
        }
        func choice<T: RawRepresentable & CaseIterable>(_ key: String, _ option: String?, _ type: T.Type, what: String) throws -> T?
        where T.RawValue == String {
            guard let raw = try string(key, option) else { return nil }
            guard let value = T(rawValue: raw) else {
                throw CommandFailure("unknown \(what) '\(raw)'; valid: \(T.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            return value
        }
        guard let dataset = try choice("dataset", c.dataset, DatasetCatalog.self, what: "dataset") else {
            throw CommandFailure("missing --dataset; valid: \(DatasetCatalog.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        let method = try choice("method", c.method, TrainingMethod.self, what: "method") ?? .adam
        var s = TrainingConfiguration.defaults(dataset: dataset, method: method)
        if let v = try choice("form", c.form, BoundaryValueForm.self, what: "form") { s.form = v }
        if let v = try choice("activation", c.activation, Activation.self, what: "activation") { s.activation = v }
        if let v = try choice("readout", c.readout, ReadoutTreatment.self, what: "readout") { s.readout = v }
        if let v = try double("horizon", c.horizon) { s.horizon = v }
        if let v = try int("layers", c.layers) { s.layers = v }
        if let v = try int("width", c.width) { s.width = v }
        if let v = try flag("antisymmetric", c.antisymmetric ? true : nil) { s.antisymmetric = v }
        if let v = try double("shift", c.shift) { s.shift = v }
        if let v = try double("rf", c.modelPrecision) { s.modelPrecision = v }
        if let v = try int("anneal-steps", c.annealSteps) { s.annealSteps = v }
        if let v = try double("anneal-factor", c.annealFactor) { s.annealFactor = v }
        if let v = try int("epochs", c.epochs) { s.epochs = v }
        if let v = try int("batch", c.batch) { s.batch = v }
        if let v = try double("lr", c.learningRate) { s.learningRate = v }
        if let v = try double("momentum", c.momentum) { s.momentum = v }
        if let v = try double("tikhonov", c.tikhonov) { s.tikhonov = v }
        if let v = try double("smoothness", c.smoothness) { s.smoothness = v }
        if let v = try double("readout-tikhonov", c.readoutTikhonov) { s.readoutTikhonov = v }
        if let v = try int("samples", c.samples) { s.samples = v }
        if let v = try int("newton-iterations", c.newtonIterations) { s.newtonIterations = v }
        if let v = try double("tol", c.tolerance) { s.tolerance = v }
        if let v = try int("constrained-iterations", c.constrainedIterations) { s.constrainedIterations = v }
        if let v = try int("horizon-steps", c.horizonSteps) { s.horizonSteps = v }
        if let v = try double("initial-horizon", c.initialHorizon) { s.initialHorizon = v }
        if let v = try flag("reproject", c.reproject ? true : nil) { s.reproject = v }
        if let v = try int("discrete-refinement", c.discreteRefinement) { s.discreteRefinement = v }
        if let v = try int("discrete-iterations", c.discreteIterations) { s.discreteIterations = v }
        if let v = try flag("discrete-start", c.discreteStart) { s.discreteStart = v }
        if let v = try int("reduced-iterations", c.reducedIterations) { s.reducedIterations = v }
        if let v = try int("reduced-intervals", c.reducedIntervals) { s.reducedIntervals = v }
        if let v = try int("seed", c.seed.map { Int(truncatingIfNeeded: $0) }) { s.seed = UInt64(truncatingIfNeeded: v) }
        do {
            try s.validate()
        } catch let error as InvalidArgument {
            throw CommandFailure(error.description)
        }
        configuration = s
    }

    /// Reads a YAML mapping and rejects unknown keys, naming the key and the allowed ones.
    static func readConfig(_ path: String) throws -> [String: Any] {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw CommandFailure("cannot read config file \(path)")
        }
        let loaded: Any?
        do {
            loaded = try Yams.load(yaml: text)
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

    /// The method named in a config file, if any (nil when there is no file or no such key).
    static func configMethod(_ path: String?) -> String? {
        guard let path, let mapping = try? readConfig(path) else { return nil }
        return mapping["method"] as? String
    }
}
