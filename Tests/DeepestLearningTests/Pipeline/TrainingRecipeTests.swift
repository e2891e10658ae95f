import BoundaryValue
import Foundation
import Testing
@testable import DeepestLearning
import NumericCore

/// Each named recipe is the composition of the library's algorithms it names, bit for bit: the
/// pipeline adds no arithmetic of its own. Each test runs the recipe through `TrainingExperiment` and
/// the same algorithms called directly (the way the trainers called them before the pipeline), and
/// compares the trained parameters or the rung actions exactly.
@Suite struct TrainingRecipeTests {
    /// A small sine problem (30 samples, 5 layers).
    static func sine(_ recipe: String) throws -> (TrainingConfiguration, DatasetCatalog.Split) {
        var c = try TrainingConfiguration.defaults(dataset: .sine, recipe: recipe)
        c.samples = 30; c.layers = 5
        return (c, try TrainingExperiment.trainingSplit(c, of: try catalogSplit(.sine)))
    }

    /// symplectic-euler: L-BFGS on J from the seeded weights (at most 20000 iterations, gradient
    /// tolerance 1e-8, gradients by the batched kernels), then the exactly constrained rung on the action M·J (weights M·(λ, α, μ)) from
    /// its point; the train loss is J there.
    @Test func symplecticEulerIsLimitedMemoryBFGSThenTheConstrainedRung() throws {
        let (c, split) = try Self.sine("symplectic-euler")
        let outcome = try TrainingExperiment.run(c, split: split)
        let network = try c.network(for: split.train), m = Double(split.train.count)
        let loss = try ResidualNetworkLoss(network: network, data: split.train, regularization: try Regularization(
            tikhonov: c.tikhonov, smoothness: c.smoothness, readoutTikhonov: c.readoutTikhonov))
        // The stage evaluates its full-batch gradients through the batched kernels.
        let batched = try ResidualNetworkLoss(network: network, data: split.train, regularization: loss.regularization)
        batched.minimumBatchedWidth = 1
        let lbfgs = try LimitedMemoryBFGS(memory: 10, gradientTolerance: 1e-8, maximumIterations: 20000)
            .minimize(start: network.initialParameters(seed: c.seed), evaluate: { u, g in batched.evaluate(parameters: u, gradient: &g) })
        let action = try TrainingAction(network: network, data: split.train, modelPrecision: 1e6, inputWeight: .infinity, outputWeight: 1,
                                        regularization: try Regularization(tikhonov: c.tikhonov * m, smoothness: c.smoothness * m,
                                                                           readoutTikhonov: c.readoutTikhonov * m))
        let constrained = try ActionNewtonSolver(action: action).solveProjected(
            parameters: lbfgs.point, options: ActionNewtonOptions(gradientTolerance: 1e-8, maximumIterations: 500))
        let parameters = action.parameters(of: constrained.unknowns)
        #expect(outcome.parameters == parameters)
        #expect(outcome.report.rungs.map(\.action) == [m * lbfgs.value, constrained.action])
        #expect(outcome.report.status == "constrained-converged", "\(outcome.report.rungs.map(\.status))")
        #expect(outcome.report.trainLoss == loss.value(parameters: parameters))
        // The same stationary point class as V's: |∇J| at the tolerance the constrained rung certifies.
        var gradient = [Double]()
        loss.evaluate(parameters: parameters, gradient: &gradient)
        #expect(gradient.map(abs).max()! * m <= 1e-8 * max(1, constrained.action))
    }

