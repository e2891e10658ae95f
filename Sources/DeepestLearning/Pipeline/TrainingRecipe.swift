import NumericCore

/// A named pipeline: its stages as specifications (with the values that reach the package's accuracy
/// targets on each built-in data set; Notes/deepest-learning-action.md §9) and the smoothness weight
/// α its stages need. `deepest recipes` lists them; `deepest train --recipe NAME` runs one.
///
/// Command-line options set the key of the same name in every stage that has it, except the keys a
/// recipe pins (`pinned`): those are part of the recipe's design (the continuum recipes' discrete
/// start keeps its own `anneal-steps` and `newton-iterations`); a YAML `stages:` list changes them.
public struct TrainingRecipe: Sendable, Hashable {
    public let name: String
    public let summary: String
    public var stages: [StageSpecification]
    /// Keys, per stage index, that command-line options do not override.
    public var pinned: [Int: Set<String>]
    /// α of the action when none is given (continuum stages need α > 0: θ' = π/α).
    public let smoothness: Double

    public init(name: String, summary: String, stages: [StageSpecification], pinned: [Int: Set<String>] = [:], smoothness: Double) {
        self.name = name
        self.summary = summary
        self.stages = stages
        self.pinned = pinned
        self.smoothness = smoothness
    }

    /// Every recipe name, in the order `deepest recipes` lists them.
    public static let names = ["symplectic-euler", "symplectic-euler-penalty", "collocation-reduced", "collocation-discrete", "collocation-continuation",
                               "multiple-shooting", "chebyshev", "langevin", "sgd", "adam"]
    /// The recipes whose trained network is a continuum flow.
    public static let continuumNames = ["collocation-reduced", "collocation-discrete", "collocation-continuation", "multiple-shooting", "chebyshev"]
    /// Names that stand for a recipe chosen by the data set.
    public static let aliases = ["collocation"]

    /// The recipe an alias stands for on `dataset` (nil: a user data set). `collocation` is the reduced
    /// start on spirals and digits, whose Euler networks are not close to their flows (§9d, §9e), and
    /// the discrete start elsewhere.
    public static func resolve(_ name: String, dataset: DatasetCatalog?) -> String {
        guard name == "collocation" else { return name }
        return dataset == .spirals || dataset == .digits ? "collocation-reduced" : "collocation-discrete"
    }

