/// A collective that found another rank stopped (its one-line message), or ranks that did different
/// work. Thrown by `Distribution.exchange`, `gather` and `finish`; after it this rank exchanges no more.
public struct PeerFailure: Error, CustomStringConvertible, Sendable {
    /// The rank that failed (nil: the ranks disagreed on what to exchange).
    public let rank: Int?
    public let message: String
    public let status: Int32

    public init(rank: Int?, message: String, status: Int32) {
        self.rank = rank
        self.message = message
        self.status = status
    }

    public var description: String {
        if let rank { return "rank \(rank) stopped: \(message)" }
        return message
    }
}
