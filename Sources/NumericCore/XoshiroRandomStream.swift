import Foundation

/// A value-type random stream for bulk Gaussian variates: the xoshiro256++ generator (Blackman and
/// Vigna 2019, period 2^256 − 1) with a 256-layer ziggurat written for 64-bit draws (Marsaglia and
/// Tsang 2000). It is what Brownian paths and ensembles use: no allocation, no call through GSL's
/// function pointer, and a 4-word state derived from (seed, index) in a few nanoseconds, so an
/// ensemble can afford one independent stream per path.
///
/// Stream `index` of `seed` is a pure function of the pair (state words = SplitMix64 sequence keyed by
/// seed and index, as in `RandomStream`), so path k draws the same numbers whatever the thread count.
/// Cost: about one generator call per Gaussian variate (98.8% of draws take the rectangle fast path).
/// Derivation and checks: Notes/xoshiro-ziggurat.md.
public struct XoshiroRandomStream: Sendable {
    @usableFromInline var s0, s1, s2, s3: UInt64
    public let seed: UInt64
    public let index: UInt64

    public init(seed: UInt64, index: UInt64 = 0) {
        self.seed = seed
        self.index = index
        var mixer = SplitMix64(seed: seed &+ 0x9E37_79B9_7F4A_7C15 &* (index &+ 1))
        mixer.state ^= SplitMix64.mix(index ^ 0x5851_F42D_4C95_7F2D)
        s0 = mixer.next(); s1 = mixer.next(); s2 = mixer.next(); s3 = mixer.next()
        if s0 | s1 | s2 | s3 == 0 { s0 = 1 }
    }

    /// The next 64 random bits (xoshiro256++).
    @inlinable @inline(__always)
    public mutating func next() -> UInt64 {
        let result = ((s0 &+ s3) << 23 | (s0 &+ s3) >> 41) &+ s0
        let t = s1 << 17
        s2 ^= s0
        s3 ^= s1
        s1 ^= s2
        s0 ^= s3
        s2 ^= t
        s3 = s3 << 45 | s3 >> 19
        return result
    }

    /// Uniform on the open interval (0, 1) (53-bit resolution, never 0).
    @inlinable @inline(__always)
    public mutating func uniform() -> Double {
        (Double(next() >> 11) + 0.5) * 0x1.0p-53
    }

    /// A standard normal variate.
    @inlinable @inline(__always)
    public mutating func gaussian() -> Double {
        gaussian(x: ZigguratTable.standard.x, f: ZigguratTable.standard.f)
    }

    /// A standard normal variate from the ziggurat with layer widths `x` and heights `f` (hoisted by
    /// bulk callers so the table lookup happens once per fill, not per variate).
    @inlinable @inline(__always)
    mutating func gaussian(x table: UnsafePointer<Double>, f heights: UnsafePointer<Double>) -> Double {
        while true {
            let bits = next()
            let layer = Int(truncatingIfNeeded: bits & 0xFF)
            let negative = bits & 0x100 != 0
            let x = Double(bits >> 11) * 0x1.0p-53 * table[layer]
            if x < table[layer + 1] { return negative ? -x : x }
            if let value = slowPath(layer: layer, x: x, heights: heights) { return negative ? -value : value }
        }
    }

    /// The tail (layer 0, beyond r) and the wedges: nil means reject and draw again.
    @usableFromInline
    mutating func slowPath(layer: Int, x: Double, heights: UnsafePointer<Double>) -> Double? {
        if layer == 0 {
            // Marsaglia's tail method: x = −ln(U1)/r, y = −ln(U2), accept when 2y > x².
            while true {
                let tx = -log(uniform()) / ZigguratTable.tailStart
                let ty = -log(uniform())
                if 2 * ty > tx * tx { return ZigguratTable.tailStart + tx }
            }
        }
        let y = heights[layer] + uniform() * (heights[layer + 1] - heights[layer])
        return y < exp(-0.5 * x * x) ? x : nil
    }

    /// Fills `buffer` with independent N(0, standardDeviation²) variates.
    @inlinable
    /// The same variates, in the same order, as repeated `gaussian()` calls; the generator state is kept
    /// in registers and the ziggurat table looked up once, which makes bulk fills about twice as fast.
    public mutating func fillGaussian(_ buffer: UnsafeMutableBufferPointer<Double>, standardDeviation: Double = 1) {
        let table = ZigguratTable.standard
        let widths = table.x, heights = table.f
        var a = s0, b = s1, c = s2, d = s3
        var i = buffer.startIndex
        while i < buffer.endIndex {
            let sum = a &+ d
            let bits = (sum << 23 | sum >> 41) &+ a
            let t = b << 17
            c ^= a; d ^= b; b ^= c; a ^= d; c ^= t
            d = d << 45 | d >> 19
            let layer = Int(truncatingIfNeeded: bits & 0xFF)
            let negative = bits & 0x100 != 0
            let x = Double(bits >> 11) * 0x1.0p-53 * widths[layer]
            if x < widths[layer + 1] {
                buffer[i] = standardDeviation * (negative ? -x : x)
                i += 1
                continue
            }
            s0 = a; s1 = b; s2 = c; s3 = d
            if let value = slowPath(layer: layer, x: x, heights: heights) {
                buffer[i] = standardDeviation * (negative ? -value : value)
                i += 1
            }
            a = s0; b = s1; c = s2; d = s3
        }
        s0 = a; s1 = b; s2 = c; s3 = d
    }

