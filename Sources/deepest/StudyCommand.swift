import ArgumentParser

/// `deepest study`: studies of trained networks (Notes/forward-stability-and-robustness.md). Each
/// subcommand studies saved models (`--model DIR`) or trains a recipe beside SGD and Adam.
struct StudyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "study",
        abstract: "Studies of trained networks: forward stability, adversarial robustness, loss landscapes, depth.",
        subcommands: [StabilityStudyCommand.self, AdversarialStudyCommand.self, LandscapeStudyCommand.self, DepthStudyCommand.self,
                      AllStudiesCommand.self])
}
