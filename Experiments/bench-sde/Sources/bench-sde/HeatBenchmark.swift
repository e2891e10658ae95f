import Dispatch
import Foundation
import NumericCore
import Stochastic
import Synchronization

/// The stochastic heat equation with a reaction term (f = sin u, so every step transforms the state to
/// the grid and back: one orthonormal DCT-III and one DCT-II of 256 points), 256 modes × 10,000 steps ×
/// 100 paths, semi-implicit spectral Galerkin. Returns the wall time of the library's ensemble solve,
/// and, from a second instrumented run, the share of worker time spent inside the transforms.
enum HeatBenchmark {
    static let modes = 256, steps = 10_000, paths = 100, timeStep = 1e-4

    static func problem() throws -> StochasticHeatEquation {
        try StochasticHeatEquation(diffusivity: 1, decay: 1, noiseAmplitude: 1, reaction: { (u: Double) -> Double in sin(u) })
    }

    static func run() throws -> (seconds: Double, transformShare: Double, meanEnergy: Double) {
        let equation = try problem()
        var energy = 0.0
        let seconds = try best(2) {
            energy = try solve(equation, HeatEnsemble(scheme: .semiImplicitSpectral, modes: modes, timeStep: timeStep, steps: steps,
                               paths: paths, seed: 7)).energy.mean
        }
        // Instrumented run: per worker, its busy time and the time inside DCT calls.
        let totals = Mutex<(busy: Double, transforms: Double)>((0, 0))
        Parallel.forEachChunk(paths) { range in
            guard let stepper = try? HeatEquationStepper(equation, scheme: .semiImplicitSpectral, modes: modes, timeStep: timeStep) else { return }
            stepper.timingTransforms = true
            let start = DispatchTime.now().uptimeNanoseconds
            var increments = [Double](repeating: 0, count: modes)
            for path in range {
                stepper.reset()
                var stream = XoshiroRandomStream(seed: 7, index: UInt64(path))
                increments.withUnsafeMutableBufferPointer { dW in
                    for _ in 0..<steps {
                        stream.fillGaussian(dW, standardDeviation: timeStep.squareRoot())
                        stepper.step(increments: UnsafeBufferPointer(dW))
                    }
                }
            }
            let busy = Double(DispatchTime.now().uptimeNanoseconds - start) * 1e-9
            let transforms = stepper.transformSeconds
            totals.withLock { $0.busy += busy; $0.transforms += transforms }
        }
        let share = totals.withLock { $0.transforms / $0.busy }
        return (seconds, share, energy)
    }
}
