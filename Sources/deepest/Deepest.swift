import ArgumentParser
import Foundation

@main
struct Deepest: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "deepest",
        abstract: "Continuous-depth networks trained as boundary value problems, with the solvers behind them.",
        subcommands: CommandRegistry.all)

    /// Runs a command; any failure (bad option, invalid input, failed solve) becomes ONE line on
    /// stderr and a non-zero exit status. Help and version requests print in full and exit 0.
    static func main() {
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch {
            let code = exitCode(for: error)
            let message = fullMessage(for: error)
            if code == .success {
                if !message.isEmpty { print(message) }
                Foundation.exit(0)
            }
            let firstLine = message.split(separator: "\n").first.map(String.init) ?? "\(error)"
            var line = firstLine.hasPrefix("Error: ") ? String(firstLine.dropFirst(7)) : firstLine
            if line.isEmpty { line = "\(error)" }
            FileHandle.standardError.write(Data("deepest: \(line)\n".utf8))
            Foundation.exit(code.rawValue == 0 ? 1 : code.rawValue)
        }
    }
}
