// Cost of one Newton step of the discrete boundary value problem (ActionNewtonSolver: per-sample
// block-tridiagonal elimination and Schur complement onto the weights) against the number of samples
// M = 64..4096 on two-spiral data (d = 4, N = 16, antisymmetric tanh), with the least-squares slope of
// log(time) against log(M): 1 means cost linear in M (the W³ dense Schur solve is the constant part).
import DeepestLearning
import Foundation
import NumericCore

func spirals(count: Int) throws -> Dataset {
    var x = [Double](), labels = [Int]()
    let perClass = count / 2
    for label in 0..<2 {
        for i in 0..<perClass {
            let t = 4 * Double.pi * Double(i) / Double(perClass - 1)
            let r = (label == 0 ? 0.0 : 0.2) + Double(i) / Double(perClass - 1)
            x += [r * cos(t), r * sin(t)]
            labels.append(label)
        }
    }
    return try Dataset(inputs: x, inputDimension: 2, targets: .classes(labels: labels, count: 2))
}

let field = try ResidualField(width: 4, activation: .tanh, antisymmetric: true, shift: 0.01)
let net = try ResidualNetwork(field: field, layers: 16, horizon: 10, lift: .padding(from: 2, to: 4),
                              readout: .softmaxCrossEntropy(classes: 2))
let reg = try Regularization(tikhonov: 1e-3, smoothness: 1e-3, readoutTikhonov: 1e-2)
var sizes = [Double](), times = [Double]()
print("     M   seconds/step  (Newton step with Schur complement, d = 4, N = 16, W = \(net.parameterCount) weights)")
for m in [64, 128, 256, 512, 1024, 2048, 4096] {
    let data = try spirals(count: m)
    let action = try TrainingAction(network: net, data: data, modelPrecision: 1, inputWeight: .infinity, regularization: reg)
    let solver = ActionNewtonSolver(action: action)
    let u = action.unknowns(parameters: net.initialParameters(seed: 1))
    var g = [Double]()
    action.evaluate(unknowns: u, gradient: &g)
    var samples = [Double]()
    for _ in 0..<3 {
        let start = DispatchTime.now().uptimeNanoseconds
        _ = solver.step(unknowns: u, gradient: g, damping: 1e-3)
        samples.append(Double(DispatchTime.now().uptimeNanoseconds - start) * 1e-9)
    }
    samples.sort()
    sizes.append(Double(m))
    times.append(samples[1])
    print(String(format: "%6d   %.4f", m, samples[1]))
}
let fit = try OrderFit.fit(steps: Array(sizes.suffix(4)), errors: Array(times.suffix(4)))
print(String(format: "fitted slope of log(time) vs log(M) over M = 512..4096: %.3f (95%% CI [%.3f, %.3f])",
             fit.order, fit.ci95.lowerBound, fit.ci95.upperBound))
