import Foundation
import Testing
@testable import DeepestLearning
import NumericCore

@Suite struct SavedModelTests {
    /// A saved and loaded network predicts bit for bit what the original does, for both kinds.
    @Test func roundTripPredictsBitwiseTheSame() throws {
        for network in [try StudyFixtures.resnet(), try StudyFixtures.flow()] {
            let model = SavedModel(network: network, recipe: "r", method: "m", dataset: "d", seed: 7, samples: 3)
            let loaded = try SavedModel(jsonData: try model.jsonData())
            let inputs = randomVector(20 * network.inputDimension, seed: 2)
            let a = network.outputs(inputs: inputs), b = loaded.network.outputs(inputs: inputs)
            #expect(a.map(\.bitPattern) == b.map(\.bitPattern))
            #expect(loaded.network.isFlow == network.isFlow && loaded.network.parameters == network.parameters)
            #expect(loaded.recipe == "r" && loaded.method == "m" && loaded.dataset == "d" && loaded.seed == 7 && loaded.samples == 3)
            #expect(loaded.network.lift == network.lift && loaded.network.field == network.field)
        }
    }

    /// A trained pipeline's model (a discrete recipe: the ResNet; a continuum recipe: its flow) reproduces
    /// the run's test accuracy from the file.
    @Test func trainedModelsRoundTrip() throws {
        let data = try randomDataset(count: 24, inputDimension: 2, classes: 2, seed: 12)
        let split = DatasetCatalog.Split(train: data, test: data)
        for recipe in ["adam", "collocation-reduced"] {
            var c = try TrainingConfiguration.defaults(dataset: nil, dataName: "random", recipe: recipe)
            c.layers = 3; c.width = 3; c.horizon = 1
            c.recipe = try .named(recipe, dataset: nil, horizon: 1)
            if recipe == "adam" { c.recipe.override("epochs", "3", origin: "test") } else {
                c.recipe.override("iterations", "20", origin: "test")
                c.recipe.stages.removeLast()
            }
            let outcome = try TrainingExperiment.run(c, split: split)
            let model = try SavedModel(outcome: outcome, configuration: c, train: data)
            #expect(model.network.isFlow == (recipe != "adam"))
            let loaded = try SavedModel(jsonData: try model.jsonData())
            let accuracy = Metrics.accuracy(outputs: loaded.network.outputs(inputs: data.inputs), data: data)
            #expect(accuracy == outcome.report.testAccuracy)
        }
    }

    static func document(_ network: TrainedNetwork) throws -> [String: Any] {
        let model = SavedModel(network: network, recipe: "r", method: "m", dataset: "d", seed: 1)
        return try JSONSerialization.jsonObject(with: try model.jsonData()) as! [String: Any]
    }

    static func failure(_ document: [String: Any]) throws -> String {
        let data = try JSONSerialization.data(withJSONObject: document)
        do {
            _ = try SavedModel(jsonData: data)
        } catch let error as InvalidArgument {
            return error.description
        }
        return "no error"
    }

    /// Every malformed file is refused in one message that names the key.
    @Test func malformedFilesNameTheKey() throws {
        let base = try Self.document(try StudyFixtures.resnet())
        var cases: [(String, (inout [String: Any]) -> Void)] = [
            ("'layers'", { $0.removeValue(forKey: "layers") }),
            ("'layers'", { $0["layers"] = 0 }),
            ("'width'", { $0["width"] = "four" }),
            ("'activation'", { $0["activation"] = "relu" }),
            ("'kind'", { $0["kind"] = "transformer" }),
            ("'parameters'", { $0["parameters"] = [1.0, 2.0] }),
            ("'parameters'", { var p = $0["parameters"] as! [Any]; p[3] = "nan"; $0["parameters"] = p }),
            ("'horizon'", { $0["horizon"] = -1.0 }),
            ("'lift.kind'", { var l = $0["lift"] as! [String: Any]; l["kind"] = "spline"; $0["lift"] = l }),
            ("'lift.inputDimension'", { var l = $0["lift"] as! [String: Any]; l.removeValue(forKey: "inputDimension"); $0["lift"] = l }),
            ("'readout.outputs'", { var r = $0["readout"] as! [String: Any]; r["outputs"] = 1; $0["readout"] = r }),
            ("'format'", { $0["format"] = "onnx" }),
        ]
        cases.append(("'intervals'", { $0["kind"] = "flow" }))
        for (key, edit) in cases {
            var document = base
            edit(&document)
            let message = try Self.failure(document)
            #expect(message.contains(key), "expected \(key) in: \(message)")
        }
        let notJSON: String
        do {
            _ = try SavedModel(jsonData: Data("{\"kind\": ".utf8))
            notJSON = "no error"
        } catch let error as InvalidArgument {
            notJSON = error.description
        }
        #expect(notJSON.contains("model.json") && notJSON.contains("JSON"))
    }
}
