import Foundation
import NumericCore

/// The user's own data from CSV files (`deepest train --data FILE`): one sample per line, any number of
/// input columns and one target column, an optional header line; a test file, or a seeded split of the
/// training file. Classification targets are integer labels 0..<classes; regression targets are reals.
public struct UserDataset: Sendable {
    public enum Task: String, CaseIterable, Sendable {
        /// Classification when every target is an integer in 0...255, regression otherwise.
        case automatic
        case classification
        case regression
    }

    /// The training file.
    public var trainPath: String
    /// The held-out file (nil: a split of the training file).
    public var testPath: String?
    /// The held-out fraction of a split training file, in (0, 1).
    public var testFraction: Double
    /// 1-based target column (0: the last).
    public var targetColumn: Int
    public var task: Task
    /// Seed of the split's permutation.
    public var seed: UInt64

    public init(trainPath: String, testPath: String? = nil, testFraction: Double = 0.2, targetColumn: Int = 0,
                task: Task = .automatic, seed: UInt64 = 1) {
        self.trainPath = trainPath
        self.testPath = testPath
        self.testFraction = testFraction
        self.targetColumn = targetColumn
        self.task = task
        self.seed = seed
    }

    /// The file name without its folder and extension (the data set's name in reports).
    public var name: String { URL(fileURLWithPath: trainPath).deletingPathExtension().lastPathComponent }

    /// Reads, validates and splits the data. Errors name the option (`--data`, `--test`,
    /// `--test-fraction`, `--target-column`, `--task`), the file and, for bad content, the line.
    public func load() throws -> DatasetCatalog.Split {
        guard testPath != nil || (testFraction > 0 && testFraction < 1) else {
            throw InvalidArgument("test-fraction", testFraction, "must be in (0, 1) without --test")
        }
        let train = try DatasetFile.table(at: URL(fileURLWithPath: trainPath))
        let test = try testPath.map { try DatasetFile.table(at: URL(fileURLWithPath: $0)) }
        if let test, test.columns != train.columns {
            throw InvalidArgument("test", testPath!, "has \(test.columns) columns, the training file \(train.columns)")
        }
        guard train.columns >= 2 else { throw InvalidArgument("data", trainPath, "needs at least one input column and a target column") }
        guard targetColumn >= 0, targetColumn <= train.columns else {
            throw InvalidArgument("target-column", targetColumn, "must be in 1...\(train.columns) (0: the last)")
        }
        let target = targetColumn == 0 ? train.columns - 1 : targetColumn - 1
        let tables = [train] + (test.map { [$0] } ?? [])
        let targets = tables.flatMap { table in (0..<table.rows).map { table.values[$0 * table.columns + target] } }
        let isInteger = targets.allSatisfy { $0 == $0.rounded() && $0 >= 0 && $0 <= 255 }
        let classification: Bool
        switch task {
        case .automatic: classification = isInteger && Set(targets).count <= 32 && Set(targets).count < targets.count
        case .classification:
            guard isInteger else { throw InvalidArgument("task", "classification", "needs integer labels in 0...255 in the target column \(target + 1)") }
            classification = true
        case .regression: classification = false
        }
        let classes = classification ? Int(targets.max() ?? 0) + 1 : 0
        if classification {
            guard Set(targets).count >= 2 else {
                throw InvalidArgument("data", trainPath, "has a single class in the target column \(target + 1): nothing to classify")
            }
        }
        func dataset(_ table: DatasetFile.Table) throws -> Dataset {
            var inputs = [Double](), values = [Double](), labels = [Int]()
            inputs.reserveCapacity(table.rows * (table.columns - 1))
            for r in 0..<table.rows {
                for j in 0..<table.columns {
                    let v = table.values[r * table.columns + j]
                    if j != target { inputs.append(v) } else if classification { labels.append(Int(v)) } else { values.append(v) }
                }
            }
            return try Dataset(inputs: inputs, inputDimension: table.columns - 1,
                               targets: classification ? .classes(labels: labels, count: classes) : .values(values, dimension: 1))
        }
        let all = try dataset(train)
        if let test { return DatasetCatalog.Split(train: all, test: try dataset(test)) }
        let testCount = Int((Double(all.count) * testFraction).rounded())
        guard testCount >= 1, testCount < all.count else {
            throw InvalidArgument("test-fraction", testFraction, "leaves \(testCount) of \(all.count) rows for the test set")
        }
        let order = RandomStream(seed: seed).permutation(all.count)
        return DatasetCatalog.Split(train: all.subset(Array(order[testCount...])), test: all.subset(Array(order[..<testCount])))
    }
}
