import Foundation

/// A versioned snapshot of a long run, from which it continues bitwise as if never stopped
/// (Notes/checkpoints.md): named arrays of 64-bit words (counters, random-stream states, flags) and of
/// doubles (states, per-path results; stored as bit patterns, so they come back bit for bit) and named
/// texts (statuses), tagged
/// with the run's `kind` and `CheckpointFingerprint`. `read` refuses, with a one-line
/// `CheckpointError`, a file of another format version, package version, kind, configuration or seed.
///
/// File layout (little-endian): the magic "DPSTCKPT", the format version (UInt32), the package version,
/// the kind, the configuration hash and the seed (UInt64), the sections sorted by name (type byte: 0
/// words, 1 doubles, 2 text; name; count and values, or the text), then an FNV-1a checksum of everything before it (`StableHash`). Strings are a
/// UInt32 length and UTF-8 bytes. `write` is atomic: a temporary file beside the target, flushed to disk,
/// then renamed, so a run killed at any instant leaves the previous checkpoint or the new one.
/// Cost: O(values) to encode and decode, 8 bytes per value.
public struct Checkpoint: Sendable, Equatable {
    /// The layout above; raise it when the layout changes.
    public static let formatVersion: UInt32 = 1
    static let magic = Array("DPSTCKPT".utf8)

    public let kind: String
    public let fingerprint: CheckpointFingerprint
    public var words: [String: [UInt64]]
    public var reals: [String: [Double]]
    public var texts: [String: String]

    public init(kind: String, fingerprint: CheckpointFingerprint, words: [String: [UInt64]] = [:], reals: [String: [Double]] = [:],
                texts: [String: String] = [:]) {
        self.kind = kind
        self.fingerprint = fingerprint
        self.words = words
        self.reals = reals
        self.texts = texts
    }

    /// The single word `name` as an Int (a counter), or a `CheckpointError` naming the file.
    public func integer(_ name: String, file: URL) throws -> Int {
        guard let value = words[name], value.count == 1, value[0] <= UInt64(Int.max) else {
            throw CheckpointError.corrupt(file, "no counter \(name)")
        }
        return Int(value[0])
    }

    /// The word array `name`, or a `CheckpointError` when it is missing or not `count` long.
    public func words(_ name: String, count: Int? = nil, file: URL) throws -> [UInt64] {
        guard let value = words[name], count == nil || value.count == count else { throw CheckpointError.corrupt(file, "no section \(name)") }
        return value
    }

    /// The double array `name`, or a `CheckpointError` when it is missing or not `count` long.
    public func reals(_ name: String, count: Int? = nil, file: URL) throws -> [Double] {
        guard let value = reals[name], count == nil || value.count == count else { throw CheckpointError.corrupt(file, "no section \(name)") }
        return value
    }

    // MARK: Encoding

    /// The file's bytes.
    public func encoded() -> Data {
        var bytes = Self.magic
        func put(_ word: UInt64, _ width: Int = 8) { for k in 0..<width { bytes.append(UInt8(truncatingIfNeeded: word >> (8 * k))) } }
        func put(_ text: String) {
            let utf8 = Array(text.utf8)
            put(UInt64(utf8.count), 4)
            bytes.append(contentsOf: utf8)
        }
        put(UInt64(fingerprint.formatVersion), 4)
        put(fingerprint.packageVersion)
        put(kind)
        put(fingerprint.configuration)
        put(fingerprint.seed)
        let sections = words.keys.map { ($0, UInt8(0)) } + reals.keys.map { ($0, UInt8(1)) } + texts.keys.map { ($0, UInt8(2)) }
        put(UInt64(sections.count), 4)
        for (name, type) in sections.sorted(by: { ($0.0, $0.1) < ($1.0, $1.1) }) {
            bytes.append(type)
            put(name)
            if type == 2 {
                put(texts[name]!)
            } else if type == 0 {
                let values = words[name]!
                put(UInt64(values.count))
                bytes.reserveCapacity(bytes.count + 8 * values.count)
                for v in values { put(v) }
            } else {
                let values = reals[name]!
                put(UInt64(values.count))
                bytes.reserveCapacity(bytes.count + 8 * values.count)
                for v in values { put(v.bitPattern) }
            }
        }
        var hash = StableHash()
        for byte in bytes { hash.combine(byte: byte) }
        put(hash.value)
        return Data(bytes)
    }