    /// The recipe `name` (or alias) with its defaults for `dataset` (nil: a user data set) and a network
    /// of the given horizon. Throws naming `option` for an unknown name.
    public static func named(_ name: String, dataset: DatasetCatalog?, horizon: Double, option: String = "recipe") throws -> TrainingRecipe {
        let resolved = resolve(name, dataset: dataset)
        func stage(_ type: String, _ options: KeyValuePairs<String, String> = [:]) -> StageSpecification {
            StageSpecification(type, recipe: resolved, options)
        }
        switch resolved {
        case "symplectic-euler":
            // L-BFGS on V = M·J crosses the nonconvex early phase at the cost of one full-batch gradient
            // per iteration; the exactly constrained rung (the r_f = ∞ symplectic-Euler BVP: states = forward
            // pass, costates = backprop) then converges from its point in a few Newton iterations, where
            // from the seeded weights it needed 104 (digits) to 347 (sine) iterations of O(M N d q W) each
            // (Notes/training-pipeline.md §6).
            return TrainingRecipe(
                name: resolved, summary: "L-BFGS on the reduced discrete action, then the exactly constrained rung of the discrete stationarity BVP (symplectic Euler)",
                stages: [stage(DiscreteLBFGSStage.typeName, ["iterations": "20000", "gradient-tolerance": "1e-8"]),
                         stage(ConstrainedStage.typeName, ["iterations": dataset == .digits ? "150" : "500"])],
                smoothness: 0)
        case "symplectic-euler-penalty":
            // The earlier default: the first rung at r_f0 = 1e6 from the forward pass of the seeded weights
            // (it stays within O(1/r_f) of the dynamics), then the exactly constrained rung (§9b). Its
            // trust-region Newton needs from the seeded weights 256–387 (spirals), 195–347 (sine) and 87–104
            // (digits) iterations to reach ‖∇V‖_∞ ≤ 1e-8 max(1, V); the budget is only a cap.
            return TrainingRecipe(
                name: resolved, summary: "one penalty rung of the discrete stationarity BVP (symplectic Euler), then the exactly constrained rung",
                stages: [stage(DiscreteAnnealingStage.typeName, ["rf": "1e6", "anneal-steps": "0", "newton-iterations": "1"]),
                         stage(ConstrainedStage.typeName, ["iterations": dataset == .digits ? "150" : "500"])],
                smoothness: 0)
        case "collocation-reduced":
            // The reduced start at the target weights, then one continuum rung at r_f = 1e6 (§9e). The
            // residual is the Euclidean norm over all 2Md sample components: 1e-2 on spirals (M = 513,
            // d = 4) is 1.6e-4 per component, 0.1 on digits (M = 1437, d = 12) 5.4e-4.
            let tolerance = dataset == .spirals ? "1e-2" : dataset == .digits ? "0.1" : "0"
            return TrainingRecipe(
                name: resolved, summary: "L-BFGS on the reduced continuum action, then one continuum collocation rung at r_f = 1e6",
                stages: [stage(ReducedActionStage.typeName, ["iterations": "5000"]),
                         stage(ContinuumAnnealingStage.typeName, ["rf": "1e6", "anneal-steps": "0", "algorithm": "collocation", "tol": tolerance])],
                smoothness: 1)
        case "collocation-discrete", "multiple-shooting", "chebyshev":
            // The discrete (symplectic-Euler) stationary point at r_f0 and the first Tikhonov decade, then
            // the decades in the continuum, then precision annealing (§9c).
            let algorithm = resolved == "collocation-discrete" ? "collocation" : resolved
            return TrainingRecipe(
                name: resolved, summary: "the discrete stationary point at the first Tikhonov decade, the Tikhonov continuation and precision annealing of the continuum BVP by \(algorithm)",
                stages: [stage(DiscreteAnnealingStage.typeName, ["rf": "1", "anneal-steps": "0", "newton-iterations": "200", "tikhonov-level": "1"]),
                         stage(TikhonovContinuationStage.typeName, ["rf": "1", "algorithm": algorithm]),
                         stage(ContinuumAnnealingStage.typeName, ["rf": "1", "anneal-steps": "10", "algorithm": algorithm])],
                pinned: [0: ["anneal-steps", "newton-iterations"]], smoothness: 1)
        case "collocation-continuation":
            // From the constant-weights flow: the Tikhonov decades at T/10, the continuation in T, then
            // precision annealing (§9a).
            let t0 = "\(horizon / 10)"
            return TrainingRecipe(
                name: resolved, summary: "from the constant-weights flow: Tikhonov decades at T/10, continuation in T, precision annealing by collocation",
                stages: [stage(TikhonovContinuationStage.typeName, ["rf": "1", "initial-horizon": t0, "algorithm": "collocation"]),
                         stage(HorizonContinuationStage.typeName, ["rf": "1", "horizon-steps": "4", "initial-horizon": t0, "algorithm": "collocation"]),
                         stage(ContinuumAnnealingStage.typeName, ["rf": "1", "anneal-steps": "10", "algorithm": "collocation"])],
                smoothness: 1)
        case "langevin":
            // Anneal, then polish (MATH.md §2.2, Notes/langevin-flow.md): annealed Langevin dynamics of the
            // reduced action leaves saddles; L-BFGS and the exactly constrained rung then converge from
            // its end point like the symplectic-euler recipe.
            return TrainingRecipe(
                name: resolved, summary: "annealed Langevin dynamics of the reduced action (an SPDE in depth), then L-BFGS and the exactly constrained rung",
                stages: [stage(LangevinStage.typeName, ["langevin-steps": "2000", "temperature": "1e-3", "schedule": "geometric"]),
                         stage(DiscreteLBFGSStage.typeName, ["iterations": "20000", "gradient-tolerance": "1e-8"]),
                         stage(ConstrainedStage.typeName, ["iterations": dataset == .digits ? "150" : "500"])],
                smoothness: 0)
        case "sgd", "adam":
            let sgd = resolved == "sgd"
            var options: [(String, String)]
            switch dataset {
            case .spirals: options = [("epochs", "400"), ("batch", "32"), ("lr", sgd ? "0.005" : "0.003")]
            case .circles: options = [("epochs", "100"), ("batch", "32"), ("lr", sgd ? "0.05" : "0.01")]
            case .sine: options = [("epochs", "500"), ("batch", "100"), ("lr", sgd ? "0.1" : "5e-3")]
            case .digits: options = [("epochs", "30"), ("batch", "64"), ("lr", sgd ? "0.05" : "0.01")]
            case nil: options = [("epochs", "200"), ("batch", "32"), ("lr", sgd ? "0.05" : "0.01")]
            }
            if sgd { options.append(("momentum", "0.9")) }
            let specification = StageSpecification(
                type: resolved, options: Dictionary(uniqueKeysWithValues: options.map { ($0.0, StageSpecification.Value($0.1, origin: "recipe \(resolved)")) }))
            return TrainingRecipe(name: resolved, summary: sgd ? "minibatch SGD with heavy-ball momentum on the ResNet" : "minibatch Adam on the ResNet",
                                  stages: [specification], smoothness: 0)
        default:
            throw InvalidArgument(option, name, "must be one of \((names + aliases).joined(separator: ", "))")
        }
    }

    /// Sets `key` to `value` (from `origin`, e.g. "--rf") in every stage that has the key and does not
    /// pin it; returns whether any stage took it.
    @discardableResult
    public mutating func override(_ key: String, _ value: String, origin: String) -> Bool {
        var taken = false
        for index in stages.indices {
            guard let keys = StageCatalog.keys(of: stages[index].type), keys.contains(key),
                  !(pinned[index]?.contains(key) ?? false) else { continue }
            stages[index].options[key] = StageSpecification.Value(value, origin: origin)
            taken = true
        }
        return taken
    }

    /// The stage values, each checked (errors name the stage as "stages[i]").
    public func pipeline() throws -> TrainingPipeline {
        TrainingPipeline(try stages.enumerated().map { try StageCatalog.stage($0.element, label: "stages[\($0.offset)]") })
    }
}
