import ArgumentParser
import DeepestLearning
import Foundation

/// `deepest recipes`: every named recipe with its stages and their options (for a built-in data set's
/// defaults with `--dataset`), and every stage type with the options it takes. JSON: {recipes: [{name,
/// summary, smoothness, stages: [{type, options}]}], stageTypes: [{type, options}], aliases: {name:
/// recipe}}.
struct RecipesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "recipes", abstract: "List the training recipes, their stages and the stage types' options.")

    @Option(help: "Show the defaults of this built-in data set (default: the user-data defaults).") var dataset: String?
    @Option(help: "table or json") var format: OutputFormat = .table

    struct Listing: Encodable {
        struct Stage: Encodable { let type: String; let options: [String: String] }
        struct Recipe: Encodable { let name: String; let summary: String; let smoothness: Double; let stages: [Stage] }
        struct StageType: Encodable { let type: String; let options: [String] }
        let recipes: [Recipe]
        let stageTypes: [StageType]
        let aliases: [String: String]
    }

    func run() throws {
        var catalog: DatasetCatalog?
        if let dataset {
            guard let d = DatasetCatalog(rawValue: dataset) else {
                throw CommandFailure("invalid --dataset = \(dataset): must be one of \(DatasetCatalog.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            catalog = d
        }
        let horizon = try TrainingConfiguration.defaults(dataset: catalog, recipe: "adam").horizon
        let recipes = try TrainingRecipe.names.map { try TrainingRecipe.named($0, dataset: catalog, horizon: horizon) }
        let listing = Listing(
            recipes: recipes.map { r in
                .init(name: r.name, summary: r.summary, smoothness: r.smoothness,
                      stages: r.stages.map { .init(type: $0.type, options: $0.options.mapValues(\.text)) })
            },
            stageTypes: StageCatalog.types.map { .init(type: $0.key, options: $0.value) },
            aliases: Dictionary(uniqueKeysWithValues: TrainingRecipe.aliases.map { ($0, TrainingRecipe.resolve($0, dataset: catalog)) }))
        try Output.emit(listing, format: format) {
            var text = "recipes" + (dataset.map { " (defaults of \($0))" } ?? "") + "\n"
            text += Output.table(["recipe", "stages"], recipes.map { [$0.name, $0.stages.map(\.description).joined(separator: " -> ")] })
            text += "\n" + Output.table(["alias", "recipe"], listing.aliases.sorted { $0.key < $1.key }.map { [$0.key, $0.value] })
            text += "\n" + Output.table(["stage type", "options"], listing.stageTypes.map { [$0.type, $0.options.joined(separator: ", ")] })
            return text
        }
    }
}
