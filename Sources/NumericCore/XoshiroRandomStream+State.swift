/// The generator's position, for checkpoints: a stream restored from `stateWords` draws bitwise the
/// same numbers as the stream it was taken from (the ziggurat keeps no cached variate, so the four
/// words are the whole state). Notes/checkpoints.md.
extension XoshiroRandomStream {
    /// The four xoshiro256++ state words.
    public var stateWords: [UInt64] { [s0, s1, s2, s3] }

    /// Stream `index` of `seed` at the position `words` (from `stateWords`). Throws `InvalidArgument`
    /// unless there are four words, not all zero.
    public init(seed: UInt64, index: UInt64, stateWords words: [UInt64]) throws {
        try Validate.count(words.count, 4, "stateWords")
        guard words.contains(where: { $0 != 0 }) else { throw InvalidArgument("stateWords", "[0, 0, 0, 0]", "must not be all zero") }
        self.init(seed: seed, index: index)
        s0 = words[0]; s1 = words[1]; s2 = words[2]; s3 = words[3]
    }
}
