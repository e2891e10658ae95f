import Foundation
import NumericCore

/// A solution in a checkpoint (Notes/checkpoints.md): every stored field, so that the restored solution
/// evaluates (`value(at:)`, the Hermite cubics or the Chebyshev series) and warm-starts a solver bitwise
/// as the original. Sections are named `<prefix>.<field>`. Cost: O(mesh × dimension) values.
extension BoundaryValueSolution {
    /// The solution's checkpoint sections.
    public func checkpointSections(_ prefix: String) -> (words: [String: [UInt64]], reals: [String: [Double]], texts: [String: String]) {
        let s = stats
        var words: [String: [UInt64]] = [
            "\(prefix).dimension": [UInt64(dimension)], "\(prefix).parameterCount": [UInt64(parameterCount)],
            "\(prefix).stats": [s.newtonIterations, s.fieldEvaluations, s.jacobianEvaluations, s.factorizations, s.meshRefinements, s.nodes]
                .map { UInt64(max(0, $0)) },
        ]
        var reals: [String: [Double]] = [
            "\(prefix).mesh": mesh, "\(prefix).values": values, "\(prefix).slopes": slopes,
            "\(prefix).residuals": [maxResidual, boundaryResidual, s.seconds],
            "\(prefix).errorEstimate": errorEstimate.map { [$0] } ?? [],
        ]
        if let series {
            words["\(prefix).series.dimension"] = [UInt64(series.dimension)]
            reals["\(prefix).series"] = [series.start, series.end] + series.coefficients
        }
        return (words, reals, ["\(prefix).status": status.rawValue, "\(prefix).message": message])
    }

    /// The solution saved by `checkpointSections(prefix)`; `CheckpointError.corrupt` naming `file` when
    /// a section is missing or inconsistent.
    public init(checkpoint: Checkpoint, prefix: String, file: URL) throws {
        let dimension = try checkpoint.integer("\(prefix).dimension", file: file)
        let counters = try checkpoint.words("\(prefix).stats", count: 6, file: file).map { Int(truncatingIfNeeded: $0) }
        let residuals = try checkpoint.reals("\(prefix).residuals", count: 3, file: file)
        let mesh = try checkpoint.reals("\(prefix).mesh", file: file)
        let values = try checkpoint.reals("\(prefix).values", count: mesh.count * dimension, file: file)
        let slopes = try checkpoint.reals("\(prefix).slopes", count: mesh.count * dimension, file: file)
        guard let statusText = checkpoint.texts["\(prefix).status"], let status = BoundaryValueStatus(rawValue: statusText),
              let message = checkpoint.texts["\(prefix).message"] else { throw CheckpointError.corrupt(file, "no section \(prefix).status") }
        var stats = BoundaryValueStats()
        (stats.newtonIterations, stats.fieldEvaluations, stats.jacobianEvaluations) = (counters[0], counters[1], counters[2])
        (stats.factorizations, stats.meshRefinements, stats.nodes, stats.seconds) = (counters[3], counters[4], counters[5], residuals[2])
        self.init(dimension: dimension, status: status, message: message, mesh: mesh, values: values, slopes: slopes, stats: stats,
                  maxResidual: residuals[0], boundaryResidual: residuals[1])
        let estimate = try checkpoint.reals("\(prefix).errorEstimate", file: file)
        errorEstimate = estimate.first
        parameterCount = try checkpoint.integer("\(prefix).parameterCount", file: file)
        if let seriesDimension = checkpoint.words["\(prefix).series.dimension"]?.first {
            let saved = try checkpoint.reals("\(prefix).series", file: file)
            guard seriesDimension > 0, saved.count >= 2, (saved.count - 2) % Int(seriesDimension) == 0 else {
                throw CheckpointError.corrupt(file, "section \(prefix).series")
            }
            series = ChebyshevSeries(dimension: Int(seriesDimension), start: saved[0], end: saved[1], coefficients: Array(saved[2...]))
        }
    }
}
