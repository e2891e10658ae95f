/// The processes that share one run (the ranks of an MPI job), seen through the single collective the
/// package needs: every rank hands in a byte buffer and receives every rank's buffer in rank order.
///
/// NumericCore does not link MPI: `SerialProcessGroup` is the one-process group every run starts with, and
/// the `deepest-mpi` tool installs its Open MPI group (`Distribution.install`). Ensembles split their paths
/// into fixed contiguous blocks (`Distribution.block(of:)`) and exchange their per-path result slots
/// (`Distribution.gather`), so every rank ends with the same slots as a one-process run and reduces them
/// in index order: the results are bitwise the same for any number of ranks (Notes/mpi-shards.md).
public protocol ProcessGroup: Sendable {
    /// This process's index, 0 ..< size.
    var rank: Int { get }
    /// The number of processes.
    var size: Int { get }
    /// Every rank passes `bytes` (lengths may differ); every rank receives all buffers, index r holding
    /// rank r's. Collective: every rank calls it the same number of times, in the same order, from one
    /// thread (the package calls it from the thread that runs the command, between its parallel loops).
    /// Cost: the sum of the lengths, received by every rank. Throws `PeerFailure` when the transport fails.
    func allGather(_ bytes: [UInt8]) throws -> [[UInt8]]
}

/// One process: `allGather` returns the caller's own buffer.
public struct SerialProcessGroup: ProcessGroup {
    public init() {}
    public var rank: Int { 0 }
    public var size: Int { 1 }
    public func allGather(_ bytes: [UInt8]) -> [[UInt8]] { [bytes] }
}
