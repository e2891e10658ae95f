import NumericCore

/// A stage written as data: its type name and its options as text, each remembering where it was
/// given (a command-line option, a YAML key, a recipe), so that a bad value is reported in the
/// words the user typed. Recipes are lists of specifications; a YAML `stages:` list is read into
/// them; `StageCatalog.stage(_:)` turns one into a `TrainingStage` value.
public struct StageSpecification: Sendable, Hashable, CustomStringConvertible {
    /// One option's value and where it came from (for example "--rf", "stages[2].rf", "recipe sgd").
    public struct Value: Sendable, Hashable {
        public var text: String
        public var origin: String

        public init(_ text: String, origin: String) {
            self.text = text
            self.origin = origin
        }
    }

    public var type: String
    public var options: [String: Value]

    public init(type: String, options: [String: Value] = [:]) {
        self.type = type
        self.options = options
    }

    /// A recipe's stage: every value's origin is the recipe.
    public init(_ type: String, recipe: String, _ options: KeyValuePairs<String, String> = [:]) {
        self.type = type
        self.options = Dictionary(uniqueKeysWithValues: options.map { ($0.key, Value($0.value, origin: "recipe \(recipe)")) })
    }

    /// `type key=value ...` with the keys sorted.
    public var description: String {
        ([type] + options.keys.sorted().map { "\($0)=\(options[$0]!.text)" }).joined(separator: " ")
    }
}

/// Reads a specification's options with the types a stage needs; every error names the option's
/// origin and value and says what is allowed.
public struct StageOptionReader {
    let specification: StageSpecification

    public init(_ specification: StageSpecification) {
        self.specification = specification
    }

    func value(_ key: String) -> StageSpecification.Value? { specification.options[key] }

    public func double(_ key: String, default fallback: Double) throws -> Double {
        guard let v = value(key) else { return fallback }
        guard let x = Double(v.text), x.isFinite else { throw InvalidArgument(v.origin, v.text, "must be a finite number") }
        return x
    }

    public func positiveDouble(_ key: String, default fallback: Double) throws -> Double {
        let x = try double(key, default: fallback)
        guard x > 0 else { throw InvalidArgument(value(key)?.origin ?? key, x, "must be > 0") }
        return x
    }

    /// An integer in `range` (the error states the range).
    public func int(_ key: String, default fallback: Int, in range: ClosedRange<Int>) throws -> Int {
        guard let v = value(key) else { return fallback }
        let text = v.text.hasSuffix(".0") ? String(v.text.dropLast(2)) : v.text
        guard let n = Int(text) else { throw InvalidArgument(v.origin, v.text, "must be an integer in \(range.lowerBound)...\(range.upperBound)") }
        guard range.contains(n) else { throw InvalidArgument(v.origin, v.text, "must be in \(range.lowerBound)...\(range.upperBound)") }
        return n
    }

    public func bool(_ key: String, default fallback: Bool) throws -> Bool {
        guard let v = value(key) else { return fallback }
        switch v.text.lowercased() {
        case "true", "yes", "on", "1": return true
        case "false", "no", "off", "0": return false
        default: throw InvalidArgument(v.origin, v.text, "must be true or false")
        }
    }

    public func choice<T: RawRepresentable & CaseIterable>(_ key: String, default fallback: T) throws -> T where T.RawValue == String {
        guard let v = value(key) else { return fallback }
        guard let x = T(rawValue: v.text) else {
            throw InvalidArgument(v.origin, v.text, "must be one of \(T.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return x
    }
}
