import DeepestLearning
import Foundation
import NumericCore

/// What `train` and `compare` share: one experiment run with progress on stderr (stage, rung or
/// epoch), bad input turned into a one-line failure, and the result files of a report (CSV that
/// pandas reads).
enum TrainingRun {
    static func run(_ configuration: TrainingConfiguration, split: DatasetCatalog.Split, label: String = "",
                    checkpoint: CheckpointPolicy? = nil) throws -> TrainingOutcome {
        let prefix = label.isEmpty ? "" : "\(label) "
        let stages = configuration.recipe.stages
        var reporters = [Int: ProgressReporter]()
        do {
            return try TrainingExperiment.run(configuration, split: split, checkpoint: checkpoint) { index, type, event in
                let name = "\(prefix)stage \(index + 1)/\(stages.count) \(type)"
                switch event {
                case .epoch(let epoch, let loss):
                    // Minibatch stages report epochs, the lbfgs stage every 100th iteration.
                    let options = stages[index].options
                    let total = Int((options["epochs"] ?? options["iterations"])?.text ?? "") ?? epoch
                    let reporter = reporters[index] ?? ProgressReporter("\(name) \(options["epochs"] == nil ? "iteration" : "epoch")",
                                                                        total: max(total, epoch))
                    reporters[index] = reporter
                    reporter.update(epoch, detail: "loss \(Output.sci(loss))")
                case .rung(let rung):
                    let reporter = reporters[index] ?? ProgressReporter("\(name) rung", total: 0)
                    reporters[index] = reporter
                    reporter.note("beta \(rung.beta) r_f \(Output.sci(rung.modelPrecision)) action \(Output.sci(rung.action)) \(rung.status)")
                }
            }
        } catch let error as MethodUnavailable {
            throw CommandFailure(error.description)
        } catch let error as InvalidArgument {
            throw TrainSettings.failure(error)
        }
    }

    /// The statuses of a successful run (also after a stage prefix: constrained-converged); any other
    /// (nonFinite, noConvergence, iterationLimit, lbfgs-lineSearchFailed,
    /// constrained-iterationLimit, diverged) is a numerical failure: exit status 3 after the results are written.
    static let successStatuses: Set<String> = ["success", "converged"]

    static func failed(_ report: TrainingReport) -> Bool { !succeeded(report.status) }

    /// "success", "converged", or a stage's prefix and one of them ("constrained-converged").
    static func succeeded(_ status: String) -> Bool {
        successStatuses.contains(String(status.split(separator: "-").last ?? ""))
    }

    /// The one-line failure of runs that ended without success (their results are already written).
    static func failure(_ reports: [TrainingReport]) -> CommandFailure? {
        let failed = reports.filter(failed)
        guard !failed.isEmpty else { return nil }
        let list = failed.map { "\($0.method): \($0.status) (train loss \(Output.sci($0.trainLoss)))" }.joined(separator: "; ")
        return CommandFailure(numerical: "training did not succeed: \(list); results written with the status")
    }

    /// The weight norms |θ_n(τ)| of the stages that record them (Langevin): stage, tau, t, weightNorm;
    /// nil when no stage does.
    static func annealingCSV(_ report: TrainingReport) -> String? {
        let recorded = report.stages.enumerated().compactMap { index, stage in stage.depthSnapshots.map { (index, $0) } }
        guard !recorded.isEmpty else { return nil }
        var lines = ["stage,tau,t,weightNorm"]
        for (index, snapshots) in recorded {
            for (i, tau) in snapshots.times.enumerated() {
                for (n, t) in snapshots.depth.enumerated() { lines.append("\(index),\(tau),\(t),\(snapshots.norms[i][n])") }
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Loss per epoch (minibatch stages): `epoch,loss`.
    static func lossCSV(_ report: TrainingReport) -> String {
        var csv = "epoch,loss\n"
        for (i, loss) in report.lossPerEpoch.enumerated() { csv += "\(i + 1),\(loss)\n" }
        return csv
    }

    /// One row per rung: β, r_f, the action and its four parts, and the solver's record.
    static func rungsCSV(_ report: TrainingReport) -> String {
        "beta,rf,action," + rungColumns + "\n"
            + report.rungs.map { "\($0.beta),\($0.modelPrecision),\($0.action)," + rungFields($0) + "\n" }.joined()
    }

    /// The columns a rung shares in rungs.csv and stages.csv after β, r_f (and the horizon) and the action.
    static let rungColumns = "dataMisfit,modelError,smoothness,tikhonov,gradientNorm,iterations,evaluations,status"

    static func rungFields(_ r: AnnealingRung) -> String {
        "\(r.parts.dataMisfit),\(r.parts.modelError),\(r.parts.smoothness),\(r.parts.tikhonov),\(r.gradientNorm),"
            + "\(r.iterations),\(r.evaluations),\(r.status)"
    }

    /// One row per stage and rung (a minibatch stage is one row with its epochs): the stage's index and
    /// type, its time, total evaluations and status, then the rung's β, r_f, horizon (empty: the
    /// network's), action split, iterations, evaluations and status.
    static func stagesCSV(_ report: TrainingReport) -> String {
        var csv = "stage,type,stageSeconds,stageEvaluations,stageStatus,epochs,beta,rf,horizon,action," + rungColumns + "\n"
        for (index, stage) in report.stages.enumerated() {
            let head = "\(index),\(stage.type),\(stage.seconds),\(stage.evaluations),\(stage.status),\(stage.lossPerEpoch.count)"
            if stage.rungs.isEmpty { csv += head + ",,,,,,,,,,,,\n" }
            for r in stage.rungs {
                csv += head + ",\(r.beta),\(r.modelPrecision),\(r.horizon.map { "\($0)" } ?? ""),\(r.action)," + rungFields(r) + "\n"
            }
        }
        return csv
    }
}