    /// Decodes `data` (the bytes of `file`, named in errors). Throws `CheckpointError.corrupt` for a
    /// file that is not a checkpoint, is truncated or fails its checksum, and `.mismatch` for another
    /// format version (the rest of the layout may then differ).
    public init(decoding data: Data, file: URL) throws {
        let bytes = [UInt8](data)
        var offset = 0
        func take(_ count: Int) throws -> ArraySlice<UInt8> {
            guard count >= 0, count <= bytes.count - offset else { throw CheckpointError.corrupt(file, "truncated") }
            defer { offset += count }
            return bytes[offset..<(offset + count)]
        }
        func word(_ width: Int = 8) throws -> UInt64 {
            try take(width).enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * $1.offset) }
        }
        func text() throws -> String {
            let count = Int(try word(4))
            guard let value = String(bytes: try take(count), encoding: .utf8) else { throw CheckpointError.corrupt(file, "a name is not UTF-8") }
            return value
        }
        guard bytes.count >= 16, Array(bytes.prefix(8)) == Self.magic else { throw CheckpointError.corrupt(file, "not a deepest checkpoint") }
        var hash = StableHash()
        for byte in bytes.dropLast(8) { hash.combine(byte: byte) }
        offset = 8
        let format = UInt32(try word(4))
        guard format == Self.formatVersion else {
            throw CheckpointError.mismatch(file, "checkpoint format", "\(format)", "\(Self.formatVersion)")
        }
        offset = bytes.count - 8
        guard try word() == hash.value else { throw CheckpointError.corrupt(file, "checksum mismatch") }
        offset = 12
        let package = try text()
        kind = try text()
        let configuration = try word(), seed = try word()
        fingerprint = CheckpointFingerprint(formatVersion: format, packageVersion: package, configuration: configuration, seed: seed)
        words = [:]
        reals = [:]
        texts = [:]
        let sections = Int(try word(4))
        for _ in 0..<sections {
            let type = try take(1).first!
            let name = try text()
            if type == 2 {
                texts[name] = try text()
                continue
            }
            let count = try word()
            guard count <= UInt64(bytes.count - offset) / 8 else { throw CheckpointError.corrupt(file, "truncated") }
            var values = [UInt64](repeating: 0, count: Int(count))
            for i in 0..<values.count { values[i] = try word() }
            switch type {
            case 0: words[name] = values
            case 1: reals[name] = values.map(Double.init(bitPattern:))
            default: throw CheckpointError.corrupt(file, "unknown section type \(type)")
            }
        }
        guard offset == bytes.count - 8 else { throw CheckpointError.corrupt(file, "trailing bytes") }
    }

    // MARK: Files

    /// Writes the checkpoint to `file` atomically (temporary file, fsync, rename). Throws
    /// `CheckpointError.unwritable` naming the file.
    public func write(to file: URL) throws {
        let temporary = file.deletingLastPathComponent().appendingPathComponent(".\(file.lastPathComponent).\(getpid()).tmp")
        let data = encoded()
        let descriptor = open(temporary.path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard descriptor >= 0 else { throw CheckpointError.unwritable(file, String(cString: strerror(errno))) }
        let written = data.withUnsafeBytes { buffer -> Bool in
            var done = 0
            while done < buffer.count {
                let n = Foundation.write(descriptor, buffer.baseAddress! + done, buffer.count - done)
                if n < 0 && errno == EINTR { continue }
                guard n > 0 else { return false }
                done += n
            }
            return true
        }
        let reason = String(cString: strerror(errno))
        let synced = written && fsync(descriptor) == 0
        close(descriptor)
        guard synced, rename(temporary.path, file.path) == 0 else {
            unlink(temporary.path)
            throw CheckpointError.unwritable(file, written ? String(cString: strerror(errno)) : reason)
        }
    }

    /// The checkpoint in `file`, or nil when there is none; refused (`CheckpointError.mismatch`) unless
    /// its kind and fingerprint are `kind` and `fingerprint`.
    public static func read(from file: URL, kind: String, fingerprint: CheckpointFingerprint) throws -> Checkpoint? {
        guard FileManager.default.fileExists(atPath: file.path) else { return nil }
        guard let data = FileManager.default.contents(atPath: file.path) else { throw CheckpointError.corrupt(file, "cannot be read") }
        let checkpoint = try Checkpoint(decoding: data, file: file)
        try checkpoint.check(kind: kind, fingerprint: fingerprint, file: file)
        return checkpoint
    }

    /// Throws `CheckpointError.mismatch` naming the first field that differs.
    public func check(kind expectedKind: String, fingerprint expected: CheckpointFingerprint, file: URL) throws {
        let recorded = fingerprint
        if kind != expectedKind { throw CheckpointError.mismatch(file, "run kind", kind, expectedKind) }
        if recorded.packageVersion != expected.packageVersion {
            throw CheckpointError.mismatch(file, "package version", recorded.packageVersion, expected.packageVersion)
        }
        if recorded.seed != expected.seed { throw CheckpointError.mismatch(file, "seed", "\(recorded.seed)", "\(expected.seed)") }
        if recorded.configuration != expected.configuration {
            throw CheckpointError.mismatch(file, "configuration hash", recorded.configurationHex, expected.configurationHex)
        }
    }
}

