import ArgumentParser
import DeepestLearning
import Foundation
import NumericCore

/// `deepest study stability`: the forward stability of trained networks along the training samples'
/// trajectories (`ForwardStability`). JSON: {dataset, results: [{method, recipe, kernel, network,
/// steps, horizon, width, stepSize, samples, shareOutsideStabilityRegion, largestScaledModulus,
/// largestScaledRealPart, maxCostateNormRatio, minCostateNormRatio, largestSingularValue,
/// smallestSingularValue, testAccuracy, trainStatus}]}. `--out DIR`: stability.json, stability.csv,
/// stability-eigenvalues.csv, stability-costates.csv, stability-singular-values.csv and the figures
/// stability-eigenvalues.png and costate-norms.png.
struct StabilityStudyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stability",
        abstract: "Layer-Jacobian spectra against the forward-Euler disk, input-output singular values and costate norms along depth.")

    @OptionGroup var options: TrainOptions
    @OptionGroup var models: StudyModelOptions
    @Option(help: "table or json") var format: OutputFormat = .table
    @OptionGroup var resources: ResourceOptions
    @Option(name: .customLong("figure-samples"), help: "Samples whose eigenvalues are kept for the figure and stability-eigenvalues.csv (default 64).")
    var figureSamples: Int = 64
    @Flag(inversion: .prefixedNo, help: "With --out: draw the figures (needs python3 with matplotlib).") var figures = true

    struct Result: Encodable {
        let method: String, recipe: String, kernel: String, network: String
        let steps: Int, horizon: Double, width: Int, stepSize: Double, samples: Int
        let shareOutsideStabilityRegion: Double, largestScaledModulus: Double, largestScaledRealPart: Double
        let maxCostateNormRatio: Double, minCostateNormRatio: Double
        let largestSingularValue: Double, smallestSingularValue: Double
        let testAccuracy: Double?
        let trainStatus: String?
    }

    struct Summary: Encodable {
        let dataset: String
        let results: [Result]
    }

    func run() throws {
        guard (0...100_000).contains(figureSamples) else {
            throw CommandFailure("invalid --figure-samples = \(figureSamples): must be in 0...100000")
        }
        let out = try options.out.map { try OutputFolder(path: $0, option: "--out") }
        let subjects = try StudySubjects(options: options, models: models, resources: resources)
        let train = subjects.split.train
        var results = [Result]()
        var studies = [(StudiedNetwork, ForwardStability)]()
        let progress = ProgressReporter("stability", total: subjects.networks.count)
        for (index, subject) in subjects.networks.enumerated() {
            let study: ForwardStability
            do {
                study = try ForwardStability(network: subject.network, data: train, recordedSamples: figureSamples)
            } catch let error as InvalidArgument {
                throw CommandFailure(numerical: "\(subject.label): \(error.description)")
            }
            studies.append((subject, study))
            let d = subject.network.width
            let largest = (0..<study.samples).map { study.singularValues[$0 * d] }.max() ?? 0
            let smallest = (0..<study.samples).map { study.singularValues[$0 * d + d - 1] }.min() ?? 0
            let accuracy = subject.report?.testAccuracy
                ?? (subjects.split.test.isClassification
                    ? Metrics.accuracy(outputs: subject.network.outputs(inputs: subjects.split.test.inputs), data: subjects.split.test) : nil)
            results.append(Result(
                method: subject.label, recipe: subject.recipe, kernel: subject.kernel, network: subject.network.isFlow ? "flow" : "resnet",
                steps: subject.network.steps, horizon: subject.network.horizon, width: d, stepSize: study.stepSize, samples: study.samples,
                shareOutsideStabilityRegion: study.shareOutsideStabilityRegion, largestScaledModulus: study.largestScaledModulus,
                largestScaledRealPart: study.largestScaledRealPart, maxCostateNormRatio: study.maxCostateNormRatio,
                minCostateNormRatio: study.minCostateNormRatio, largestSingularValue: largest, smallestSingularValue: smallest,
                testAccuracy: accuracy, trainStatus: subject.report?.status))
            progress.update(index + 1)
        }
        let summary = Summary(dataset: subjects.dataset, results: results)
        if let out {
            defer { out.discard() }
            try out.write([("stability.json", try Output.json(summary) + "\n"), ("stability.csv", Self.summaryCSV(results)),
                           ("stability-eigenvalues.csv", Self.eigenvaluesCSV(studies)),
                           ("stability-costates.csv", Self.costatesCSV(studies)),
                           ("stability-singular-values.csv", Self.singularValuesCSV(studies))])
            if figures, let reason = ComparisonReport.render(folder: try out.stage(), script: "study_figures.py", arguments: ["stability"]) {
                FileHandle.standardError.write(Data("deepest: figures not written: \(reason)\n".utf8))
            }
            try out.commit()
        }
        try Output.emit(summary, format: format) {
            "dataset \(subjects.dataset), \(train.count) training samples\n" + Output.table(
                ["method", "network", "h", "outside |1+h mu|<=1", "max |h mu|", "max p ratio", "min p ratio", "max sigma", "min sigma", "test acc"],
                results.map { r in
                    [r.method, "\(r.network) \(r.steps)", Output.sci(r.stepSize, 2), Output.fixed(r.shareOutsideStabilityRegion, 4),
                     Output.sci(r.largestScaledModulus, 2), Output.sci(r.maxCostateNormRatio, 2), Output.sci(r.minCostateNormRatio, 2),
                     Output.sci(r.largestSingularValue, 2), Output.sci(r.smallestSingularValue, 2),
                     r.testAccuracy.map { Output.fixed($0, 4) } ?? "-"]
                })
        }
        if let failure = subjects.failure { throw failure }
    }

    static func summaryCSV(_ results: [Result]) -> String {
        var csv = "method,recipe,kernel,network,steps,horizon,width,stepSize,samples,shareOutsideStabilityRegion,largestScaledModulus,"
            + "largestScaledRealPart,maxCostateNormRatio,minCostateNormRatio,largestSingularValue,smallestSingularValue,testAccuracy,trainStatus\n"
        for r in results {
            let fields: [String] = [r.method, r.recipe, r.kernel, r.network, "\(r.steps)", "\(r.horizon)", "\(r.width)", "\(r.stepSize)",
                                    "\(r.samples)", "\(r.shareOutsideStabilityRegion)", "\(r.largestScaledModulus)",
                                    "\(r.largestScaledRealPart)", "\(r.maxCostateNormRatio)", "\(r.minCostateNormRatio)",
                                    "\(r.largestSingularValue)", "\(r.smallestSingularValue)", r.testAccuracy.map { "\($0)" } ?? "",
                                    r.trainStatus ?? ""]
            csv += fields.joined(separator: ",") + "\n"
        }
        return csv
    }

    /// `method,point,depth,stepSize,real,imaginary`: the eigenvalues μ of the recorded samples.
    static func eigenvaluesCSV(_ studies: [(StudiedNetwork, ForwardStability)]) -> String {
        var csv = "method,point,depth,stepSize,real,imaginary\n"
        for (subject, study) in studies {
            for i in study.recordedReal.indices {
                let point = study.recordedPoint[i]
                csv += "\(subject.label),\(point),\(study.depth(node: point)),\(study.stepSize),\(study.recordedReal[i]),\(study.recordedImaginary[i])\n"
            }
        }
        return csv
    }

    /// `method,node,depth,median,minimum,maximum`: ‖p(t)‖/‖p(T)‖ over the samples.
    static func costatesCSV(_ studies: [(StudiedNetwork, ForwardStability)]) -> String {
        var csv = "method,node,depth,median,minimum,maximum\n"
        for (subject, study) in studies {
            for (n, s) in study.costateNormSummary().enumerated() {
                csv += "\(subject.label),\(n),\(study.depth(node: n)),\(s.median),\(s.minimum),\(s.maximum)\n"
            }
        }
        return csv
    }

    /// `method,sample,index,value`: the singular values of ∂x(T)/∂x(0), descending.
    static func singularValuesCSV(_ studies: [(StudiedNetwork, ForwardStability)]) -> String {
        var csv = "method,sample,index,value\n"
        for (subject, study) in studies {
            let d = study.singularValues.count / max(study.samples, 1)
            for k in 0..<study.samples { for i in 0..<d { csv += "\(subject.label),\(k),\(i),\(study.singularValues[k * d + i])\n" } }
        }
        return csv
    }
}
