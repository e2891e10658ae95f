import Foundation
import NumericCore
import Stochastic
import Testing
@testable import DeepestLearning

/// The closed-form saddle of the training action (MATH.md §6.2): its Morse index and negative eigenvalue
/// against the 2 × 2 formula, a drift that vanishes exactly (the noiseless flow stays), and the escape of
/// the Langevin flow against the linear-saddle law with the computed eigenvalue.
@Suite struct NetworkSaddleTests {
    /// MATH.md's example (82 symmetric points on [−1, 1], y = x², 8 layers, T = 1, λ = 0.01, μ = 0.001):
    /// index 1 and λ_min = M·(−0.206…) in the flow's metric, exactly the 2 × 2 block's; per sample the
    /// −0.2088 MATH.md quotes from a finite-difference Hessian with its own point set, within 2%.
    @Test func morseIndexAndEigenvalueMatchTheClosedForm() throws {
        let saddle = try NetworkSaddle()
        let morse = try #require(try saddle.morseIndex())
        let block = saddle.closedFormBlock
        #expect(morse.index == 1)
        #expect(abs(morse.smallestEigenvalue - block.smallestEigenvalue) < 1e-9 * abs(block.smallestEigenvalue),
                "numerical \(morse.smallestEigenvalue), closed form \(block.smallestEigenvalue)")
        let perSample = block.smallestEigenvalue / Double(saddle.data.count)
        #expect(abs(perSample + 0.2088) < 0.02 * 0.2088, "per sample \(perSample)")
        // The eigenvector lies in the (readout weight, bias) plane: the frozen bias has no component.
        #expect(morse.eigenvector[saddle.network.readoutOffset + 1] == 0)
        // Every first variation vanishes exactly: the deterministic flow does not move.
        let flow = try LangevinFlow(network: saddle.network, data: saddle.data, regularization: try saddle.actionRegularization,
                                    schedule: try TemperatureSchedule(.constant, initial: 0), frozenReadout: NetworkSaddle.frozenBias)
        #expect(try flow.actionAndDrift(saddle.point).drift.allSatisfy { $0 == 0 })
    }

    /// A λ large enough to make the block definite leaves no saddle: index 0.
    @Test func largeTikhonovWeightRemovesTheSaddle() throws {
        let saddle = try NetworkSaddle(tikhonov: 1)
        #expect(saddle.closedFormBlock.smallestEigenvalue > 0)
        #expect(try #require(try saddle.morseIndex()).index == 0)
    }

    /// Escape of the Langevin flow from the saddle (200 paths per temperature, Temp = 1e-4 … 1e-7,
    /// radius 0.1 in the flow's coordinates): the mean escape time follows (1/(2λ₋))[ln(λ₋L²/Temp) +
    /// γ_E + ln 2] (3 standard errors plus 5%: the stable directions and the tanh nonlinearity perturb
    /// the linear law), and its slope against ln(1/Temp) is 1/(2λ₋) within 10%.
    @Test func langevinEscapeFollowsTheLinearSaddleLaw() throws {
        let saddle = try NetworkSaddle(layers: 4)
        let result = try saddle.escape(temperatures: [1e-4, 1e-5, 1e-6, 1e-7], radius: 0.1, paths: 200, seed: 3)
        for row in result.rows {
            #expect(row.escapeProbability == 1)
            #expect(abs(row.meanEscapeTime - row.theoryMeanEscapeTime) < 3 * row.stderr + 0.05 * row.theoryMeanEscapeTime,
                    "Temp \(row.temperature): \(row.meanEscapeTime) ± \(row.stderr), theory \(row.theoryMeanEscapeTime)")
        }
        #expect(abs(result.fittedSlope / result.theorySlope - 1) < 0.1,
                "slope \(result.fittedSlope) \(result.slopeCI95), theory \(result.theorySlope)")
    }

    /// Started at the saddle (zero weights, the readout bias frozen through
    /// `TrainingContext.frozenParameters`), the deterministic methods stay there exactly, because every
    /// first variation vanishes, and return a point of Morse index 1: the symplectic-euler recipe
    /// (full-batch L-BFGS, then the constrained rung), the penalty recipe (a Newton rung of the discrete
    /// action at r_f = 1e6, then the constrained rung) and the noiseless gradient flow (a langevin stage
    /// at Temp = 0, of V and of the discrete action A_h at r_f = 1). The stochastic ones leave: the langevin
    /// recipe by its noise, with either action (and its polish ends at index 0), SGD and Adam by their minibatches, whose sums over half the samples break the symmetry
    /// that makes the full-batch gradient vanish (MATH.md §6.2–6.3).
    @Test func deterministicMethodsStayAtTheSaddleAndStochasticOnesLeave() throws {
        let saddle = try NetworkSaddle(layers: 4)
        let network = saddle.network
        var context = try TrainingContext(network: network, data: saddle.data,
                                          regularization: try Regularization(tikhonov: saddle.tikhonov, readoutTikhonov: saddle.readoutTikhonov),
                                          seed: 1, smoothnessScale: Double(saddle.data.count))
        context.frozenParameters = Set(NetworkSaddle.frozenBias.map { network.readoutOffset + $0 })
        let noiselessFlow: [any TrainingStage] = [try LangevinStage(steps: 500, timeStep: 1e-3, temperature: 0, schedule: .constant, quench: 0)]
        // The discrete action's flow at r_f = 1 (states as unknowns): noiseless, and in the langevin recipe.
        let noiselessDiscreteFlow: [any TrainingStage] = [try LangevinStage(steps: 500, timeStep: 1e-3, modelPrecision: 1, temperature: 0,
                                                                            schedule: .constant, quench: 0)]
        var discreteLangevin = try TrainingRecipe.named("langevin", dataset: nil, horizon: 1).pipeline().stages
        let recipeStage = try #require(discreteLangevin[0] as? LangevinStage)
        discreteLangevin[0] = try LangevinStage(steps: recipeStage.steps, timeStep: recipeStage.timeStep, modelPrecision: 1,
                                                temperature: recipeStage.temperature, schedule: recipeStage.schedule,
                                                cooling: recipeStage.cooling, quench: recipeStage.quench, seedIndex: recipeStage.seedIndex)
        let methods: [(String, [any TrainingStage], Bool)] = [
            ("symplectic-euler", try TrainingRecipe.named("symplectic-euler", dataset: nil, horizon: 1).pipeline().stages, true),
            ("symplectic-euler-penalty", try TrainingRecipe.named("symplectic-euler-penalty", dataset: nil, horizon: 1).pipeline().stages, true),
            ("gradient flow", noiselessFlow, true),
            ("gradient flow of A_h", noiselessDiscreteFlow, true),
            ("langevin", try TrainingRecipe.named("langevin", dataset: nil, horizon: 1).pipeline().stages, false),
            ("langevin of A_h", discreteLangevin, false),
            ("sgd", try TrainingRecipe.named("sgd", dataset: nil, horizon: 1).pipeline().stages, false),
            ("adam", try TrainingRecipe.named("adam", dataset: nil, horizon: 1).pipeline().stages, false),
        ]
        for (name, stages, stays) in methods {
            var iterate = TrainingIterate(initialParameters: saddle.point)
            for stage in stages { _ = try stage.run(&iterate, in: context, progress: nil) }
            #expect(iterate.parameters[network.readoutOffset + 1] == 0, "\(name) moved the frozen bias")
            let morse = try #require(try MorseIndex.discrete(network: network, data: saddle.data, parameters: iterate.parameters,
                                                             regularization: try context.actionRegularization(),
                                                             frozen: context.frozenParameters))
            if stays {
                #expect(iterate.parameters.allSatisfy { $0 == 0 }, "\(name) left the saddle")
                #expect(morse.index == 1, "\(name): index \(morse.index)")
            } else {
                #expect(iterate.parameters.contains { $0 != 0 }, "\(name) stayed at the saddle")
            }
            if name.hasPrefix("langevin") { #expect(morse.index == 0, "langevin then polish ends at index \(morse.index)") }
        }
    }
}

