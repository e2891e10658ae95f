import Foundation

/// A lock-protected stack of reusable workspaces (factorization storage and the like).
///
/// Large workspaces are expensive to create mostly because the kernel must clear every fresh page on
/// first touch. Solvers take one from the pool at the start of a solve and give it back at the end,
/// so repeated solves (continuation, parameter sweeps, benchmarks) reuse memory that is already
/// mapped. A workspace is used by one solve at a time; at most `limit` idle ones are kept.
public final class WorkspacePool<Workspace: AnyObject>: @unchecked Sendable {
    private let lock = NSLock()
    private var idle: [Workspace] = []
    private let limit: Int
    private let make: @Sendable () -> Workspace

    public init(limit: Int = 4, make: @escaping @Sendable () -> Workspace) {
        self.limit = limit
        self.make = make
    }

    /// An idle workspace, or a new one.
    public func take() -> Workspace {
        lock.lock()
        defer { lock.unlock() }
        return idle.popLast() ?? make()
    }

    /// Returns a workspace to the pool (dropped when `limit` are already idle).
    public func giveBack(_ workspace: Workspace) {
        lock.lock()
        defer { lock.unlock() }
        if idle.count < limit { idle.append(workspace) }
    }
}
