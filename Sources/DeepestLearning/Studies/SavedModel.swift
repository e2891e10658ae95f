import Foundation
import NumericCore

/// A trained network with what made it: the file `model.json` that `deepest train --out DIR` writes and
/// every `deepest study` command reads with `--model DIR`.
///
/// Keys (README, "Saved models"): `format` ("deepest-model"), `version` (1), `kind` ("resnet" or
/// "flow"), `width`, `activation`, `antisymmetric`, `shift`, `horizon`, `layers` (ResNet) or `intervals`
/// (flow), `lift` ({`kind`: "padding" or "linear", `inputDimension`, and for "linear" the row-major
/// width × inputDimension `matrix`}), `readout` ({`kind`: "softmax-cross-entropy" or "least-squares",
/// `outputs`}), `parameters` (the network's parameter vector in its layout: θ_0..θ_{N−1} or θ_0..θ_K,
/// then C, c), and the provenance `recipe`, `method`, `dataset`, `seed`, `samples`.
///
/// Numbers are written in the shortest form that reads back to the same Double, so a loaded network's
/// predictions equal the saved one's bit for bit. A malformed file throws `InvalidArgument` whose
/// argument names the key ("model.json key 'layers'").
public struct SavedModel: Sendable {
    public var network: TrainedNetwork
    /// The recipe that trained it, the method label the user gave, the data set's name, the seed and
    /// the number of training samples (0: all).
    public var recipe: String
    public var method: String
    public var dataset: String
    public var seed: UInt64
    public var samples: Int

    public init(network: TrainedNetwork, recipe: String, method: String, dataset: String, seed: UInt64, samples: Int = 0) {
        self.network = network
        self.recipe = recipe
        self.method = method
        self.dataset = dataset
        self.seed = seed
        self.samples = samples
    }

    /// The model of a finished run of `configuration` (its network on the training split `train`).
    public init(outcome: TrainingOutcome, configuration c: TrainingConfiguration, train: Dataset) throws {
        let network = try c.network(for: train)
        self.init(network: TrainedNetwork(outcome: outcome, network: network), recipe: c.recipe.name, method: c.methodLabel,
                  dataset: c.dataName, seed: c.seed, samples: c.samples)
    }

    static let format = "deepest-model"
    static let version = 1

    struct Document: Codable {
        var format: String
        var version: Int
        var kind: String
        var width: Int
        var activation: String
        var antisymmetric: Bool
        var shift: Double
        var horizon: Double
        var layers: Int?
        var intervals: Int?
        var lift: Lift
        var readout: ReadoutDocument
        var parameters: [Double]
        var recipe: String
        var method: String
        var dataset: String
        var seed: UInt64
        var samples: Int

        struct Lift: Codable {
            var kind: String
            var inputDimension: Int
            var matrix: [Double]?
        }

        struct ReadoutDocument: Codable {
            var kind: String
            var outputs: Int
        }
    }

    /// The JSON text of `model.json` (sorted keys; non-finite numbers as "nan", "inf", "-inf").
    public func jsonData() throws -> Data {
        let field = network.field, lift = network.lift, readout = network.readout
        let liftDocument: Document.Lift
        switch lift {
        case .zeroPadding(let m, _): liftDocument = .init(kind: "padding", inputDimension: m, matrix: nil)
        case .linear(let matrix, let m, _): liftDocument = .init(kind: "linear", inputDimension: m, matrix: matrix)
        }
        let readoutDocument: Document.ReadoutDocument
        switch readout {
        case .softmaxCrossEntropy(let c): readoutDocument = .init(kind: "softmax-cross-entropy", outputs: c)
        case .leastSquares(let l): readoutDocument = .init(kind: "least-squares", outputs: l)
        }
        let document = Document(
            format: Self.format, version: Self.version, kind: network.isFlow ? "flow" : "resnet", width: field.width,
            activation: field.activation.rawValue, antisymmetric: field.antisymmetric, shift: field.shift, horizon: network.horizon,
            layers: network.isFlow ? nil : network.steps, intervals: network.isFlow ? network.steps : nil, lift: liftDocument,
            readout: readoutDocument, parameters: network.parameters, recipe: recipe, method: method, dataset: dataset, seed: seed,
            samples: samples)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return try encoder.encode(document)
    }

