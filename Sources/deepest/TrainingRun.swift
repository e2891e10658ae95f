import DeepestLearning
import Foundation
import NumericCore

/// What `train` and `compare` share: one experiment run with progress on stderr (stage, rung or
/// epoch), bad input turned into a one-line failure, and the result files of a report (CSV that
/// pandas reads).
enum TrainingRun {
    static func run(_ configuration: TrainingConfiguration, split: DatasetCatalog.Split, label: String = "") throws -> TrainingOutcome {
        let prefix = label.isEmpty ? "" : "\(label) "
        let stages = configuration.recipe.stages
        var reporters = [Int: ProgressReporter]()
        do {
            return try TrainingExperiment.run(configuration, split: split) { index, type, event in
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

    /// Loss per epoch (minibatch stages): `epoch,loss`.
    static func lossCSV(_ report: TrainingReport) -> String {
        var csv = "epoch,loss\n"
        for (i, loss) in report.lossPerEpoch.enumerated() { csv += "\(i + 1),\(loss)\n" }
        return csv
    }

    /// One row per rung: β, r_f, the action and its four parts, and the solver's record.
    static func rungsCSV(_ report: TrainingReport) -> String {
        var csv = "beta,rf,action,dataMisfit,modelError,smoothness,tikhonov,gradientNorm,iterations,evaluations,status\n"
        for r in report.rungs {
            csv += "\(r.beta),\(r.modelPrecision),\(r.action),\(r.parts.dataMisfit),\(r.parts.modelError),"
            csv += "\(r.parts.smoothness),\(r.parts.tikhonov),\(r.gradientNorm),\(r.iterations),\(r.evaluations),\(r.status)\n"
        }
        return csv
    }

    /// One row per stage and rung (a minibatch stage is one row with its epochs): the stage's index and
    /// type, its time, total evaluations and status, then the rung's β, r_f, horizon (empty: the
    /// network's), action split, iterations, evaluations and status.
    static func stagesCSV(_ report: TrainingReport) -> String {
        var csv = "stage,type,stageSeconds,stageEvaluations,stageStatus,epochs,beta,rf,horizon,action,dataMisfit,modelError,"
        csv += "smoothness,tikhonov,gradientNorm,iterations,evaluations,status\n"
        for (index, stage) in report.stages.enumerated() {
            let head = "\(index),\(stage.type),\(stage.seconds),\(stage.evaluations),\(stage.status),\(stage.lossPerEpoch.count)"
            if stage.rungs.isEmpty { csv += head + ",,,,,,,,,,,,\n" }
            for r in stage.rungs {
                csv += head + ",\(r.beta),\(r.modelPrecision),\(r.horizon.map { "\($0)" } ?? ""),\(r.action),\(r.parts.dataMisfit),"
                csv += "\(r.parts.modelError),\(r.parts.smoothness),\(r.parts.tikhonov),\(r.gradientNorm),\(r.iterations),\(r.evaluations),\(r.status)\n"
            }
        }
        return csv
    }
}