    /// trainMisfit is the mean least-squares loss ½|o − y|² of the trained network's outputs, without
    /// the regularisation that trainLoss carries: for the ResNet of symplectic-euler, and for the flow
    /// ẋ = F(x, θ(t)) that a continuum recipe trains (computed here from the outputs, not the loss sweep);
    /// trainSamples is the M it averages over.
    @Test func trainMisfitIsTheMeanLossOfTheOutputs() throws {
        func meanSquares(_ outputs: [Double], _ data: Dataset) throws -> Double {
            guard case .values(let y, let dimension) = data.targets else { throw InvalidArgument("targets", 0, "regression") }
            #expect(dimension == 1 && outputs.count == y.count)
            return zip(outputs, y).reduce(0) { $0 + 0.5 * ($1.0 - $1.1) * ($1.0 - $1.1) } / Double(y.count)
        }
        let (c, split) = try Self.sine("symplectic-euler")
        let outcome = try TrainingExperiment.run(c, split: split)
        let network = try c.network(for: split.train)
        let resnet = try meanSquares(network.outputs(parameters: outcome.parameters, inputs: split.train.inputs), split.train)
        #expect(abs(outcome.report.trainMisfit - resnet) <= 1e-12 * max(resnet, 1e-300))
        #expect(outcome.report.trainMisfit < outcome.report.trainLoss)  // λ, μ > 0
        #expect(outcome.report.trainSamples == split.train.count)
        let (tiny, tinySplit) = try StructuredCollocationTests.tinySineProblem()
        let continuum = try tiny.run(try StructuredCollocationTests.tinySineStages(try ContinuumRungSolver(denseLimit: 0)), split: tinySplit).report
        let flow = try #require(continuum.flow)
        let misfit = try meanSquares(flow.outputs(inputs: tinySplit.train.inputs), tinySplit.train)
        #expect(abs(continuum.trainMisfit - misfit) <= 1e-12 * max(misfit, 1e-300))
        #expect(continuum.trainMisfit < continuum.trainLoss)  // α, λ, μ > 0
    }

    /// symplectic-euler-penalty (the earlier default): one penalty rung at r_f = 1e6 (one Newton
    /// iteration) from the forward pass of the seeded weights, then the exactly constrained rung, on the
    /// action M·J (weights M·(λ, α, μ)).
    @Test func symplecticEulerPenaltyIsThePenaltyRungThenTheConstrainedRung() throws {
        let (c, split) = try Self.sine("symplectic-euler-penalty")
        let outcome = try TrainingExperiment.run(c, split: split)
        let network = try c.network(for: split.train), m = Double(split.train.count)
        let direct = try PrecisionAnnealing.run(
            network: network, data: split.train, initialParameters: network.initialParameters(seed: c.seed), initialPrecision: 1e6,
            factor: 2, steps: 0, regularization: try Regularization(tikhonov: c.tikhonov * m, smoothness: c.smoothness * m,
                                                                   readoutTikhonov: c.readoutTikhonov * m),
            options: ActionNewtonOptions(gradientTolerance: 1e-8, maximumIterations: 1), constrainedIterations: 500)
        #expect(outcome.parameters == direct.parameters)
        #expect(outcome.report.rungs.map(\.action) == direct.rungs.map(\.action))
        #expect(outcome.report.status == direct.rungs.last?.status && outcome.report.status.hasPrefix("constrained-"))
        let loss = try ResidualNetworkLoss(network: network, data: split.train, regularization: try Regularization(
            tikhonov: c.tikhonov, smoothness: c.smoothness, readoutTikhonov: c.readoutTikhonov))
        #expect(outcome.report.trainLoss == loss.value(parameters: direct.parameters))
    }

