/// Invalid input detected before any numerics: the message names the argument and its value.
///
/// Numerical failure (no convergence, a singular matrix met during a solve, non-finite values) is not
/// reported with this error but as a status on the result, with the last good state.
public struct InvalidArgument: Error, CustomStringConvertible, Sendable, Equatable {
    public let argument: String
    public let value: String
    public let requirement: String

    public init(_ argument: String, _ value: some CustomStringConvertible, _ requirement: String) {
        self.argument = argument
        self.value = value.description
        self.requirement = requirement
    }

    public var description: String {
        "invalid \(argument) = \(value): \(requirement)"
    }
}

/// Checks shared by every public entry point.
public enum Validate {
    public static func positive(_ value: Double, _ name: String) throws {
        guard value.isFinite, value > 0 else { throw InvalidArgument(name, value, "must be finite and > 0") }
    }

    public static func positive(_ value: Int, _ name: String) throws {
        guard value > 0 else { throw InvalidArgument(name, value, "must be > 0") }
    }

    public static func atLeast(_ value: Int, _ minimum: Int, _ name: String) throws {
        guard value >= minimum else { throw InvalidArgument(name, value, "must be >= \(minimum)") }
    }

    public static func finite(_ values: some Sequence<Double>, _ name: String) throws {
        for (index, value) in values.enumerated() where !value.isFinite {
            throw InvalidArgument("\(name)[\(index)]", value, "must be finite")
        }
    }

    public static func count(_ actual: Int, _ expected: Int, _ name: String) throws {
        guard actual == expected else {
            throw InvalidArgument("\(name).count", actual, "must equal \(expected)")
        }
    }

    public static func interval(_ a: Double, _ b: Double, _ name: String = "interval") throws {
        guard a.isFinite, b.isFinite, b > a else {
            throw InvalidArgument(name, "[\(a), \(b)]", "must be finite with b > a")
        }
    }
}
