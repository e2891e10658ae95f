// Times the stochastic engine on the workloads and prints one JSON object (seconds):
//   normals  - drawing 10,000 × 1,000 standard normals (one XoshiroRandomStream per path), both cores
//   ou       - Euler–Maruyama for dX = −X dt + 0.5 dW, X0 = 1, T = 1: 10,000 paths × 1,000 steps, both cores
//   gbm      - Euler–Maruyama for GBM dX = 0.05X dt + 0.2X dW defined with closures (SDEProblem), same
//              sizes, through the public ensemble API; gbmElementwise - the same with elementwise closures
//              (one call per block of paths); gbmPaths - the same through one solve(path:) per path
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

/// CPU time of the calling thread (steadier than wall time on a loaded machine).
func threadSeconds(_ body: () -> Void) -> Double {
    var start = timespec(), end = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &start)
    body()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &end)
    return Double(end.tv_sec - start.tv_sec) + Double(end.tv_nsec - start.tv_nsec) * 1e-9
}

/// `--loops`: nanoseconds of thread CPU time per path step on one thread (best of 7, 2,000 paths × 1,000
/// steps) of the ensemble's drawing loop (`SDEStepper.integrateDrawing`) for the built-in OU and the
/// closure-defined GBM; one JSON object. Thread CPU time is steadier than wall time on a shared machine.
func loopTimes() throws -> [String: Double] {
    let count = 2_000, h = 1.0 / Double(steps)
    let ou = try OrnsteinUhlenbeckProcess(rate: 1, volatility: 0.5, start: 1, horizon: 1)
    let gbm = try SDEProblem(initialValue: [1], horizon: 1, noise: .scalar,
                             drift: { _, x, r in r[0] = 0.05 * x[0] }, diffusion: { _, x, r in r[0] = 0.2 * x[0] })
    func single<P: StochasticDifferentialEquation>(_ problem: P) -> Double {
        let workspace = SDEWorkspace(for: problem)
        var total = 0.0
        let seconds = (0..<7).map { _ in
            threadSeconds {
                for p in 0..<count {
                    var stream = XoshiroRandomStream(seed: 2026, index: UInt64(p))
                    workspace.state[0] = 1
                    _ = SDEStepper.integrateDrawing(problem, scheme: .eulerMaruyama, stream: &stream, steps: steps, stepSize: h,
                                                    startTime: 0, state: workspace.state, workspace: workspace)
                    total += workspace.state[0]
                }
            }
        }.min()!
        sink.withLock { $0 += total }
        return seconds / Double(count * steps) * 1e9
    }
    func elementwise<P: StochasticDifferentialEquation>(_ problem: P) -> Double {
        let block = SDEStepper.elementwiseBlock
        let workspace = SDEWorkspace(for: problem, paths: block)
        let streams = UnsafeMutableBufferPointer<XoshiroRandomStream>.allocate(capacity: block)
        let rows = UnsafeMutableBufferPointer<Double>.allocate(capacity: block * SDEStepper.rowsPerRefill)
        defer { streams.deallocate(); rows.deallocate() }
        var total = 0.0
        let seconds = (0..<7).map { _ in
            threadSeconds {
                for first in stride(from: 0, to: count, by: block) {
                    for p in 0..<block {
                        streams[p] = XoshiroRandomStream(seed: 2026, index: UInt64(first + p))
                        workspace.state[p] = 1
                    }
                    SDEStepper.integrateDrawingElementwise(problem, scheme: .eulerMaruyama, streams: streams, steps: steps, stepSize: h,
                                                           startTime: 0, workspace: workspace, rows: rows)
                    total += workspace.state[0]
                }
            }
        }.min()!
        sink.withLock { $0 += total }
        return seconds / Double(count * steps) * 1e9
    }
    let gbmElementwise = try SDEProblem(initialValue: [1], horizon: 1, noise: .scalar,
                                        drift: { _, x, r in for p in x.indices { r[p] = 0.05 * x[p] } },
                                        diffusion: { _, x, r in for p in x.indices { r[p] = 0.2 * x[p] } }, elementwise: true)
    let normals = UnsafeMutableBufferPointer<Double>.allocate(capacity: steps)
    defer { normals.deallocate() }
    let normalSeconds = (0..<7).map { _ in
        threadSeconds {
            for p in 0..<count {
                var stream = XoshiroRandomStream(seed: 2026, index: UInt64(p))
                stream.fillGaussian(normals, standardDeviation: h.squareRoot())
            }
        }
    }.min()!
    return ["ouStep": single(ou), "gbmStep": single(gbm), "gbmElementwiseStep": elementwise(gbmElementwise),
            "ouElementwiseLoopStep": elementwise(ou), "normal": normalSeconds / Double(count * steps) * 1e9]
}
if CommandLine.arguments.contains("--loops") {
    let json = try JSONSerialization.data(withJSONObject: try loopTimes(), options: [.sortedKeys])
    print(String(decoding: json, as: UTF8.self))
    exit(0)
}
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
// The same GBM with elementwise closures (`elementwise: true`): one call per block of paths and step.
let gbmElementwiseProblem = try SDEProblem(initialValue: [1], horizon: 1, noise: .scalar,
                                           drift: { _, x, r in for p in x.indices { r[p] = 0.05 * x[p] } },
                                           diffusion: { _, x, r in for p in x.indices { r[p] = 0.2 * x[p] } },
                                           elementwise: true)
var gbmElementwiseMean = 0.0
let gbmElementwise = try best(repeats) {
    let result = try solve(gbmElementwiseProblem, gbmEnsemble)
    gbmElementwiseMean = result.statistics[0].mean
}
// The same GBM through the single-path route: one BrownianPath and one `solve(_:_:path:steps:)` per path, on
// all cores (stores every path's increments and states).
let gbmPaths = best(3) {
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
    "gbm": gbm, "gbmMean": gbmMean, "gbmElementwise": gbmElementwise, "gbmElementwiseMean": gbmElementwiseMean, "gbmExactMean": exp(0.05), "gbmPaths": gbmPaths,
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
