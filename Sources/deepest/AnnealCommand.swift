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
    @OptionGroup var checkpointing: CheckpointOptions

    func run() throws {
        for (value, option) in [(options.recipe, "--recipe"), (options.method, "--method")] where value != nil {
            throw CommandFailure("invalid \(option) = \(value!): anneal always runs the langevin recipe (deepest train \(option) runs the others)")
        }
        var train = TrainCommand()
        train.options = options
        train.options.recipe = "langevin"
        train.format = format
        train.resources = resources
        train.checkpointing = checkpointing
        try train.run()
    }
}
