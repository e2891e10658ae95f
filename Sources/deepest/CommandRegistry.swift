import ArgumentParser

/// Every subcommand of `deepest`, one per line (each issue adds its own).
enum CommandRegistry {
    static let all: [ParsableCommand.Type] = [
        DemoCommand.self,
        ConvergeCommand.self,
        TrainCommand.self,
        CompareCommand.self,
        RecipesCommand.self,
        BoundaryValueCommand.self,
        SDECommand.self,
        SPDECommand.self,
        EscapeCommand.self,
        AnnealCommand.self,
        SweepCommand.self,
        StudyCommand.self,
    ]
}
