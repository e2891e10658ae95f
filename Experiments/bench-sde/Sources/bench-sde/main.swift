// Times the stochastic engine on the workloads and prints one JSON object (seconds):
//   normals  - drawing 10,000 × 1,000 standard normals (one XoshiroRandomStream per path), both cores
//   ou       - Euler–Maruyama for dX = −X dt + 0.5 dW, X0 = 1, T = 1: 10,000 paths × 1,000 steps, both cores
//   gbm      - Euler–Maruyama for GBM dX = 0.05X dt + 0.2X dW defined with closures (SDEProblem), same
//              sizes, through the public ensemble API; gbmPaths - the same through one solve(path:) per path
//   gslNormals - the same normals through GSL's ziggurat (RandomStream, MT19937), for reference
//   heat     - stochastic heat equation, 256 modes × 10,000 steps × 100 paths (semi-implicit spectral
//              Galerkin with a reaction term, so every step does a DCT pair), with the transform share
//              (only with --heat)
// Each OU and normals figure is the best of `repeats` runs after one warm-up (the machine is shared).
import Dispatch
import Foundation
import Synchronization
import NumericCore
import Stochastic

func seconds(_ body: () throws -> Void) rethrows -> Double {
    let start = DispatchTime.now().uptimeNanoseconds
    try body()
    return Double(DispatchTime.now().uptimeNanoseconds - start) * 1e-9
}

func best(_ repeats: Int, _ body: () throws -> Void) rethrows -> Double {
    try body()
    var result = Double.infinity
    for _ in 0..<repeats { result = min(result, try seconds(body)) }
    return result
}

let paths = 10_000, steps = 1_000, repeats = 15
let sink = Mutex<Double>(0)

/// Draws the ensemble's 10^7 normals (one stream per path, `fill(path, buffer)`) on all cores.
func drawNormals(_ fill: @escaping @Sendable (Int, UnsafeMutableBufferPointer<Double>) -> Void) {
    Parallel.forEachChunk(paths) { range in
        let buffer = UnsafeMutableBufferPointer<Double>.allocate(capacity: steps)
        defer { buffer.deallocate() }
        var total = 0.0
        for path in range {
            fill(path, buffer)
            total += buffer[steps - 1]
        }
        sink.withLock { $0 += total }
    }
}

let deviation = (1.0 / Double(steps)).squareRoot()
let normals = best(repeats) {
    drawNormals { path, buffer in
        var stream = XoshiroRandomStream(seed: 2026, index: UInt64(path))
        stream.fillGaussian(buffer, standardDeviation: deviation)
    }
}
let gslNormals = best(1) {
    drawNormals { path, buffer in
        RandomStream(seed: 2026, index: UInt64(path)).fillGaussian(buffer, standardDeviation: deviation)
    }
}

let ouProblem = try OrnsteinUhlenbeckProcess(rate: 1, volatility: 0.5, start: 1, horizon: 1)
let ouEnsemble = try Ensemble(scheme: .eulerMaruyama, steps: steps, paths: paths, seed: 2026,
                              functionals: [.component(0)], quantileLevels: [])
var ouMean = 0.0
let ou = try best(repeats) {
    let result = try solve(ouProblem, ouEnsemble)
    ouMean = result.statistics[0].mean
}

// Geometric Brownian motion dX = 0.05X dt + 0.2X dW, X0 = 1, T = 1, defined by a user with closures
// (`SDEProblem`), through the public ensemble API: the target is within 1.3x of the built-in OU.
let gbmProblem = try SDEProblem(initialValue: [1], horizon: 1, noise: .scalar,
                                drift: { _, x, r in r[0] = 0.05 * x[0] }, diffusion: { _, x, r in r[0] = 0.2 * x[0] })
let gbmEnsemble = try Ensemble(scheme: .eulerMaruyama, steps: steps, paths: paths, seed: 2026,
                               functionals: [.component(0)], quantileLevels: [])
var gbmMean = 0.0
let gbm = try best(repeats) {
    let result = try solve(gbmProblem, gbmEnsemble)
    gbmMean = result.statistics[0].mean
}
// The same GBM through the single-path route: one BrownianPath and one `solve(_:_:path:steps:)` per path, on
// all cores (stores every path's increments and states).
let gbmPaths = try best(3) {
    let finals = Mutex<Double>(0)
    Parallel.forEachChunk(paths) { range in
        var total = 0.0
        for path in range {
            guard let brownian = try? BrownianPath(seed: 2026, index: UInt64(path), steps: steps, duration: 1),
                  let solution = try? solve(gbmProblem, .eulerMaruyama, path: brownian, steps: steps) else { continue }
            total += solution.finalState[0]
        }
        finals.withLock { $0 += total }
    }
    sink.withLock { $0 += finals.withLock { $0 } }
}

var report: [String: Double] = [
    "gbm": gbm, "gbmMean": gbmMean, "gbmExactMean": exp(0.05), "gbmPaths": gbmPaths,
    "normals": normals, "ou": ou, "gslNormals": gslNormals, "ouMean": ouMean, "ouExactMean": exp(-1.0),
    "workers": Double(Parallel.workerCount),
]
if CommandLine.arguments.contains("--heat") {
    let heat = try HeatBenchmark.run()
    report["heat"] = heat.seconds
    report["heatTransformShare"] = heat.transformShare
    report["heatMeanEnergy"] = heat.meanEnergy
}
let json = try JSONSerialization.data(withJSONObject: report, options: [.sortedKeys])
print(String(decoding: json, as: UTF8.self))
