/// Outcome of a matrix factorization: success, or the place where elimination met an exactly zero pivot.
///
/// A singular matrix is a numerical outcome, not an error: factorizations report it here and their
/// `solve` methods then return `nil` instead of dividing by zero.
public enum LinearSolveStatus: Sendable, Equatable, CustomStringConvertible {
    case success
    /// Column `column` (0-based, of the whole matrix) had no nonzero pivot candidate. For the
    /// almost-block-diagonal solver `block` is the column block (0...N) in which this happened;
    /// dense and banded factorizations report `block == 0`.
    case singular(block: Int, column: Int)

    public var isSuccess: Bool { self == .success }

    public var description: String {
        switch self {
        case .success: return "success"
        case let .singular(block, column): return "singular matrix: zero pivot in column \(column) (block \(block))"
        }
    }
}
