import Stochastic

/// `DiscreteLangevinFlow` from a fixed start as a `PathwiseSolver`, for convergence studies in τ through
/// `ConvergenceStudy` (Notes/convergence-studies.md): one Wiener process per unknown, a level with S
/// steps runs S semi-implicit steps of Δτ = horizon/S on the summed increments, and the result is the
/// unknowns (states and parameters) at τ = horizon. Cost per call: S steps of `DiscreteLangevinStepper`.
public struct DiscreteLangevinPathwiseSolver: PathwiseSolver {
    public let flow: DiscreteLangevinFlow
    public let start: [Double]
    public let horizon: Double

    /// Throws `InvalidArgument` for a horizon that is not positive or a start of the wrong length.
    public init(_ flow: DiscreteLangevinFlow, start: [Double], horizon: Double) throws {
        try Validate.positive(horizon, "horizon")
        try Validate.count(start.count, flow.action().unknownCount, "start")
        self.flow = flow
        self.start = start
        self.horizon = horizon
    }

    public var wienerDimension: Int { start.count }

    public func solve(on path: BrownianPath, resolution: StudyResolution) -> [Double]? {
        guard path.dimension == wienerDimension, let increments = try? path.increments(steps: resolution.steps),
              let stepper = try? DiscreteLangevinStepper(flow, unknowns: start, timeStep: horizon / Double(resolution.steps))
        else { return nil }
        let n = wienerDimension
        for s in 0..<resolution.steps {
            let ok = increments.withUnsafeBufferPointer { buffer -> Bool in stepper.step(increments: buffer.baseAddress! + s * n) }
            guard ok else { return nil }
        }
        return stepper.unknowns
    }
}
