import ArgumentParser
import DeepestLearning
import Foundation
import NumericCore

/// `deepest study adversarial`: FGSM and PGD accuracy curves (ℓ∞ and ℓ2), minimal adversarial
/// perturbations and local Lipschitz estimates on the test set (`AdversarialRobustness`). JSON: {dataset,
/// testSamples, inputScale, results: [{method, recipe, kernel, network, cleanAccuracy, epsilons,
/// fgsmAccuracy, pgdAccuracy, epsilonsL2, fgsmAccuracyL2, pgdAccuracyL2, medianMinimalPerturbation,
/// medianLipschitz, maxLipschitz, trainStatus}]} (ε lists absolute; the minimal perturbation in ℓ∞,
/// "inf" when PGD does not break half the points within --max-radius). `--out DIR`: adversarial.json,
/// adversarial.csv, adversarial-curves.csv, adversarial-points.csv, adversarial-accuracy.png, and for
/// 8x8 digits adversarial-digits.csv and adversarial-digits.png.
struct AdversarialStudyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "adversarial",
        abstract: "FGSM/PGD accuracy curves, minimal adversarial perturbations and local Lipschitz estimates.")

    @OptionGroup var options: TrainOptions
    @OptionGroup var models: StudyModelOptions
    @Option(help: "table or json") var format: OutputFormat = .table
    @OptionGroup var resources: ResourceOptions
    @Option(help: "l-inf radii, comma-separated (default: 0,0.02,0.05,0.1,0.2,0.5 times the input scale, the RMS of the inputs' standard deviations).")
    var epsilons: String?
    @Option(name: .customLong("epsilons-l2"), help: "l2 radii, comma-separated (default: the l-inf defaults times sqrt(input dimension)).")
    var epsilonsL2: String?
    @Option(help: "PGD steps (step 2.5 eps/steps).") var steps: Int = 20
    @Option(name: .customLong("bisection-steps"), help: "Bisection steps of the minimal l-inf perturbation.") var bisectionSteps: Int = 10
    @Option(name: .customLong("max-radius"), help: "Largest l-inf radius the minimal perturbation is searched in (default: 2 times the input scale).")
    var maxRadius: Double?
    @Flag(inversion: .prefixedNo, help: "With --out: draw the figures (needs python3 with matplotlib).") var figures = true

    struct Result: Encodable {
        let method: String, recipe: String, kernel: String, network: String
        let cleanAccuracy: Double
        let epsilons: [Double], fgsmAccuracy: [Double], pgdAccuracy: [Double]
        let epsilonsL2: [Double], fgsmAccuracyL2: [Double], pgdAccuracyL2: [Double]
        let medianMinimalPerturbation: Double, medianLipschitz: Double, maxLipschitz: Double
        let trainStatus: String?
    }

    struct Summary: Encodable {
        let dataset: String
        let testSamples: Int
        let inputScale: Double
        let results: [Result]
    }

    static func radii(_ text: String, option: String) throws -> [Double] {
        let entries = text.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        guard entries.count <= 100 else { throw CommandFailure("invalid \(option) = \(text): at most 100 radii") }
        return try entries.map { entry in
            guard let value = Double(entry), value.isFinite, value >= 0 else {
                throw CommandFailure("invalid \(option) = \(text): '\(entry)' is not a finite number >= 0")
            }
            return value
        }
    }

    func run() throws {
        guard (1...10_000).contains(steps) else { throw CommandFailure("invalid --steps = \(steps): must be in 1...10000") }
        guard (0...60).contains(bisectionSteps) else { throw CommandFailure("invalid --bisection-steps = \(bisectionSteps): must be in 0...60") }
        if let maxRadius, !(maxRadius.isFinite && maxRadius > 0) {
            throw CommandFailure("invalid --max-radius = \(maxRadius): must be finite and > 0")
        }
        var linf = try epsilons.map { try Self.radii($0, option: "--epsilons") }
        var l2 = try epsilonsL2.map { try Self.radii($0, option: "--epsilons-l2") }
        let out = try options.out.map { try OutputFolder(path: $0, option: "--out") }
        let subjects = try StudySubjects(options: options, models: models, resources: resources, bothKernels: false)
        let test = subjects.split.test, train = subjects.split.train
        guard test.isClassification else {
            throw CommandFailure("invalid --dataset = \(subjects.dataset): adversarial accuracy needs class labels (spirals, circles, digits or classification --data)")
        }
        // The input scale: the root mean square of the per-coordinate standard deviations of the training inputs.
        let m = train.inputDimension
        var variance = 0.0
        for j in 0..<m {
            let column = (0..<train.count).map { train.inputs[$0 * m + j] }
            let mean = column.reduce(0, +) / Double(column.count)
            variance += column.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(column.count)
        }
        let scale = max((variance / Double(m)).squareRoot(), 1e-12)
        let fractions = [0, 0.02, 0.05, 0.1, 0.2, 0.5]
        if linf == nil { linf = fractions.map { $0 * scale } }
        if l2 == nil { l2 = fractions.map { $0 * scale * Double(m).squareRoot() } }
        var results = [Result]()
        var studies = [(StudiedNetwork, AdversarialRobustness)]()
        for subject in subjects.networks {
            let reporter = ProgressReporter("adversarial \(subject.label) attack", total: 2 * (linf!.count + l2!.count) + bisectionSteps + 1)
            let study: AdversarialRobustness
            do {
                study = try AdversarialRobustness(network: subject.network, data: test, radii: [(.infinity, linf!), (.two, l2!)], steps: steps,
                                                  maximumRadius: maxRadius ?? 2 * scale, bisectionSteps: bisectionSteps) { done, _ in
                    reporter.update(done)
                }
            } catch let error as InvalidArgument {
                throw CommandFailure("invalid --model or data for \(subject.label): \(error.description)")
            }
            studies.append((subject, study))
            let curve = study.curves[0], curveL2 = study.curves[1]
            results.append(Result(
                method: subject.label, recipe: subject.recipe, kernel: subject.kernel, network: subject.network.isFlow ? "flow" : "resnet",
                cleanAccuracy: study.cleanAccuracy, epsilons: curve.epsilons, fgsmAccuracy: curve.fgsmAccuracy, pgdAccuracy: curve.pgdAccuracy,
                epsilonsL2: curveL2.epsilons, fgsmAccuracyL2: curveL2.fgsmAccuracy, pgdAccuracyL2: curveL2.pgdAccuracy,
                medianMinimalPerturbation: study.medianMinimalPerturbation, medianLipschitz: study.medianLipschitz,
                maxLipschitz: study.maxLipschitz, trainStatus: subject.report?.status))
        }
        let summary = Summary(dataset: subjects.dataset, testSamples: test.count, inputScale: scale, results: results)
        if let out {
            defer { out.discard() }
            var files = [("adversarial.json", try Output.json(summary) + "\n"), ("adversarial.csv", Self.summaryCSV(results)),
                         ("adversarial-curves.csv", Self.curvesCSV(studies)), ("adversarial-points.csv", Self.pointsCSV(studies, test: test))]
            if m == 64, let first = studies.first { files.append(("adversarial-digits.csv", Self.digitsCSV(first, test: test))) }
            try out.write(files)
            if figures, let reason = ComparisonReport.render(folder: try out.stage(), script: "study_figures.py", arguments: ["adversarial"]) {
                FileHandle.standardError.write(Data("deepest: figures not written: \(reason)\n".utf8))
            }
            try out.commit()
        }
        try Output.emit(summary, format: format) {
            func list(_ values: [Double], _ digits: Int = 3) -> String { values.map { Output.fixed($0, digits) }.joined(separator: " ") }
            var text = "dataset \(subjects.dataset), \(test.count) test samples, input scale \(Output.sci(scale, 3))\n"
            text += "l-inf radii: \(list(linf!, 4)); l2 radii: \(list(l2!, 4))\n"
            text += Output.table(
                ["method", "clean", "FGSM l-inf", "PGD l-inf", "FGSM l2", "PGD l2", "median min l-inf", "median Lip", "max Lip"],
                results.map { r in
                    [r.method, Output.fixed(r.cleanAccuracy, 3), list(r.fgsmAccuracy, 2), list(r.pgdAccuracy, 2), list(r.fgsmAccuracyL2, 2),
                     list(r.pgdAccuracyL2, 2), Output.sci(r.medianMinimalPerturbation, 2), Output.sci(r.medianLipschitz, 2),
                     Output.sci(r.maxLipschitz, 2)]
                })
            return text
        }
        if let failure = subjects.failure { throw failure }
    }

    static func summaryCSV(_ results: [Result]) -> String {
        var csv = "method,recipe,kernel,network,cleanAccuracy,medianMinimalPerturbation,medianLipschitz,maxLipschitz,trainStatus\n"
        for r in results {
            csv += "\(r.method),\(r.recipe),\(r.kernel),\(r.network),\(r.cleanAccuracy),\(r.medianMinimalPerturbation),"
                + "\(r.medianLipschitz),\(r.maxLipschitz),\(r.trainStatus ?? "")\n"
        }
        return csv
    }

    /// `method,norm,epsilon,fgsmAccuracy,pgdAccuracy`.
    static func curvesCSV(_ studies: [(StudiedNetwork, AdversarialRobustness)]) -> String {
        var csv = "method,norm,epsilon,fgsmAccuracy,pgdAccuracy\n"
        for (subject, study) in studies {
            for curve in study.curves {
                for i in curve.epsilons.indices {
                    csv += "\(subject.label),\(curve.norm.rawValue),\(curve.epsilons[i]),\(curve.fgsmAccuracy[i]),\(curve.pgdAccuracy[i])\n"
                }
            }
        }
        return csv
    }

    /// `method,sample,label,minimalPerturbation,lipschitz` per test point.
    static func pointsCSV(_ studies: [(StudiedNetwork, AdversarialRobustness)], test: Dataset) -> String {
        var csv = "method,sample,label,minimalPerturbation,lipschitz\n"
        guard case .classes(let labels, _) = test.targets else { return csv }
        for (subject, study) in studies {
            for k in 0..<test.count {
                csv += "\(subject.label),\(k),\(labels[k]),\(study.minimalPerturbations[k]),\(study.lipschitz[k])\n"
            }
        }
        return csv
    }

    /// Eight test digits (the first whose PGD prediction at the largest l-inf radius differs from the
    /// label, else the first eight): `method,sample,label,cleanPrediction,adversarialPrediction,clean0..63,adversarial0..63`.
    static func digitsCSV(_ study: (StudiedNetwork, AdversarialRobustness), test: Dataset) -> String {
        let (subject, robustness) = study
        guard case .classes(let labels, let classes) = test.targets else { return "" }
        func predictions(_ inputs: [Double]) -> [Int] {
            let o = subject.network.outputs(inputs: inputs)
            return (0..<test.count).map { k in (0..<classes).max { o[k * classes + $0] < o[k * classes + $1] }! }
        }
        let clean = predictions(test.inputs), attacked = predictions(robustness.strongestAttack)
        var chosen = (0..<test.count).filter { attacked[$0] != labels[$0] && clean[$0] == labels[$0] }.prefix(8).map { $0 }
        if chosen.isEmpty { chosen = Array(0..<min(8, test.count)) }
        var csv = "method,sample,label,cleanPrediction,adversarialPrediction,"
            + (0..<64).map { "clean\($0)" }.joined(separator: ",") + "," + (0..<64).map { "adversarial\($0)" }.joined(separator: ",") + "\n"
        for k in chosen {
            let pixels = (0..<64).map { "\(test.inputs[k * 64 + $0])" } + (0..<64).map { "\(robustness.strongestAttack[k * 64 + $0])" }
            csv += "\(subject.label),\(k),\(labels[k]),\(clean[k]),\(attacked[k])," + pixels.joined(separator: ",") + "\n"
        }
        return csv
    }
}
