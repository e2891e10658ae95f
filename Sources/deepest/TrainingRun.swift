import DeepestLearning
import Foundation
import NumericCore

/// What `train` and `compare` share: one experiment run with progress on stderr (epochs, rungs), bad
/// input turned into a one-line failure, and the result files of a report (CSV that pandas reads).
enum TrainingRun {
    static func run(_ configuration: TrainingConfiguration, split: DatasetCatalog.Split, label: String = "")
        throws -> (report: TrainingReport, parameters: [Double])
    {
        let prefix = label.isEmpty ? "" : "\(label) "
        let progress = ProgressReporter("\(prefix)epoch", total: configuration.epochs)
        let rungProgress = ProgressReporter("\(prefix)annealing rung", total: configuration.annealSteps + 1)
        do {
            return try TrainingExperiment.run(configuration, split: split, progress: { epoch, loss in
                progress.update(epoch, detail: "loss \(Output.sci(loss))")
            }, rungProgress: { beta, rung in
                rungProgress.update(beta + 1, detail: "r_f \(Output.sci(rung.modelPrecision)) action \(Output.sci(rung.action))")
            })
        } catch let error as MethodUnavailable {
            throw CommandFailure(error.description)
        } catch let error as InvalidArgument {
            throw CommandFailure(error.description)
        }
    }

    /// Loss per epoch (SGD/Adam): `epoch,loss`.
    static func lossCSV(_ report: TrainingReport) -> String {
        var csv = "epoch,loss\n"
        for (i, loss) in report.lossPerEpoch.enumerated() { csv += "\(i + 1),\(loss)\n" }
        return csv
    }

    /// One row per annealing rung: β, r_f, the action and its four parts, and the solver's record.
    static func rungsCSV(_ report: TrainingReport) -> String {
        var csv = "beta,rf,action,dataMisfit,modelError,smoothness,tikhonov,gradientNorm,iterations,evaluations,status\n"
        for r in report.rungs {
            csv += "\(r.beta),\(r.modelPrecision),\(r.action),\(r.parts.dataMisfit),\(r.parts.modelError),"
            csv += "\(r.parts.smoothness),\(r.parts.tikhonov),\(r.gradientNorm),\(r.iterations),\(r.evaluations),\(r.status)\n"
        }
        return csv
    }
}
