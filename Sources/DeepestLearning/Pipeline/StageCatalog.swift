import NumericCore

/// The stage types a specification may name, with their option keys: turns a `StageSpecification`
/// into a `TrainingStage` value, rejecting an unknown type or key in one line that names the stage, the
/// key and the allowed ones.
public enum StageCatalog {
    /// Type name → option keys, in the order `deepest recipes` lists them.
    public static let types: KeyValuePairs<String, [String]> = [
        DiscreteAnnealingStage.typeName: DiscreteAnnealingStage.keys,
        ConstrainedStage.typeName: ConstrainedStage.keys,
        DiscreteLBFGSStage.typeName: DiscreteLBFGSStage.keys,
        ReducedActionStage.typeName: ReducedActionStage.keys,
        TikhonovContinuationStage.typeName: TikhonovContinuationStage.keys,
        HorizonContinuationStage.typeName: HorizonContinuationStage.keys,
        ContinuumAnnealingStage.typeName: ContinuumAnnealingStage.keys,
        LangevinStage.typeName: LangevinStage.keys,
        MinibatchStage.Optimizer.sgd.rawValue: MinibatchStage.keys,
        MinibatchStage.Optimizer.adam.rawValue: MinibatchStage.keys.filter { $0 != "momentum" },
    ]

    /// The option keys of a stage type (nil for an unknown type).
    public static func keys(of type: String) -> [String]? {
        types.first { $0.key == type }?.value
    }

    /// The stage a specification describes; `label` names it in errors (for example "stages[2]").
    public static func stage(_ specification: StageSpecification, label: String) throws -> any TrainingStage {
        guard let keys = keys(of: specification.type) else {
            throw InvalidArgument("\(label).type", specification.type,
                                  "must be one of \(types.map(\.key).joined(separator: ", "))")
        }
        for key in specification.options.keys.sorted() where !keys.contains(key) {
            throw InvalidArgument("\(label) (\(specification.type)) key '\(key)'", specification.options[key]!.text,
                                  "is not an option of \(specification.type); allowed: \(keys.joined(separator: ", "))")
        }
        let options = StageOptionReader(specification)
        switch specification.type {
        case DiscreteAnnealingStage.typeName: return try DiscreteAnnealingStage(options)
        case ConstrainedStage.typeName: return try ConstrainedStage(options)
        case DiscreteLBFGSStage.typeName: return try DiscreteLBFGSStage(options)
        case ReducedActionStage.typeName: return try ReducedActionStage(options)
        case TikhonovContinuationStage.typeName: return try TikhonovContinuationStage(options)
        case HorizonContinuationStage.typeName: return try HorizonContinuationStage(options)
        case ContinuumAnnealingStage.typeName: return try ContinuumAnnealingStage(options)
        case LangevinStage.typeName: return try LangevinStage(options)
        case MinibatchStage.Optimizer.sgd.rawValue: return try MinibatchStage(.sgd, options)
        default: return try MinibatchStage(.adam, options)
        }
    }
}
