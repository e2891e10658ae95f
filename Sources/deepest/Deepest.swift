import ArgumentParser
import Foundation
import NumericCore

struct Deepest: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "deepest",
        abstract: "Continuous-depth networks trained as boundary value problems, with the solvers behind them.",
        subcommands: CommandRegistry.all)

    /// The exit status of a failure (`ExitStatus`): ArgumentParser's usage and validation errors and
    /// `CommandFailure`s of bad input are 2, numerical failures 3, anything else 1.
    static func status(of error: Error, code: Int32) -> Int32 {
        if let failure = error as? CommandFailure { return failure.status }
        if error is WriteFailure { return ExitStatus.otherFailure }
        if let error = error as? CheckpointError { return error.isRefusal ? ExitStatus.invalidInput : ExitStatus.otherFailure }
        // ArgumentParser: EX_USAGE (64) for a bad option or value.
        return code == 64 ? ExitStatus.invalidInput : ExitStatus.otherFailure
    }

    /// The commands that split their paths over the ranks of an MPI job (every ensemble they run goes
    /// through `Distribution`); `deepest-mpi` refuses the others on more than one rank.
    static let distributed: [ParsableCommand.Type] = [SDECommand.self, SPDECommand.self, ConvergeCommand.self, EscapeCommand.self,
                                                      SweepCommand.self]
}

/// The entry points of the two tools: `deepest` (one process) and `deepest-mpi` (the ranks of an MPI
/// job, README "MPI", Notes/mpi-shards.md). Any failure (bad option, invalid input, failed solve)
/// becomes ONE line on stderr (rank 0's only) and a non-zero exit status; help and version requests
/// print in full and exit 0.
public enum DeepestCommandLine {
    /// `deepest`: runs the command given by the process arguments and exits.
    public static func main() -> Never {
        run(tool: "deepest", finalize: {})
    }

    /// `deepest-mpi`: installs `group` (`Distribution.install`), checks that every rank got the same
    /// arguments, runs the command with rank 0 alone printing and writing files, and calls `finalize`
    /// on every rank before it exits. A rank that fails tells the others at their next collective
    /// (`Distribution.fail`), so no rank waits forever for a stopped one.
    public static func main(group: any ProcessGroup, finalize: () -> Void) -> Never {
        Distribution.install(group)
        if !Distribution.isRoot {
            // Only rank 0 prints: the others' stdout goes nowhere (their errors reach rank 0 as messages).
            let null = open("/dev/null", O_WRONLY)
            if null >= 0 { dup2(null, STDOUT_FILENO); close(null) }
        }
        run(tool: "deepest-mpi", finalize: finalize)
    }

    private static func run(tool: String, finalize: () -> Void) -> Never {
        Interruption.shared.install(tool: tool)
        let arguments = Array(CommandLine.arguments.dropFirst())
        var status: Int32 = 0
        var line: String?
        do {
            try checkAgreement(arguments)
            var command = try Deepest.parseAsRoot(arguments)
            let chosen = type(of: command)
            // Help (`deepest-mpi help`, no command) prints on rank 0 alone; every other command must split.
            let printsHelp = chosen == Deepest.self || String(describing: chosen).hasSuffix("HelpCommand")
            if Distribution.size > 1, !printsHelp, !Deepest.distributed.contains(where: { $0 == chosen }) {
                let name = arguments.first.map { "\($0) does" } ?? "this command does"
                let splitting = Deepest.distributed.map { $0.configuration.commandName ?? "" }.joined(separator: ", ")
                throw CommandFailure("\(name) not split over MPI ranks (\(splitting) do): run it with deepest, or with mpirun -n 1")
            }
            try command.run()
            try Distribution.finish()
        } catch let failure as PeerFailure {
            status = failure.status == 0 ? ExitStatus.otherFailure : failure.status
            line = failure.description
        } catch {
            let code = Deepest.exitCode(for: error)
            let message = Deepest.fullMessage(for: error)
            if code == .success {
                if !message.isEmpty { print(message) }
                do { try Distribution.finish() } catch { line = "\(error)"; status = ExitStatus.otherFailure }
            } else {
                let firstLine = message.split(separator: "\n").first.map(String.init) ?? "\(error)"
                var text = firstLine.hasPrefix("Error: ") ? String(firstLine.dropFirst(7)) : firstLine
                if text.isEmpty { text = "\(error)" }
                status = Deepest.status(of: error, code: code.rawValue)
                line = text
                Distribution.fail(message: text, status: status)
            }
        }
        if let line, Distribution.isRoot { FileHandle.standardError.write(Data("\(tool): \(line)\n".utf8)) }
        fflush(nil)
        Interruption.shared.finished(status: status)
        finalize()
        Foundation.exit(status)
    }

    /// With more than one rank: every rank's arguments against rank 0's; the first that differs ends
    /// the run on every rank with one line naming the rank, the argument and both values.
    private static func checkAgreement(_ arguments: [String]) throws {
        guard Distribution.size > 1 else { return }
        let all = try Distribution.exchange(Array(try JSONEncoder().encode(arguments)))
        func decode(_ bytes: [UInt8]) -> [String] { (try? JSONDecoder().decode([String].self, from: Data(bytes))) ?? [] }
        let reference = decode(all[0])
        for (rank, bytes) in all.enumerated().dropFirst() where bytes != all[0] {
            let theirs = decode(bytes)
            let k = (0..<min(reference.count, theirs.count)).first { reference[$0] != theirs[$0] } ?? min(reference.count, theirs.count)
            let mine = k < reference.count ? "'\(reference[k])'" : "nothing", other = k < theirs.count ? "'\(theirs[k])'" : "nothing"
            throw CommandFailure("the ranks disagree on the arguments: rank \(rank) has \(other) where rank 0 has \(mine) "
                                 + "(argument \(k + 1)); every rank must run the same command")
        }
    }
}
