@preconcurrency import CGSL

/// The GSL generator behind a `RandomStream`.
public enum RandomGenerator: String, CaseIterable, Sendable {
    /// Mersenne twister MT19937 (period 2^19937 - 1). Its whole 624-word state is filled from
    /// (seed, index), so streams with different indices never share a starting state.
    case mt19937
    /// Tausworthe generator taus2 (period 2^88), seeded through GSL from a 32-bit hash of (seed, index).
    case taus2
    /// RANLUX, double-precision luxury level 2: slow, with the strongest decorrelation guarantees.
    case ranlxd2

    @usableFromInline
    var gslType: UnsafePointer<gsl_rng_type> {
        switch self {
        case .mt19937: return gsl_rng_mt19937
        case .taus2: return gsl_rng_taus2
        case .ranlxd2: return gsl_rng_ranlxd2
        }
    }
}

/// A seedable random stream: uniform and Gaussian variates from a GSL generator.
///
/// Stream `index` of `seed` is a pure function of the pair, so path k of an ensemble draws the same
/// numbers whatever the thread count or the way the ensemble is split into shards. A stream is not
/// thread-safe: give each thread or path its own (they are cheap: one GSL allocation).
///
/// Gaussian variates use GSL's ziggurat (Marsaglia–Tsang), about one generator call per variate.
public final class RandomStream {
    public let seed: UInt64
    public let index: UInt64
    public let generator: RandomGenerator
    @usableFromInline let rng: UnsafeMutablePointer<gsl_rng>

    public init(seed: UInt64, index: UInt64 = 0, generator: RandomGenerator = .mt19937) {
        GSLErrorBridge.ensureInstalled()
        self.seed = seed
        self.index = index
        self.generator = generator
        guard let rng = gsl_rng_alloc(generator.gslType) else {
            fatalError("gsl_rng_alloc failed: out of memory")
        }
        self.rng = rng
        var mixer = SplitMix64(seed: seed &+ 0x9E37_79B9_7F4A_7C15 &* (index &+ 1))
        // Decorrelate index from seed with a second round keyed by the index itself.
        mixer.state ^= SplitMix64.mix(index ^ 0xD1B5_4A32_D192_ED03)
        switch generator {
        case .mt19937:
            fillMersenneTwisterState(&mixer)
        case .taus2, .ranlxd2:
            var key = UInt32(truncatingIfNeeded: mixer.next())
            if key == 0 { key = 1 }
            gsl_rng_set(rng, UInt(key))
        }
    }

    deinit { gsl_rng_free(rng) }

    /// Fills MT19937's 624 state words from SplitMix64 and forces a regeneration on the first draw.
    /// GSL's `mt_state_t` is `{ unsigned long mt[624]; int mti; }`, each word holding 32 bits.
    private func fillMersenneTwisterState(_ mixer: inout SplitMix64) {
        gsl_rng_set(rng, 4357)  // a valid state to start from; every word is overwritten below
        let words = 624
        precondition(gsl_rng_size(rng) >= words * MemoryLayout<UInt>.stride + MemoryLayout<Int32>.size)
        let state = gsl_rng_state(rng)!.bindMemory(to: UInt.self, capacity: words + 1)
        var anyNonZero = false
        for i in 0..<words {
            let word = UInt(UInt32(truncatingIfNeeded: mixer.next() >> 16))
            state[i] = word
            anyNonZero = anyNonZero || word != 0
        }
        if !anyNonZero { state[0] = 0x8000_0000 }
        let mti = UnsafeMutableRawPointer(state + words).bindMemory(to: Int32.self, capacity: 1)
        mti.pointee = Int32(words)
    }

    /// Uniform on the open interval (0, 1).
    @inlinable public func uniform() -> Double { gsl_rng_uniform_pos(rng) }

    /// A standard normal variate (ziggurat).
    @inlinable public func gaussian() -> Double { gsl_ran_gaussian_ziggurat(rng, 1.0) }

    /// A uniform integer in 0..<n (n >= 1).
    @inlinable public func integer(below n: Int) -> Int {
        precondition(n >= 1 && UInt64(n) <= UInt64(UInt32.max), "integer(below:) needs 1 <= n < 2^32")
        return Int(gsl_rng_uniform_int(rng, UInt(n)))
    }

    /// Fills `buffer` with independent N(0, standardDeviation^2) variates.
    @inlinable public func fillGaussian(_ buffer: UnsafeMutableBufferPointer<Double>, standardDeviation: Double = 1) {
        for i in buffer.indices {
            buffer[i] = gsl_ran_gaussian_ziggurat(rng, standardDeviation)
        }
    }

    /// Fills `array` with independent N(0, standardDeviation^2) variates.
    @inlinable public func fillGaussian(_ array: inout [Double], standardDeviation: Double = 1) {
        array.withUnsafeMutableBufferPointer { fillGaussian($0, standardDeviation: standardDeviation) }
    }

    /// Fills `array` with independent uniforms on (0, 1).
    @inlinable public func fillUniform(_ array: inout [Double]) {
        for i in array.indices { array[i] = gsl_rng_uniform_pos(rng) }
    }

    /// A random permutation of 0..<n (Fisher–Yates), for minibatch shuffling.
    public func permutation(_ n: Int) -> [Int] {
        var values = Array(0..<n)
        if n > 1 {
            for i in stride(from: n - 1, to: 0, by: -1) {
                values.swapAt(i, integer(below: i + 1))
            }
        }
        return values
    }
}

/// SplitMix64 (Steele, Lea, Flood 2014): a 64-bit mixer used only to derive generator states.
@usableFromInline
struct SplitMix64 {
    @usableFromInline var state: UInt64

    @usableFromInline init(seed: UInt64) { state = seed }

    @usableFromInline static func mix(_ value: UInt64) -> UInt64 {
        var z = value
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    @usableFromInline mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        return SplitMix64.mix(state)
    }
}