    /// Refills `row` with fresh N(0, standardDeviation²) variates `rows` times and, after the k-th refill
    /// (k = 0 ..< rows), replaces the carried value by `body(k, value)`; returns the last value. A consumer
    /// such as an SDE stepping loop thus uses each row of increments as soon as it is drawn instead of
    /// storing rows × row.count values first, and its loop-carried state (passed by value, not captured)
    /// can stay in registers. The variates, in order, are bitwise those of one `fillGaussian` of
    /// rows × row.count entries; the generator state stays in registers across rows (cost per variate as
    /// `fillGaussian`).
    @inlinable
    public mutating func foldGaussianRows<Carried>(_ row: UnsafeMutableBufferPointer<Double>, rows: Int, standardDeviation: Double,
                                                   from initial: Carried, _ body: (Int, Carried) -> Carried) -> Carried {
        var carried = initial
        let table = ZigguratTable.standard
        let widths = table.x, heights = table.f
        var a = s0, b = s1, c = s2, d = s3
        for k in 0..<rows {
            var i = row.startIndex
            while i < row.endIndex {
                let sum = a &+ d
                let bits = (sum << 23 | sum >> 41) &+ a
                let t = b << 17
                c ^= a; d ^= b; b ^= c; a ^= d; c ^= t
                d = d << 45 | d >> 19
                let layer = Int(truncatingIfNeeded: bits & 0xFF)
                let negative = bits & 0x100 != 0
                let x = Double(bits >> 11) * 0x1.0p-53 * widths[layer]
                if _fastPath(x < widths[layer + 1]) {
                    row[i] = standardDeviation * (negative ? -x : x)
                    i += 1
                    continue
                }
                s0 = a; s1 = b; s2 = c; s3 = d
                if let value = slowPath(layer: layer, x: x, heights: heights) {
                    row[i] = standardDeviation * (negative ? -value : value)
                    i += 1
                }
                a = s0; b = s1; c = s2; d = s3
            }
            carried = body(k, carried)
        }
        s0 = a; s1 = b; s2 = c; s3 = d
        return carried
    }

    /// Fills `array` with independent N(0, standardDeviation²) variates.
    @inlinable
    public mutating func fillGaussian(_ array: inout [Double], standardDeviation: Double = 1) {
        array.withUnsafeMutableBufferPointer { fillGaussian($0, standardDeviation: standardDeviation) }
    }
}

/// The 256-layer ziggurat for f(x) = exp(−x²/2): layer i (1 ≤ i ≤ 255) is the rectangle
/// [0, x_i] × [f(x_i), f(x_{i+1})], all of area v; layer 0 is [0, r] × [0, f(r)] plus the tail beyond r,
/// also of area v, stored with the equivalent width x_0 = v/f(r). Here x_1 = r and
/// x_{i+1} = f⁻¹(f(x_i) + v/x_i), x_256 = 0 (r and v from Marsaglia and Tsang 2000).
@usableFromInline
final class ZigguratTable: @unchecked Sendable {
    // @unchecked: the two tables are written once in init and only read afterwards; they live for the
    // whole process (the single instance is a static constant), so the pointers never dangle.
    @usableFromInline static let tailStart = 3.6541528853610088
    static let layerArea = 4.92867323399e-3
    @usableFromInline static let standard = ZigguratTable()

    /// x_0 ... x_256 (decreasing) and f_i = exp(−x_i²/2).
    @usableFromInline let x: UnsafePointer<Double>
    @usableFromInline let f: UnsafePointer<Double>

    init() {
        let r = Self.tailStart, v = Self.layerArea
        var x = [Double](repeating: 0, count: 257)
        x[0] = v / exp(-0.5 * r * r)
        x[1] = r
        for i in 1..<255 {
            let y = exp(-0.5 * x[i] * x[i]) + v / x[i]
            x[i + 1] = (-2 * log(y)).squareRoot()
        }
        x[256] = 0
        let xTable = UnsafeMutablePointer<Double>.allocate(capacity: 257)
        let fTable = UnsafeMutablePointer<Double>.allocate(capacity: 257)
        for i in 0...256 {
            xTable[i] = x[i]
            fTable[i] = exp(-0.5 * x[i] * x[i])
        }
        self.x = UnsafePointer(xTable)
        f = UnsafePointer(fTable)
    }
}