    /// sgd and adam: the minibatch trainer from the seeded weights with the recipe's epochs, batch and
    /// learning rate, batches shuffled by the seed.
    @Test(arguments: ["sgd", "adam"])
    func minibatchRecipesAreTheTrainer(recipe: String) throws {
        let (c, split) = try Self.sine(recipe)
        let outcome = try TrainingExperiment.run(c, split: split)
        let network = try c.network(for: split.train)
        let loss = try ResidualNetworkLoss(network: network, data: split.train, regularization: try Regularization(
            tikhonov: c.tikhonov, smoothness: c.smoothness, readoutTikhonov: c.readoutTikhonov))
        let options = try MinibatchOptions(epochs: 500, batchSize: 100, seed: c.seed)
        let direct = recipe == "sgd"
            ? try MinibatchTrainer.train(loss: loss, initialParameters: network.initialParameters(seed: c.seed),
                                         optimizer: MomentumGradientDescent(learningRate: 0.1, momentum: 0.9), options: options)
            : try MinibatchTrainer.train(loss: loss, initialParameters: network.initialParameters(seed: c.seed),
                                         optimizer: Adam(learningRate: 5e-3), options: options)
        #expect(outcome.parameters == direct.parameters && outcome.report.lossPerEpoch == direct.lossPerEpoch)
        #expect(outcome.report.trainLoss == loss.value(parameters: direct.parameters))
    }

    /// The tiny continuum problem: 3 sine samples, width 2, 8 layers, T = 0.5, α = 10, λ = μ = 1.
    static func tiny(_ recipe: String) throws -> (TrainingConfiguration, DatasetCatalog.Split) {
        var c = try TrainingConfiguration.defaults(dataset: .sine, recipe: recipe)
        c.samples = 3; c.width = 2; c.layers = 8; c.horizon = 0.5; c.smoothness = 10; c.tikhonov = 1; c.readoutTikhonov = 1
        return (c, try TrainingExperiment.trainingSplit(c, of: try catalogSplit(.sine)))
    }

    /// The continuum rungs at `precisions` solved in turn by `algorithm` from `guess`, each from the
    /// previous solution; their actions.
    static func rungActions(_ c: TrainingConfiguration, network: ResidualNetwork, data: Dataset, guess first: InitialGuess,
                            precisions: [Double], algorithm: some BoundaryValueAlgorithm) throws -> [Double] {
        let m = Double(data.count), context = try TrainingContext(
            network: network, data: data, regularization: try Regularization(tikhonov: c.tikhonov, smoothness: c.smoothness,
                                                                              readoutTikhonov: c.readoutTikhonov),
            seed: c.seed, smoothnessScale: 1)
        var guess = first, actions = [Double]()
        for rf in precisions {
            let problem = try ContinuousTrainingProblem(
                field: network.field, horizon: network.horizon, inputs: context.liftedInputs, readout: network.readout,
                targets: context.targets, readoutParameters: .trained(tikhonov: c.readoutTikhonov * m), modelPrecision: rf,
                smoothness: c.smoothness, tikhonov: c.tikhonov * m, inputWeight: .infinity, outputWeight: 1)
            let built = try problem.hamiltonianForm()
            let solution = try solve(try built.boundaryValueProblem(), algorithm, initialGuess: guess)
            actions.append(BoundaryValueTraining.continuumAction(problem, layout: built.layout, form: .hamiltonian, solution: solution).total)
            guess = .solution(solution)
        }
        return actions
    }

