import Foundation
import NumericCore

/// The package's data sets (Experiments/data, provenance in each directory's README) with their
/// train/test split and the input lift each one uses.
public enum DatasetCatalog: String, CaseIterable, Sendable, Codable {
    case spirals, circles, sine, digits

    /// A training set and the held-out set (validation for spirals, test otherwise).
    public struct Split: Sendable {
        public let train: Dataset
        public let test: Dataset

        public init(train: Dataset, test: Dataset) {
            self.train = train
            self.test = test
        }
    }

    /// Seed of the fixed digits split.
    public static let digitsSplitSeed: UInt64 = 1797
    public static let digitsTrainCount = 1437

    /// Width used when none is given: the Haber–Ruthotto 4, Li et al.'s 5, the 64 pixels.
    public var defaultWidth: Int {
        switch self {
        case .spirals, .circles: return 4
        case .sine: return 5
        case .digits: return 64
        }
    }

    public var isClassification: Bool { self != .sine }

    /// Loads the split from `directory` (the Experiments/data folder).
    public func load(from directory: URL) throws -> Split {
        let folder = directory.appendingPathComponent(rawValue)
        func table(_ file: String) throws -> DatasetFile.Table {
            try DatasetFile.table(at: folder.appendingPathComponent(file))
        }
        switch self {
        case .spirals:
            return Split(train: try DatasetFile.classification(try table("train.csv"), classes: 2, name: "spirals/train.csv"),
                         test: try DatasetFile.classification(try table("validation.csv"), classes: 2, name: "spirals/validation.csv"))
        case .circles:
            return Split(train: try DatasetFile.classification(try table("train.csv"), classes: 2, name: "circles/train.csv"),
                         test: try DatasetFile.classification(try table("test.csv"), classes: 2, name: "circles/test.csv"))
        case .sine:
            return Split(train: try DatasetFile.regression(try table("train.csv"), name: "sine/train.csv"),
                         test: try DatasetFile.regression(try table("test.csv"), name: "sine/test.csv"))
        case .digits:
            let all = try DatasetFile.classification(try table("digits.csv"), classes: 10, inputScale: 1.0 / 16,
                                                     name: "digits/digits.csv")
            guard all.count == 1797 else {
                throw DatasetFileError("digits/digits.csv: \(all.count) rows, expected 1797")
            }
            let order = RandomStream(seed: DatasetCatalog.digitsSplitSeed).permutation(all.count)
            return Split(train: all.subset(Array(order[..<DatasetCatalog.digitsTrainCount])),
                         test: all.subset(Array(order[DatasetCatalog.digitsTrainCount...])))
        }
    }

    /// The lift this data set uses at width d: replication for sine (Li et al.), the principal
    /// components for digits narrower than its 64 pixels, zero padding otherwise (width d below the input
    /// dimension is then an error).
    public func defaultLift(width: Int, inputDimension: Int) -> InputLiftChoice {
        switch self {
        case .sine: return .replication
        case .digits where width < inputDimension: return .principalComponents
        default: return .padding
        }
    }
}
