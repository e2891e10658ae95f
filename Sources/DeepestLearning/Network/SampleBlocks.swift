/// A fixed partition of a batch of samples into contiguous blocks for parallel work.
///
/// The partition depends only on the batch size (at most `maximumBlocks` blocks of at least
/// `minimumSize` samples), never on the number of threads; each block writes its own gradient slot
/// and the slots are summed in block order, so results are bitwise independent of the thread count.
public struct SampleBlocks: Sendable, Hashable {
    public static let maximumBlocks = 8
    public static let minimumSize = 4

    public let count: Int
    public let size: Int

    /// At most `maximumBlocks` blocks of at least `minimumSize` samples (kernels that work on a whole
    /// block at once, such as matrix–matrix products over the samples, ask for larger blocks).
    public init(count: Int, minimumSize: Int = SampleBlocks.minimumSize) {
        self.count = count
        size = max(minimumSize, 1, (count + SampleBlocks.maximumBlocks - 1) / SampleBlocks.maximumBlocks)
    }

    public var blockCount: Int { count == 0 ? 0 : (count + size - 1) / size }

    public func range(_ block: Int) -> Range<Int> { (block * size)..<min(count, (block + 1) * size) }
}
