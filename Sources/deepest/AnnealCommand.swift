import ArgumentParser
import DeepestLearning
import Foundation

/// `deepest anneal`: `deepest train` with the `langevin` recipe (annealed Langevin dynamics of the
/// reduced action, then L-BFGS and the exactly constrained rung); the Langevin options (--temperature,
/// --schedule, --cooling, --langevin-steps, --time-step, --quench) set its first stage.
struct AnnealCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "anneal",
        abstract: "Train by annealed Langevin dynamics of the training action, then polish (the langevin recipe).")

    @OptionGroup var options: TrainOptions
    @Option(help: "table or json") var format: OutputFormat = .table
    @OptionGroup var resources: ResourceOptions

    func run() throws {
        guard options.recipe == nil, options.method == nil else {
            throw CommandFailure("invalid --recipe: anneal always runs the langevin recipe (use deepest train --recipe for others)")
        }
        var train = TrainCommand()
        train.options = options
        train.options.recipe = "langevin"
        train.format = format
        train.resources = resources
        try train.run()
    }
}
