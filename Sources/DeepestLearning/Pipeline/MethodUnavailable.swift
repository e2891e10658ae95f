/// A boundary value training method refusing a problem above the size its dense linear algebra can
/// handle (one line naming the size, the limit and the alternatives, for the command line).
public struct MethodUnavailable: Error, CustomStringConvertible, Sendable {
    public let description: String
}