    /// collocation-discrete, multiple-shooting, chebyshev: the discrete stationary point at r_f0 = 1 and
    /// the first Tikhonov decade (here M·λ = 3 ≥ 1: the target weights, no decade), its continuum guess
    /// (states, backprop costates, staggered weights), then the eleven annealing rungs r_f = 2^β.
    @Test(arguments: ["collocation-discrete", "multiple-shooting", "chebyshev"])
    func discreteStartRecipesAreTheDiscretePointThenAnnealing(recipe: String) throws {
        let (c, split) = try Self.tiny(recipe)
        let outcome = try TrainingExperiment.run(c, split: split)
        let network = try c.network(for: split.train), m = Double(split.train.count)
        let discrete = try PrecisionAnnealing.run(
            network: network, data: split.train, initialParameters: network.initialParameters(seed: c.seed), initialPrecision: 1,
            factor: 2, steps: 0, regularization: try Regularization(tikhonov: max(c.tikhonov * m, 1), smoothness: c.smoothness,
                                                                   readoutTikhonov: max(c.readoutTikhonov * m, 1)),
            options: ActionNewtonOptions(gradientTolerance: 1e-8, maximumIterations: 200))
        let layout = TrainingStateLayout(samples: split.train.count, width: 2, weights: network.layerParameterCount,
                                         readoutParameters: network.readoutParameterCount, hasWeightBlocks: true)
        let guess = BoundaryValueTraining.discreteGuess(network: network, data: split.train, unknowns: discrete.unknowns, layout: layout,
                                                        form: .hamiltonian, precision: 1, smoothness: c.smoothness)
        let precisions = (0...10).map { pow(2, Double($0)) }
        let actions: [Double]
        switch recipe {
        case "multiple-shooting":
            actions = try Self.rungActions(c, network: network, data: split.train, guess: guess, precisions: precisions,
                                           algorithm: MultipleShooting(integrator: .rungeKutta4(steps: 400), segments: 16, tolerance: 1e-9, maxIterations: 30))
        case "chebyshev":
            let n = layout.dimension
            actions = try Self.rungActions(c, network: network, data: split.train, guess: guess, precisions: precisions,
                                           algorithm: ChebyshevCollocation(tolerance: 1e-8, maxDegree: max(16, min(128, 3000 / n - 1)), maxIterations: 30))
        default:
            actions = try Self.rungActions(c, network: network, data: split.train, guess: guess, precisions: precisions,
                                           algorithm: Collocation(scheme: .lobatto3, tolerance: 1e-6, maxNodes: 2000, maxNewtonIterations: 30))
        }
        #expect(outcome.report.stages.map(\.type) == ["discrete-annealing", "tikhonov-continuation", "continuum-annealing"])
        #expect(outcome.report.rungs.first?.action == discrete.rungs.first?.action)
        #expect(outcome.report.stages[2].rungs.map(\.action) == actions, "\(recipe)")
        #expect(outcome.report.status == "success", "\(outcome.report.rungs.map(\.status))")
    }

    /// collocation-reduced: L-BFGS on the reduced action from the seeded weights scaled by 0.2 on
    /// K = 2N intervals, its continuum guess, then one collocation rung at r_f = 1e6.
    @Test func collocationReducedIsTheReducedPointThenOneRung() throws {
        let (c, split) = try Self.tiny("collocation-reduced")
        let outcome = try TrainingExperiment.run(c, split: split)
        let network = try c.network(for: split.train), m = Double(split.train.count)
        let flow = try ContinuumNetwork(field: network.field, horizon: network.horizon, intervals: 16, lift: network.lift,
                                        readout: network.readout)
        let action = try ReducedContinuumAction(network: flow, data: split.train, tikhonov: c.tikhonov * m, smoothness: c.smoothness,
                                                readoutTikhonov: c.readoutTikhonov * m)
        let reduced = try BoundaryValueTraining.reducedStart(
            action: action, initialParameters: flow.parameters(fromLayers: network.initialParameters(seed: c.seed, weightScale: 0.2), of: network),
            iterations: 5000, precision: .infinity)
        let layout = TrainingStateLayout(samples: split.train.count, width: 2, weights: network.layerParameterCount,
                                         readoutParameters: network.readoutParameterCount, hasWeightBlocks: true)
        let guess = BoundaryValueTraining.reducedGuess(action: action, parameters: reduced.parameters, layout: layout, form: .hamiltonian,
                                                       precision: 1e6, smoothness: c.smoothness)
        let actions = try Self.rungActions(c, network: network, data: split.train, guess: guess, precisions: [1e6],
                                           algorithm: Collocation(scheme: .lobatto3, tolerance: 1e-6, maxNodes: 2000, maxNewtonIterations: 30))
        #expect(outcome.report.rungs.map(\.action) == [reduced.rung.action] + actions)
        #expect(outcome.report.status == "success")
    }
}