extension NetworkSaddleTests {
    /// The continuum recipes (reduced action then collocation; the discrete start, Tikhonov continuation
    /// and precision annealing with collocation, multiple shooting or Chebyshev; the horizon
    /// continuation), started at the closed-form saddle with the readout bias frozen (a unit row in the
    /// continuum BVP, a zero gradient in the reduced action): each stays at the saddle, since every first
    /// variation vanishes there, and its report says "saddle" with Morse index 1 from the continuum flow's
    /// Hessian (over the free parameters); for multiple shooting, whose flow is above the dense limit and
    /// whose report has Lanczos's lower bound, the index is checked on the 16N-interval flow.
    @Test(arguments: ["collocation-reduced", "collocation-discrete", "collocation-continuation", "multiple-shooting", "chebyshev"])
    func continuumRecipesStayAtTheSaddle(_ recipe: String) throws {
        let saddle = try NetworkSaddle(inputs: (1...9).map { Double($0) / 9 }, layers: 4)
        let network = saddle.network
        let named = try TrainingRecipe.named(recipe, dataset: nil, horizon: network.horizon), pipeline = try named.pipeline()
        // The continuum forms need α > 0 (π = αθ'); θ ≡ 0 keeps every first variation zero for any α.
        var context = try pipeline.context(network: network, data: saddle.data,
                                           regularization: try Regularization(tikhonov: saddle.tikhonov, smoothness: named.smoothness,
                                                                              readoutTikhonov: saddle.readoutTikhonov),
                                           seed: 1)
        context.frozenParameters = Set(NetworkSaddle.frozenBias.map { network.readoutOffset + $0 })
        let outcome = try pipeline.run(in: context, from: saddle.point, split: .init(train: saddle.data, test: saddle.data))
        #expect(outcome.parameters.allSatisfy { abs($0) < 1e-12 }, "\(recipe) left the saddle: \(outcome.parameters.map { abs($0) }.max()!)")
        let flow = try #require(outcome.report.flow)
        #expect(flow.parameters.allSatisfy { abs($0) < 1e-12 })
        // Only multiple shooting's flow is above the dense limit here.
        #expect((outcome.report.morseIndexIsLowerBound == true) == (recipe == "multiple-shooting"))
        if outcome.report.morseIndexIsLowerBound == true {
            // Multiple shooting's flow (its dense output on a fine mesh) is above the dense limit, where
            // Lanczos does not resolve the O(h) negative eigenvalue: the zero point is the same saddle on
            // the collocation recipes' 16N-interval flow, where the index is exact.
            let coarse = try ContinuumNetwork(field: flow.network.field, horizon: flow.network.horizon, intervals: 16 * network.layers,
                                              lift: flow.network.lift, readout: flow.network.readout)
            let weights = try context.actionRegularization()
            let action = try ReducedContinuumAction(network: coarse, data: saddle.data, tikhonov: weights.tikhonov,
                                                    smoothness: weights.smoothness, readoutTikhonov: weights.readoutTikhonov)
            let morse = try #require(MorseIndex.continuum(action: action, parameters: [Double](repeating: 0, count: coarse.parameterCount),
                                                          frozen: Set(NetworkSaddle.frozenBias.map { coarse.readoutOffset + $0 })))
            #expect(morse.index == 1, "\(recipe): index \(morse.index) on the 16N flow")
        } else {
            #expect(outcome.report.morseIndex == 1, "\(recipe): index \(String(describing: outcome.report.morseIndex))")
            #expect(outcome.report.status == "saddle", "\(recipe): status \(outcome.report.status)")
        }
    }
}