/// What a checkpoint must match to be resumed: the format and package versions, a hash of the run's
/// configuration (a canonical text the run composes: its options, sizes and a hash of its start) and
/// the seed (kept apart so that the refusal can name it).
public struct CheckpointFingerprint: Sendable, Equatable {
    public let formatVersion: UInt32
    public let packageVersion: String
    public let configuration: UInt64
    public let seed: UInt64

    /// The fingerprint of this package version for `configuration` (hashed by `StableHash`) and `seed`.
    public init(configuration: String, seed: UInt64) {
        self.init(formatVersion: Checkpoint.formatVersion, packageVersion: PackageVersion.current,
                  configuration: StableHash(configuration).value, seed: seed)
    }

    public init(formatVersion: UInt32, packageVersion: String, configuration: UInt64, seed: UInt64) {
        self.formatVersion = formatVersion
        self.packageVersion = packageVersion
        self.configuration = configuration
        self.seed = seed
    }

    var configurationHex: String { StableHash.hex(configuration) }
}

/// A checkpoint that cannot be used or written, in one line naming the file.
public enum CheckpointError: Error, CustomStringConvertible, Equatable {
    /// Not a checkpoint, truncated, or failing its checksum.
    case corrupt(URL, String)
    /// Written by another format or package version, run kind, seed or configuration.
    case mismatch(URL, String, String, String)
    case unwritable(URL, String)
    /// The test hook `CheckpointPolicy.afterWrite` stopped the run after a checkpoint.
    case halted(Int)

    public var description: String {
        switch self {
        case let .corrupt(file, reason):
            return "checkpoint \(file.path) is unusable (\(reason)): remove it or choose another checkpoint folder"
        case let .mismatch(file, field, recorded, expected):
            return "checkpoint \(file.path) was written with \(field) \(recorded), this run has \(expected): refused "
                + "(remove it or choose another checkpoint folder)"
        case let .unwritable(file, reason):
            return "cannot write checkpoint \(file.path): \(reason)"
        case let .halted(count):
            return "stopped after checkpoint \(count) (test hook)"
        }
    }
}

extension CheckpointError {
    /// Whether the checkpoint was refused (corrupt or mismatched: bad input) rather than not written.
    public var isRefusal: Bool {
        switch self {
        case .corrupt, .mismatch: return true
        case .unwritable, .halted: return false
        }
    }
}
