import DeepestLearning
import Foundation
import NumericCore

// Usage: BenchPGD MODEL_DIR DATA_DIR TEST_CSV STEPS EPSILON REPEATS
// Writes the digits test split to TEST_CSV (64 pixels and the label per line, for the PyTorch peer),
// runs l-inf PGD (no random start, step 2.5 eps/steps) REPEATS times after one warm-up, and prints one
// JSON line: implementation, samples, steps, epsilon, medianSeconds, accuracy (after the attack),
// threads.
let arguments = CommandLine.arguments
guard arguments.count == 7, let steps = Int(arguments[4]), let epsilon = Double(arguments[5]), let repeats = Int(arguments[6]) else {
    FileHandle.standardError.write(Data("usage: BenchPGD MODEL_DIR DATA_DIR TEST_CSV STEPS EPSILON REPEATS\n".utf8))
    exit(2)
}
let model = try SavedModel(jsonData: try Data(contentsOf: URL(fileURLWithPath: arguments[1]).appendingPathComponent("model.json")))
let test = try DatasetCatalog.digits.load(from: URL(fileURLWithPath: arguments[2])).test
guard case .classes(let labels, let classes) = test.targets else { exit(2) }
var csv = ""
for k in 0..<test.count {
    csv += (0..<64).map { "\(test.inputs[k * 64 + $0])" }.joined(separator: ",") + ",\(labels[k])\n"
}
try csv.write(toFile: arguments[3], atomically: true, encoding: .utf8)
let attack = try AdversarialAttack(norm: .infinity, steps: steps)
var times = [Double]()
var attacked = [Double]()
for run in 0...repeats {
    let start = Date()
    attacked = try attack.pgd(network: model.network, data: test, epsilon: epsilon)
    if run > 0 { times.append(Date().timeIntervalSince(start)) }
}
times.sort()
let outputs = model.network.outputs(inputs: attacked)
var correct = 0
for k in 0..<test.count {
    let best = (0..<classes).max { outputs[k * classes + $0] < outputs[k * classes + $1] }!
    if best == labels[k] { correct += 1 }
}
let result: [String: Any] = [
    "implementation": "swift", "samples": test.count, "steps": steps, "epsilon": epsilon,
    "medianSeconds": times[times.count / 2], "accuracy": Double(correct) / Double(test.count),
    "threads": ProcessInfo.processInfo.activeProcessorCount,
]
print(String(decoding: try JSONSerialization.data(withJSONObject: result, options: [.sortedKeys]), as: UTF8.self))