    /// Reads `model.json`. Throws `InvalidArgument` naming the key for a missing key, a value of the wrong
    /// type or out of range, and a parameter vector of the wrong length or with non-finite entries.
    public init(jsonData data: Data) throws {
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        let document: Document
        do {
            document = try decoder.decode(Document.self, from: data)
        } catch let error as DecodingError {
            throw Self.describe(error)
        }
        func key(_ name: String) -> String { "model.json key '\(name)'" }
        guard document.format == Self.format else { throw InvalidArgument(key("format"), document.format, "must be \(Self.format)") }
        guard document.version == Self.version else { throw InvalidArgument(key("version"), document.version, "must be \(Self.version)") }
        guard (1...4096).contains(document.width) else { throw InvalidArgument(key("width"), document.width, "must be in 1...4096") }
        guard let activation = Activation(rawValue: document.activation) else {
            throw InvalidArgument(key("activation"), document.activation, "must be one of \(Activation.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        guard document.horizon.isFinite, document.horizon > 0 else { throw InvalidArgument(key("horizon"), document.horizon, "must be finite and > 0") }
        guard document.shift.isFinite, document.shift >= 0 else { throw InvalidArgument(key("shift"), document.shift, "must be finite and >= 0") }
        let field = try ResidualField(width: document.width, activation: activation, antisymmetric: document.antisymmetric,
                                      shift: document.shift)
        let d = document.width, m = document.lift.inputDimension
        let lift: InputLift
        switch document.lift.kind {
        case "padding":
            guard (1...d).contains(m) else { throw InvalidArgument(key("lift.inputDimension"), m, "must be in 1...\(d) (the width) for padding") }
            lift = .zeroPadding(inputDimension: m, width: d)
        case "linear":
            guard (1...1_000_000).contains(m) else { throw InvalidArgument(key("lift.inputDimension"), m, "must be in 1...1000000") }
            guard let matrix = document.lift.matrix else { throw InvalidArgument(key("lift.matrix"), "missing", "a linear lift needs its width × inputDimension matrix") }
            guard matrix.count == d * m else { throw InvalidArgument(key("lift.matrix"), "\(matrix.count) numbers", "must hold width × inputDimension = \(d * m)") }
            guard matrix.allSatisfy(\.isFinite) else { throw InvalidArgument(key("lift.matrix"), "non-finite entries", "must be finite") }
            lift = .linear(matrix: matrix, inputDimension: m, width: d)
        default:
            throw InvalidArgument(key("lift.kind"), document.lift.kind, "must be padding or linear")
        }
        let outputs = document.readout.outputs
        let readout: Readout
        switch document.readout.kind {
        case "softmax-cross-entropy":
            guard (2...100_000).contains(outputs) else { throw InvalidArgument(key("readout.outputs"), outputs, "must be in 2...100000 classes") }
            readout = .softmaxCrossEntropy(classes: outputs)
        case "least-squares":
            guard (1...100_000).contains(outputs) else { throw InvalidArgument(key("readout.outputs"), outputs, "must be in 1...100000") }
            readout = .leastSquares(outputs: outputs)
        default:
            throw InvalidArgument(key("readout.kind"), document.readout.kind, "must be softmax-cross-entropy or least-squares")
        }
        let network: TrainedNetwork
        switch document.kind {
        case "resnet":
            guard let layers = document.layers else { throw InvalidArgument(key("layers"), "missing", "a resnet model needs its number of layers") }
            guard (1...1_000_000).contains(layers) else { throw InvalidArgument(key("layers"), layers, "must be in 1...1000000") }
            let resnet = try ResidualNetwork(field: field, layers: layers, horizon: document.horizon, lift: lift, readout: readout)
            try Self.check(document.parameters, count: resnet.parameterCount, key: key("parameters"))
            network = .resnet(resnet, parameters: document.parameters)
        case "flow":
            guard let intervals = document.intervals else { throw InvalidArgument(key("intervals"), "missing", "a flow model needs its number of intervals") }
            guard (1...1_000_000).contains(intervals) else { throw InvalidArgument(key("intervals"), intervals, "must be in 1...1000000") }
            let flow = try ContinuumNetwork(field: field, horizon: document.horizon, intervals: intervals, lift: lift, readout: readout)
            try Self.check(document.parameters, count: flow.parameterCount, key: key("parameters"))
            network = .flow(TrainedFlow(network: flow, parameters: document.parameters))
        default:
            throw InvalidArgument(key("kind"), document.kind, "must be resnet or flow")
        }
        guard document.samples >= 0 else { throw InvalidArgument(key("samples"), document.samples, "must be >= 0") }
        self.init(network: network, recipe: document.recipe, method: document.method, dataset: document.dataset, seed: document.seed,
                  samples: document.samples)
    }

    private static func check(_ parameters: [Double], count: Int, key: String) throws {
        guard parameters.count == count else {
            throw InvalidArgument(key, "\(parameters.count) numbers", "must hold the network's \(count) parameters")
        }
        if let bad = parameters.firstIndex(where: { !$0.isFinite }) {
            throw InvalidArgument(key, "\(parameters[bad]) at index \(bad)", "must be finite")
        }
    }

    /// A decoding error as one line naming the key.
    static func describe(_ error: DecodingError) -> InvalidArgument {
        func path(_ codingPath: [any CodingKey]) -> String {
            codingPath.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined().trimmingCharacters(in: CharacterSet(charactersIn: "."))
        }
        switch error {
        case .keyNotFound(let missing, let context):
            let full = path(context.codingPath + [missing])
            return InvalidArgument("model.json key '\(full)'", "missing", "is required")
        case .typeMismatch(let type, let context):
            return InvalidArgument("model.json key '\(path(context.codingPath))'", "of the wrong type", "must be \(Self.typeName(type))")
        case .valueNotFound(let type, let context):
            return InvalidArgument("model.json key '\(path(context.codingPath))'", "null", "must be \(Self.typeName(type))")
        case .dataCorrupted(let context):
            if context.codingPath.isEmpty {
                return InvalidArgument("model.json", "not valid JSON", "must be one JSON object (\(context.debugDescription))")
            }
            return InvalidArgument("model.json key '\(path(context.codingPath))'", "invalid", context.debugDescription)
        @unknown default:
            return InvalidArgument("model.json", "unreadable", "\(error)")
        }
    }

    static func typeName(_ type: Any.Type) -> String {
        switch type {
        case is Int.Type, is UInt64.Type: return "an integer"
        case is Double.Type: return "a number"
        case is Bool.Type: return "true or false"
        case is String.Type: return "a string"
        default: return "\(type)".contains("Array") ? "a list" : "an object"
        }
    }
}
