// Times, for each configuration of bench_config.json (the file the PyTorch peer reads): one full-batch
// gradient of the ResNet loss (forward and adjoint, the batched kernels) and one step of the Langevin
// flow of the training action on the SPDE engine (the same gradient, two DCTs per weight component,
// the noise), and one step of the Langevin flow of the discrete action A_h at r_f = 1 (states as unknowns:
// one A_h gradient, the Thomas solves, one normal per unknown drawn over the sample blocks) beside one A_h gradient at the states the
// steps visit, each the median over `steps` repeats after warm-up. Prints one JSON line per configuration.
import DeepestLearning
import Foundation
import NumericCore
import Stochastic

struct BenchConfiguration: Decodable {
    let name: String
    let dataset: String
    let width: Int
    let layers: Int
    let horizon: Double
    let steps: Int
}

func median(_ values: [Double]) -> Double { values.sorted()[values.count / 2] }

let here = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
let configurations = try JSONDecoder().decode(
    [BenchConfiguration].self, from: Data(contentsOf: here.appendingPathComponent("bench_config.json")))
let dataDirectory = here.appendingPathComponent("../data").standardized

for c in configurations {
    guard let dataset = DatasetCatalog(rawValue: c.dataset) else { throw InvalidArgument("dataset", c.dataset, "unknown") }
    let split = try dataset.load(from: dataDirectory)
    var shape = try TrainingConfiguration.defaults(dataset: dataset, recipe: "langevin")
    shape.width = c.width; shape.layers = c.layers; shape.horizon = c.horizon; shape.activation = .tanh
    shape.antisymmetric = false
    let network = try shape.network(for: split.train)
    let parameters = network.initialParameters(seed: 1)
    let loss = try ResidualNetworkLoss(network: network, data: split.train)
    loss.minimumBatchedWidth = 1  // the batched kernels at every width, as the Langevin flow and the lbfgs stage
    var gradient = [Double]()
    var gradientTimes = [Double]()
    for repeatIndex in 0..<(c.steps + 5) {
        let start = DispatchTime.now().uptimeNanoseconds
        loss.evaluate(parameters: parameters, gradient: &gradient)
        if repeatIndex >= 5 { gradientTimes.append(Double(DispatchTime.now().uptimeNanoseconds - start) * 1e-9) }
    }
    let m = Double(split.train.count)
    let flow = try LangevinFlow(network: network, data: split.train, regularization: try Regularization(tikhonov: 1e-3 * m),
                                schedule: try TemperatureSchedule(.constant, initial: 1e-4))
    let stepper = try SPDEStepper(try flow.equation(start: parameters), modes: [network.layers], scheme: .semiImplicit, timeStep: 0.01 / m)
    var stream = XoshiroRandomStream(seed: 1, index: 0)
    var increments = [Double](repeating: 0, count: stepper.noiseCount)
    var stepTimes = [Double]()
    let root = (0.01 / m).squareRoot()
    for repeatIndex in 0..<(c.steps + 5) {
        let start = DispatchTime.now().uptimeNanoseconds
        let ok = increments.withUnsafeMutableBufferPointer { buffer -> Bool in
            stream.fillGaussian(buffer, standardDeviation: root)
            return stepper.step(increments: UnsafePointer(buffer.baseAddress!))
        }
        precondition(ok, "the Langevin step left the finite numbers")
        if repeatIndex >= 5 { stepTimes.append(Double(DispatchTime.now().uptimeNanoseconds - start) * 1e-9) }
    }
    let discrete = try DiscreteLangevinFlow(network: network, data: split.train, modelPrecision: 1,
                                            regularization: try Regularization(tikhonov: 1e-3 * m),
                                            schedule: try TemperatureSchedule(.constant, initial: 1e-4))
    let discreteTimeStep = try LangevinStage(modelPrecision: 1).defaultTimeStep(samples: split.train.count, stepSize: network.stepSize)
    let discreteStepper = try DiscreteLangevinStepper(discrete, unknowns: discrete.action().unknowns(parameters: parameters),
                                                      timeStep: discreteTimeStep)
    let action = discrete.action()
    var actionGradient = [Double]()
    var actionTimes = [Double]()
    var discreteTimes = [Double]()
    for repeatIndex in 0..<(c.steps + 5) {
        let start = DispatchTime.now().uptimeNanoseconds
        // As the langevin stage steps it: the increments drawn in parallel from per-block streams.
        let ok = discreteStepper.step(noiseSeed: 11)
        precondition(ok, "the discrete Langevin step left the finite numbers")
        if repeatIndex >= 5 { discreteTimes.append(Double(DispatchTime.now().uptimeNanoseconds - start) * 1e-9) }
        // One gradient of A_h alone (the discrete flow's drift) at the state the step reached: its cost
        // depends on the state (tanh's slow path away from the forward pass), so it is timed where the
        // steps run.
        let unknowns = discreteStepper.unknowns
        let gradientStart = DispatchTime.now().uptimeNanoseconds
        action.evaluate(unknowns: unknowns, gradient: &actionGradient)
        if repeatIndex >= 5 { actionTimes.append(Double(DispatchTime.now().uptimeNanoseconds - gradientStart) * 1e-9) }
    }
    let line: [String: Any] = ["name": c.name, "samples": split.train.count, "parameters": network.parameterCount,
                               "gradientSeconds": median(gradientTimes), "langevinStepSeconds": median(stepTimes),
                               "discreteLangevinStepSeconds": median(discreteTimes), "discreteUnknowns": discreteStepper.noiseCount,
                               "actionGradientSeconds": median(actionTimes),
                               "threads": Parallel.workerCount]
    print(String(decoding: try JSONSerialization.data(withJSONObject: line, options: [.sortedKeys]), as: UTF8.self))
}
