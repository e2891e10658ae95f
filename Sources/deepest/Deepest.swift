import ArgumentParser

@main
struct Deepest: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "deepest",
        abstract: "Continuous-depth networks trained as boundary value problems, with the solvers behind them.",
        subcommands: CommandRegistry.all)
}
