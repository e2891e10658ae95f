import NumericCore
import Stochastic

/// One Langevin path of the stage: the reduced action's flow on the SPDE engine, or the discrete
/// action's flow with its states (`LangevinStage.modelPrecision`).
protocol LangevinPath: AnyObject {
    var time: Double { get }
    /// The network parameters of the current state.
    var parameters: [Double] { get }
    /// One step, noisy or not, its Wiener increments drawn from `stream` (the reduced flow's few) or from
    /// the path's own seeded block streams (the discrete flow's states); false when the state would not
    /// be finite (the last one is kept).
    func step(noisy: Bool, stream: inout XoshiroRandomStream) -> Bool
    /// The action at the current state, max |P∇A| and the action's split.
    func actionAndDriftNorm() throws -> (action: Double, gradientNorm: Double, parts: ActionParts)
    /// Hands the end state to the pipeline.
    func finish(_ iterate: inout TrainingIterate)
    /// The whole state for a checkpoint, and its restoration with the number of steps taken.
    var savedUnknowns: [Double] { get }
    func restore(unknowns: [Double], stepCount: Int) throws
    /// The action and the whole drift at the current state (a checkpoint's fingerprint of the start).
    func signature() throws -> [Double]
}

/// The reduced action V's flow (r_f = ∞): weights and readout on the engine (`LangevinFlow`).
final class ReducedLangevinPath: LangevinPath {
    let flow: LangevinFlow
    let stepper: SPDEStepper
    var increments: [Double]
    let root: Double

    init(stage: LangevinStage, context: TrainingContext, parameters: [Double], timeStep dt: Double) throws {
        flow = try LangevinFlow(network: context.network, data: context.data, regularization: try context.actionRegularization(),
                                schedule: try stage.temperatureSchedule(timeStep: dt),
                                frozenReadout: try context.frozenReadout(stage: "langevin (without rf)"))
        stepper = try SPDEStepper(try flow.equation(start: parameters), modes: [context.network.layers],
                                  scheme: .semiImplicit, timeStep: dt)
        increments = [Double](repeating: 0, count: stepper.noiseCount)
        root = dt.squareRoot()
    }

    var time: Double { stepper.time }
    var parameters: [Double] { flow.parameters(of: stepper) }
    func step(noisy: Bool, stream: inout XoshiroRandomStream) -> Bool {
        let (stepper, root) = (self.stepper, self.root)
        return increments.withUnsafeMutableBufferPointer { buffer -> Bool in
            if noisy { stream.fillGaussian(buffer, standardDeviation: root) }
            return stepper.step(increments: noisy ? UnsafePointer(buffer.baseAddress!) : nil)
        }
    }

    func actionAndDriftNorm() throws -> (action: Double, gradientNorm: Double, parts: ActionParts) {
        let (action, drift) = try flow.actionAndDrift(parameters)
        return (action, drift.reduce(0) { max($0, abs($1)) }, ActionParts(dataMisfit: .nan, modelError: 0, smoothness: .nan, tikhonov: .nan))
    }

    func finish(_ iterate: inout TrainingIterate) {
        iterate.parameters = parameters
        iterate.discrete = nil
        iterate.source = .minibatch
    }

    var savedUnknowns: [Double] { stepper.savedUnknowns }
    func restore(unknowns: [Double], stepCount: Int) throws { try stepper.restore(unknowns: unknowns, stepCount: stepCount) }
    func signature() throws -> [Double] {
        let (action, drift) = try flow.actionAndDrift(parameters)
        return [action] + drift
    }
}

/// The discrete action A_h's flow at r_f (`DiscreteLangevinFlow`): states and parameters. It starts
/// from the states of a discrete stage before it on the same grid, else from the forward pass. Its M N d
/// state increments per step are drawn in parallel from per-block streams of `noiseSeed`, a function of
/// the run's seed and the stage's `seed-index` (`DiscreteLangevinStepper.step(noiseSeed:)`).
final class DiscreteLangevinPath: LangevinPath {
    let flow: DiscreteLangevinFlow
    let stepper: DiscreteLangevinStepper
    let noiseSeed: UInt64

    init(stage: LangevinStage, context: TrainingContext, iterate: TrainingIterate, modelPrecision rf: Double, timeStep dt: Double) throws {
        flow = try DiscreteLangevinFlow(network: context.network, data: context.data, modelPrecision: rf,
                                        regularization: try context.actionRegularization(),
                                        schedule: try stage.temperatureSchedule(timeStep: dt), frozenParameters: context.frozenParameters)
        let action = flow.action()
        var start = action.unknowns(parameters: iterate.parameters)
        if iterate.source == .discrete, let discrete = iterate.discrete, discrete.unknowns.count == start.count,
           discrete.network.layers == context.network.layers {
            start = discrete.unknowns
        }
        stepper = try DiscreteLangevinStepper(flow, unknowns: start, timeStep: dt)
        // A seed of its own for the block streams (the golden-ratio multiple keeps seed-indices apart).
        noiseSeed = context.seed ^ (stage.seedIndex &+ 1) &* 0x9E37_79B9_7F4A_7C15
    }

    var time: Double { stepper.time }
    var parameters: [Double] { stepper.parameters }
    func step(noisy: Bool, stream: inout XoshiroRandomStream) -> Bool {
        noisy ? stepper.step(noiseSeed: noiseSeed) : stepper.step(increments: nil)
    }

    func actionAndDriftNorm() throws -> (action: Double, gradientNorm: Double, parts: ActionParts) {
        let (action, parts, drift) = stepper.currentActionAndDrift()
        return (action, drift.reduce(0) { max($0, abs($1)) }, parts)
    }

    func finish(_ iterate: inout TrainingIterate) {
        iterate.parameters = stepper.parameters
        iterate.discrete = .init(network: flow.network, unknowns: stepper.unknowns, parameters: stepper.parameters,
                                 precision: flow.modelPrecision)
        iterate.source = .discrete
    }

    var savedUnknowns: [Double] { stepper.unknowns }
    func restore(unknowns: [Double], stepCount: Int) throws { try stepper.restore(unknowns: unknowns, stepCount: stepCount) }
    func signature() throws -> [Double] {
        let (action, _, drift) = stepper.currentActionAndDrift()
        return [action] + drift
    }
}
