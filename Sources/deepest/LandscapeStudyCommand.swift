import ArgumentParser
import DeepestLearning
import Foundation
import NumericCore

/// `deepest study landscape`: the 3×3 example of MATH.md §6.5 (`CirculantExample`) for each
/// `--example-layers` N on a (θ1, θ2) grid with the boundary of the forward-Euler stable region, and,
/// when networks are given (`--model`, or `--dataset`/`--data` to train a recipe beside SGD and Adam),
/// their loss along two filter-normalised random directions (`LossLandscape`). JSON: {example:
/// {samples, theta1: [min, max], theta2: [min, max], resolution, panels: [{layers, stepSize, minimum,
/// maximum, roughness, shareUnstable}]}, networks: [{method, recipe, kernel, network, centerLoss,
/// minimumLoss, maximumLoss, roughness}]}. `--out DIR`: landscape.json, landscape.csv
/// (`panel,x,y,value,stabilityMargin`; the example's panels "N=5", …, then each network's, margin
/// empty), landscape.png (the example's heat maps) and landscape-networks.png.
struct LandscapeStudyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "landscape",
        abstract: "The 3x3 example's objective against depth with the stability boundary, and loss landscapes of trained networks.")

    @OptionGroup var options: TrainOptions
    @OptionGroup var models: StudyModelOptions
    @Option(help: "table or json") var format: OutputFormat = .table
    @OptionGroup var resources: ResourceOptions
    @Option(name: .customLong("example-layers"), help: "Layers N of the 3x3 example's panels, comma-separated (h = 10/N).")
    var exampleLayers: String = "5,100"
    @Option(name: .customLong("example-samples"), help: "Columns m of Y_0 in the 3x3 example.") var exampleSamples: Int = 10
    @Option(name: .customLong("theta-range"), help: "min,max of theta1 and theta2 in the 3x3 example.") var thetaRange: String = "-1,3"
    @Option(help: "Grid points per axis of the 3x3 example.") var resolution: Int = 101
    @Option(name: .customLong("direction-resolution"), help: "Grid points per axis of a network's landscape.") var directionResolution: Int = 25
    @Option(name: .customLong("direction-range"), help: "alpha, beta in [-r, r] along the filter-normalised directions.")
    var directionRange: Double = 1
    @Option(name: .customLong("landscape-samples"), help: "Evenly spaced training samples of a network's landscape loss (0: all).")
    var landscapeSamples: Int = 256
    @Flag(inversion: .prefixedNo, help: "With --out: draw the figures (needs python3 with matplotlib).") var figures = true

    struct Panel: Encodable {
        let layers: Int, stepSize: Double, minimum: Double, maximum: Double, roughness: Double, shareUnstable: Double
    }
    struct Example: Encodable {
        let samples: Int, theta1: [Double], theta2: [Double], resolution: Int, panels: [Panel]
    }
    struct NetworkResult: Encodable {
        let method: String, recipe: String, kernel: String, network: String
        let centerLoss: Double, minimumLoss: Double, maximumLoss: Double, roughness: Double
    }
    struct Summary: Encodable {
        let example: Example
        let networks: [NetworkResult]
    }

    func run() throws {
        let layers = try exampleLayers.split(separator: ",", omittingEmptySubsequences: false).map { entry -> Int in
            guard let n = Int(entry.trimmingCharacters(in: .whitespaces)), (1...100_000).contains(n) else {
                throw CommandFailure("invalid --example-layers = \(exampleLayers): '\(entry)' is not an integer in 1...100000")
            }
            return n
        }
        guard layers.count <= 8 else { throw CommandFailure("invalid --example-layers = \(exampleLayers): at most 8 panels") }
        let bounds = thetaRange.split(separator: ",").map { Double($0.trimmingCharacters(in: .whitespaces)) }
        guard bounds.count == 2, let low = bounds[0], let high = bounds[1], low.isFinite, high.isFinite, low < high else {
            throw CommandFailure("invalid --theta-range = \(thetaRange): must be two finite numbers min,max with min < max")
        }
        guard (1...10_000).contains(exampleSamples) else { throw CommandFailure("invalid --example-samples = \(exampleSamples): must be in 1...10000") }
        guard (2...1000).contains(resolution) else { throw CommandFailure("invalid --resolution = \(resolution): must be in 2...1000") }
        guard (2...500).contains(directionResolution) else {
            throw CommandFailure("invalid --direction-resolution = \(directionResolution): must be in 2...500")
        }
        guard directionRange.isFinite, directionRange > 0 else { throw CommandFailure("invalid --direction-range = \(directionRange): must be finite and > 0") }
        guard landscapeSamples >= 0 else { throw CommandFailure("invalid --landscape-samples = \(landscapeSamples): must be >= 0") }
        let work = Size.product(resolution, resolution, exampleSamples, layers.reduce(0, +), 30)
        try resources.budget().check(bytes: Size.product(resolution, resolution, 16 * layers.count), work: work,
                                     blame: "--resolution = \(resolution), --example-samples = \(exampleSamples), --example-layers = \(exampleLayers)")
        let out = try options.out.map { try OutputFolder(path: $0, option: "--out") }
        let wantsNetworks = !models.models.isEmpty || options.dataset != nil || options.data != nil || options.config != nil
        let subjects = wantsNetworks ? try StudySubjects(options: options, models: models, resources: resources, bothKernels: false) : nil
        let example = try CirculantExample(samples: exampleSamples, seed: options.seed ?? 4)
        var grids = [(String, LandscapeGrid)]()
        var panels = [Panel]()
        let progress = ProgressReporter("landscape", total: layers.count + (subjects?.networks.count ?? 0))
        for (index, n) in layers.enumerated() {
            let grid = try example.grid(layers: n, theta1: low...high, theta2: low...high, resolution: resolution)
            grids.append(("N=\(n)", grid))
            panels.append(Panel(layers: n, stepSize: example.horizon / Double(n), minimum: grid.values.min() ?? .nan,
                                maximum: grid.values.max() ?? .nan, roughness: grid.roughness,
                                shareUnstable: Double(grid.margins.filter { $0 > 1e-12 }.count) / Double(grid.margins.count)))
            progress.update(index + 1)
        }
        var networks = [NetworkResult]()
        var networkGrids = [(String, LandscapeGrid)]()
        if let subjects {
            let train = subjects.split.train
            let count = landscapeSamples == 0 ? train.count : min(landscapeSamples, train.count)
            let data = train.subset((0..<count).map { $0 * train.count / count })
            for (index, subject) in subjects.networks.enumerated() {
                let landscape: LossLandscape
                do {
                    landscape = try LossLandscape(network: subject.network, data: data, seed: options.seed ?? 1, resolution: directionResolution,
                                                  range: directionRange)
                } catch let error as InvalidArgument {
                    throw CommandFailure("invalid --model or data for \(subject.label): \(error.description)")
                }
                networkGrids.append((subject.label, landscape.grid))
                let finite = landscape.grid.values.filter(\.isFinite)
                networks.append(NetworkResult(method: subject.label, recipe: subject.recipe, kernel: subject.kernel,
                                              network: subject.network.isFlow ? "flow" : "resnet", centerLoss: landscape.centerLoss,
                                              minimumLoss: finite.min() ?? .nan, maximumLoss: finite.max() ?? .nan,
                                              roughness: landscape.grid.roughness))
                progress.update(layers.count + index + 1)
            }
        }
        let summary = Summary(example: Example(samples: exampleSamples, theta1: [low, high], theta2: [low, high], resolution: resolution,
                                               panels: panels), networks: networks)
        if let out {
            defer { out.discard() }
            var csv = "panel,x,y,value,stabilityMargin\n"
            for (name, grid) in grids + networkGrids {
                for j in grid.ys.indices { for i in grid.xs.indices {
                    let k = j * grid.xs.count + i
                    csv += "\(name),\(grid.xs[i]),\(grid.ys[j]),\(grid.values[k]),\(grid.margins.isEmpty ? "" : "\(grid.margins[k])")\n"
                } }
            }
            try out.write([("landscape.json", try Output.json(summary) + "\n"), ("landscape.csv", csv)])
            if figures, let reason = ComparisonReport.render(folder: try out.stage(), script: "study_figures.py", arguments: ["landscape"]) {
                FileHandle.standardError.write(Data("deepest: figures not written: \(reason)\n".utf8))
            }
            try out.commit()
        }
        try Output.emit(summary, format: format) {
            var text = "3x3 example (MATH.md 6.5), m = \(exampleSamples), theta in [\(low), \(high)]^2, \(resolution)^2 points\n"
            text += Output.table(["layers", "h", "min objective", "max objective", "roughness", "share unstable"], panels.map {
                ["\($0.layers)", Output.fixed($0.stepSize, 3), Output.sci($0.minimum), Output.sci($0.maximum), Output.sci($0.roughness, 2),
                 Output.fixed($0.shareUnstable, 3)]
            })
            if !networks.isEmpty {
                text += "\nloss along two filter-normalised directions, alpha, beta in [-\(directionRange), \(directionRange)]\n"
                text += Output.table(["method", "network", "center loss", "min loss", "max loss", "roughness"], networks.map {
                    [$0.method, $0.network, Output.sci($0.centerLoss), Output.sci($0.minimumLoss), Output.sci($0.maximumLoss), Output.sci($0.roughness, 2)]
                })
            }
            return text
        }
        if let failure = subjects?.failure { throw failure }
    }
}
