/// A training method that cannot run in this build (one line, for the command line).
public struct MethodUnavailable: Error, CustomStringConvertible, Sendable {
    public let description: String
}