extension NetworkSaddleTests {
    /// A frozen layer weight has no counterpart in a weight field θ(t), and a projected readout no
    /// readout unknowns: continuum stages refuse both, naming the argument.
    @Test func continuumStagesRefuseWhatTheyCannotFreeze() throws {
        let saddle = try NetworkSaddle(inputs: [0.5, 1], layers: 2)
        let network = saddle.network
        let regularization = try Regularization(tikhonov: saddle.tikhonov, smoothness: 1e-2, readoutTikhonov: saddle.readoutTikhonov)
        for (readout, frozen, argument) in [(ReadoutTreatment.trained, Set([0]), "frozenParameters"),
                                            (.projected, Set([network.readoutOffset + 1]), "readout")] {
            let stage = try ContinuumAnnealingStage(steps: 0, solver: try ContinuumRungSolver(readout: readout))
            let pipeline = TrainingPipeline([stage])
            var context = try pipeline.context(network: network, data: saddle.data, regularization: regularization, seed: 1)
            context.frozenParameters = frozen
            #expect(throws: InvalidArgument.self) {
                do { _ = try pipeline.run(in: context, from: saddle.point, split: .init(train: saddle.data, test: saddle.data)) } catch let error as InvalidArgument {
                    #expect(error.argument == argument, "\(error)")
                    throw error
                }
            }
        }
    }
}

extension NetworkSaddleTests {
    /// The report's eigenvector at the saddle (symplectic-euler recipe started there) is a unit vector,
    /// zero at the frozen bias, with Hv = λ_min v for the Hessian of V (central differences of its
    /// gradient along v): the escape direction.
    @Test func reportedEigenvectorIsTheEscapeDirection() throws {
        let saddle = try NetworkSaddle(layers: 4)
        let network = saddle.network
        let pipeline = try TrainingRecipe.named("symplectic-euler", dataset: nil, horizon: 1).pipeline()
        var context = try pipeline.context(network: network, data: saddle.data,
                                           regularization: try Regularization(tikhonov: saddle.tikhonov, readoutTikhonov: saddle.readoutTikhonov),
                                           seed: 1)
        context.frozenParameters = Set(NetworkSaddle.frozenBias.map { network.readoutOffset + $0 })
        let report = try pipeline.run(in: context, from: saddle.point, split: .init(train: saddle.data, test: saddle.data)).report
        let eigenvector = try #require(report.smallestHessianEigenvector), lambda = try #require(report.smallestHessianEigenvalue)
        let v = eigenvector.values
        #expect(eigenvector.depths.count == network.layers && v.count == network.parameterCount)
        #expect(abs(v.reduce(0) { $0 + $1 * $1 } - 1) < 1e-12)
        for i in context.frozenParameters { #expect(v[i] == 0) }
        let flow = try LangevinFlow(network: network, data: saddle.data, regularization: try saddle.actionRegularization,
                                    schedule: try TemperatureSchedule(.constant, initial: 0), frozenReadout: NetworkSaddle.frozenBias)
        func gradient(_ u: [Double]) throws -> [Double] {
            try flow.actionAndDrift(u).drift.enumerated().map { i, drift in i < network.readoutOffset ? -drift * network.stepSize : -drift }
        }
        let epsilon = 1e-5
        let plus = try gradient(zip(saddle.point, v).map { $0 + epsilon * $1 }), minus = try gradient(zip(saddle.point, v).map { $0 - epsilon * $1 })
        let product = zip(plus, minus).map { ($0 - $1) / (2 * epsilon) }
        #expect(relativeError(product, v.map { lambda * $0 }) < 1e-5, "Hv against λv, λ = \(lambda)")
        #expect(lambda < 0 && report.status == "saddle")
    }
}
