import ArgumentParser
import NumericCore

struct CoreDemoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "core-demo", abstract: "placeholder")
    func run() throws {
        let stream = RandomStream(seed: 1)
        print(stream.gaussian())
    }
}
