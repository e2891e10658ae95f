/// A 64-bit FNV-1a hash that is the same in every process and on every machine (Swift's `Hasher` is
/// seeded per process): for fingerprints of configurations in checkpoints and names of sweep points.
/// Not cryptographic. Cost: one multiply per byte.
public struct StableHash: Sendable {
    public private(set) var value: UInt64 = 0xcbf2_9ce4_8422_2325

    public init() {}

    /// The hash of `text`'s UTF-8 bytes.
    public init(_ text: String) { combine(text) }

    public mutating func combine(byte: UInt8) {
        value = (value ^ UInt64(byte)) &* 0x0000_0100_0000_01b3
    }

    /// Eight little-endian bytes.
    public mutating func combine(_ word: UInt64) {
        for k in 0..<8 { combine(byte: UInt8(truncatingIfNeeded: word >> (8 * k))) }
    }

    /// The UTF-8 bytes, then a 0xFF separator (never a UTF-8 byte), so "ab"+"c" and "a"+"bc" differ.
    public mutating func combine(_ text: String) {
        for byte in text.utf8 { combine(byte: byte) }
        combine(byte: 0xFF)
    }

    /// The bit patterns of `values` (so −0 and 0, and NaN payloads, differ), then their count.
    public mutating func combine(_ values: [Double]) {
        for x in values { combine(x.bitPattern) }
        combine(UInt64(values.count))
    }

    /// Sixteen lower-case hex digits.
    public var hex: String { Self.hex(value) }

    /// `value` as sixteen lower-case hex digits.
    public static func hex(_ value: UInt64) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }
}
