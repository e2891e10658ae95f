// Times one epoch of minibatch SGD with momentum on the discrete ResNet for the configurations in
// bench_config.json (the same file the PyTorch peer reads) and prints one JSON line per configuration.
import DeepestLearning
import Foundation
import NumericCore

struct BenchConfiguration: Decodable {
    let name: String
    let dataset: String
    let width: Int
    let layers: Int
    let horizon: Double
    let antisymmetric: Bool
    let shift: Double
    let batch: Int
    let learningRate: Double
    let momentum: Double
    let repeats: Int
}

let here = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
let configurations = try JSONDecoder().decode(
    [BenchConfiguration].self, from: Data(contentsOf: here.appendingPathComponent("bench_config.json")))
let dataDirectory = here.appendingPathComponent("../data").standardized

for c in configurations {
    guard let dataset = DatasetCatalog(rawValue: c.dataset) else { throw InvalidArgument("dataset", c.dataset, "unknown") }
    let split = try dataset.load(from: dataDirectory)
    var shape = try TrainingConfiguration.defaults(dataset: dataset, recipe: "sgd")
    shape.width = c.width; shape.layers = c.layers; shape.horizon = c.horizon; shape.activation = .tanh
    shape.antisymmetric = c.antisymmetric; shape.shift = c.shift
    let net = try shape.network(for: split.train)
    let loss = try ResidualNetworkLoss(network: net, data: split.train)
    var parameters = net.initialParameters(seed: 1)
    var times = [Double]()
    var lastLoss = 0.0
    for epoch in 0..<(c.repeats + 1) {
        let start = DispatchTime.now().uptimeNanoseconds
        let result = try MinibatchTrainer.train(
            loss: loss, initialParameters: parameters,
            optimizer: MomentumGradientDescent(learningRate: c.learningRate, momentum: c.momentum),
            options: MinibatchOptions(epochs: 1, batchSize: c.batch, seed: UInt64(epoch)))
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) * 1e-9
        parameters = result.parameters
        lastLoss = result.lossPerEpoch[0]
        if epoch > 0 { times.append(seconds) }  // the first epoch warms up caches and workspaces
    }
    times.sort()
    let line: [String: Any] = ["name": c.name, "implementation": "swift", "medianEpochSeconds": times[times.count / 2],
                               "minEpochSeconds": times[0], "samples": split.train.count, "lastEpochLoss": lastLoss,
                               "threads": Parallel.workerCount]
    print(String(decoding: try JSONSerialization.data(withJSONObject: line, options: [.sortedKeys]), as: UTF8.self))
}
