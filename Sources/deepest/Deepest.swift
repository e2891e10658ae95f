import ArgumentParser
import NumericCore
import Foundation

@main
struct Deepest: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "deepest",
        abstract: "Continuous-depth networks trained as boundary value problems, with the solvers behind them.",
        subcommands: CommandRegistry.all)

    /// Runs a command; any failure (bad option, invalid input, failed solve) becomes ONE line on
    /// stderr and a non-zero exit status. Help and version requests print in full and exit 0.
    /// The exit status of a failure (`ExitStatus`): ArgumentParser's usage and validation errors and
    /// `CommandFailure`s of bad input are 2, numerical failures 3, anything else 1.
    static func status(of error: Error, code: Int32) -> Int32 {
        if let failure = error as? CommandFailure { return failure.status }
        if error is WriteFailure { return ExitStatus.otherFailure }
        if let error = error as? CheckpointError { return error.isRefusal ? ExitStatus.invalidInput : ExitStatus.otherFailure }
        // ArgumentParser: EX_USAGE (64) for a bad option or value.
        return code == 64 ? ExitStatus.invalidInput : ExitStatus.otherFailure
    }

    static func main() {
        Interruption.shared.install()
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
            Foundation.exit(status(of: error, code: code.rawValue))
        }
    }
}
