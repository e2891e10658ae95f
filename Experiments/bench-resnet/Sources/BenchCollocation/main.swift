// Cost of one collocation Newton iteration for the continuum training BVP, in its Hamiltonian and its
// Lagrangian form, against the number of samples M = 64..4096 on two-spiral data (d = 4, q = 20, N = 16 Lobatto IIIA intervals,
// antisymmetric tanh, trained softmax readout): StructuredCollocation (per-sample elimination, Schur
// complement onto the weights) with the least-squares slope of log(time) against log(M) (1 = linear
// in M; the dense O(W³) weight solve is the constant part), and, for M ≤ 128, the BoundaryValue
// module's dense-block collocation on the same mesh (O(N n³), n = 2(Md + q) + k).
import BoundaryValue
import DeepestLearning
import Foundation
import NumericCore

func spirals(count: Int) -> (inputs: [Double], labels: [Double]) {
    var x = [Double](), labels = [Double]()
    let perClass = count / 2
    for label in 0..<2 {
        for i in 0..<perClass {
            let t = 4 * Double.pi * Double(i) / Double(perClass - 1)
            let r = (label == 0 ? 0.0 : 0.2) + Double(i) / Double(perClass - 1)
            x += [r * cos(t), r * sin(t), 0, 0]
            labels.append(Double(label))
        }
    }
    return (x, labels)
}

let field = try ResidualField(width: 4, activation: .tanh, antisymmetric: true, shift: 0.01)
let intervals = 16, horizon = 10.0
let mesh = (0...intervals).map { $0 == intervals ? horizon : horizon * Double($0) / Double(intervals) }
let (theta, readout): ([Double], [Double]) = {
    let stream = RandomStream(seed: 1, index: 0)
    var theta = [Double](repeating: 0, count: field.parameterCount), readout = [Double](repeating: 0, count: 10)
    stream.fillGaussian(&theta, standardDeviation: 0.3)
    stream.fillGaussian(&readout, standardDeviation: 0.3)
    return (theta, readout)
}()

func problem(_ m: Int) throws -> ContinuousTrainingProblem<ResidualField> {
    let data = spirals(count: m)
    return try ContinuousTrainingProblem(
        field: field, horizon: horizon, inputs: data.inputs, readout: .softmaxCrossEntropy(classes: 2), targets: data.labels,
        readoutParameters: .trained(tikhonov: 1e-2), modelPrecision: 1, smoothness: 1e-3, tikhonov: 1e-3,
        inputWeight: .infinity, outputWeight: 1)
}

/// x_k = the lifted inputs, p = π = 0, θ and the readout random (seeded), on every node.
func guess(_ spec: ContinuousTrainingProblem<ResidualField>, theta: [Double], readout: [Double]) throws -> InitialGuess {
    let layout = try spec.hamiltonianForm().layout
    var y = [Double](repeating: 0, count: layout.dimension)
    for i in spec.inputs.indices { y[i] = spec.inputs[i] }
    for i in theta.indices { y[layout.weightOffset + i] = theta[i] }
    for i in readout.indices { y[layout.readoutOffset + i] = readout[i] }
    return .mesh(mesh, values: Array(repeating: y, count: mesh.count).flatMap { $0 })
}

/// CPU seconds of this process (all threads): the cost measure that other jobs on a shared machine
/// disturb least; wall-clock seconds are printed beside it.
func cpuSeconds() -> Double {
    var t = timespec()
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t)
    return Double(t.tv_sec) + Double(t.tv_nsec) * 1e-9
}

let oneIteration = StructuredCollocation(scheme: .lobatto3, maxNewtonIterations: 1)
let weightSystem = 2 * (2 * intervals + 1) * field.parameterCount + readout.count

/// Median CPU and wall seconds of one iteration in `form` for every M, and the fitted slopes.
func measure(_ form: BoundaryValueForm) throws -> [Double] {
    print("     M   CPU s/iteration   wall s/iteration  (structured collocation, \(form.rawValue) form, d = 4, q = 20, N = \(intervals) Lobatto intervals, weight system W = \(weightSystem))")
    var sizes = [Double](), times = [Double]()
    for m in [64, 128, 256, 512, 1024, 2048, 4096] {
        let spec = try problem(m)
        // The same node values in both layouts (the second block and the conjugate zero).
        let start = try guess(spec, theta: theta, readout: readout)
        var samples = [Double](), wall = [Double]()
        for _ in 0..<(m <= 512 ? 5 : 3) {
            let began = DispatchTime.now().uptimeNanoseconds, cpu = cpuSeconds()
            _ = try oneIteration.solve(spec, form: form, mesh: mesh, initialGuess: start)
            samples.append(cpuSeconds() - cpu)
            wall.append(Double(DispatchTime.now().uptimeNanoseconds - began) * 1e-9)
        }
        samples.sort()
        wall.sort()
        sizes.append(Double(m))
        times.append(samples[samples.count / 2])
        print(String(format: "%6d   %.3f            %.3f", m, samples[samples.count / 2], wall[wall.count / 2]))
    }
    let all = try OrderFit.fit(steps: sizes, errors: times)
    let large = try OrderFit.fit(steps: Array(sizes.suffix(4)), errors: Array(times.suffix(4)))
    print(String(format: "fitted slope of log(CPU time) vs log(M): %.3f over M = 64..4096 (95%% CI [%.3f, %.3f]); %.3f over M = 512..4096 (95%% CI [%.3f, %.3f])",
                 all.order, all.ci95.lowerBound, all.ci95.upperBound, large.order, large.ci95.lowerBound, large.ci95.upperBound))
    return times
}
let times = try measure(.hamiltonian)
let lagrangianTimes = try measure(.lagrangian)
print("     M   Lagrangian/Hamiltonian CPU time per iteration")
for (index, m) in [64, 128, 256, 512, 1024, 2048, 4096].enumerated() {
    print(String(format: "%6d   %.2f", m, lagrangianTimes[index] / times[index]))
}

print("     M   n/node   dense-block collocation CPU s/iteration   structured CPU s/iteration   ratio")
let dense = Collocation(scheme: .lobatto3, tolerance: 1e-6, maxNewtonIterations: 1, adaptive: false)
for (index, m) in [64, 128].enumerated() {
    let spec = try problem(m)
    let bvp = try spec.hamiltonianForm().boundaryValueProblem()
    let began = cpuSeconds()
    _ = try solve(bvp, dense, initialGuess: try guess(spec, theta: theta, readout: readout))
    let seconds = cpuSeconds() - began
    print(String(format: "%6d   %6d   %.3f                                    %.3f                        %.0f", m, bvp.dimension, seconds,
                 times[index], seconds / times[index]))
}
