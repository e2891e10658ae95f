import Foundation
import NumericCore
import Testing

/// Checkpoint files: every bit comes back, a file of another kind, seed, configuration or package
/// version is refused, a damaged file is refused, and a restored random stream continues bitwise.
@Suite struct CheckpointTests {
    static func folder() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("checkpoint-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    @Test func roundTripKeepsEveryBit() throws {
        let fingerprint = CheckpointFingerprint(configuration: "a run", seed: 7)
        let reals = [0.0, -0.0, .nan, -.infinity, Double.leastNonzeroMagnitude, .pi, Double(bitPattern: 0x7FF8_0000_0000_1234)]
        let checkpoint = Checkpoint(kind: "test", fingerprint: fingerprint, words: ["done": [3], "state": [1, .max, 0]],
                                    reals: ["values": reals, "empty": []], texts: ["status": "success", "note": "ünïcode\nline"])
        let file = try Self.folder().appendingPathComponent("run.ckpt")
        try checkpoint.write(to: file)
        let read = try #require(try Checkpoint.read(from: file, kind: "test", fingerprint: fingerprint))
        #expect(read.words == checkpoint.words)
        #expect(read.texts == checkpoint.texts)
        #expect(try read.reals("values", file: file).map(\.bitPattern) == reals.map(\.bitPattern))
        #expect(try read.reals("empty", file: file).isEmpty)
        #expect(try read.integer("done", file: file) == 3)
        #expect(try Checkpoint.read(from: file.deletingLastPathComponent().appendingPathComponent("none.ckpt"), kind: "test",
                                    fingerprint: fingerprint) == nil)
    }

    @Test func anotherSeedConfigurationKindOrVersionIsRefused() throws {
        let fingerprint = CheckpointFingerprint(configuration: "a run", seed: 7)
        let file = try Self.folder().appendingPathComponent("run.ckpt")
        try Checkpoint(kind: "test", fingerprint: fingerprint, reals: ["x": [1]]).write(to: file)
        let others: [(String, CheckpointFingerprint, String)] = [
            ("test", CheckpointFingerprint(configuration: "a run", seed: 8), "seed 7, this run has 8"),
            ("test", CheckpointFingerprint(configuration: "another run", seed: 7), "configuration hash"),
            ("other", fingerprint, "run kind test, this run has other"),
            ("test", CheckpointFingerprint(formatVersion: Checkpoint.formatVersion, packageVersion: "0.0.1",
                                           configuration: fingerprint.configuration, seed: 7), "package version \(PackageVersion.current)"),
        ]
        for (kind, other, words) in others {
            do {
                _ = try Checkpoint.read(from: file, kind: kind, fingerprint: other)
                Issue.record("accepted \(other)")
            } catch let error as CheckpointError {
                #expect(error.isRefusal)
                #expect(error.description.contains(words), "\(error)")
                #expect(!error.description.contains("\n"))
            }
        }
    }

    @Test func damagedFilesAreRefused() throws {
        let fingerprint = CheckpointFingerprint(configuration: "a run", seed: 7)
        let file = try Self.folder().appendingPathComponent("run.ckpt")
        let bytes = [UInt8](Checkpoint(kind: "test", fingerprint: fingerprint, reals: ["x": [1, 2, 3]]).encoded())
        for damaged in [Array(bytes.prefix(bytes.count - 3)), bytes.enumerated().map { $0.offset == 40 ? $0.element ^ 1 : $0.element },
                        Array("not a checkpoint at all".utf8)] {
            try Data(damaged).write(to: file)
            #expect(throws: CheckpointError.self) { _ = try Checkpoint.read(from: file, kind: "test", fingerprint: fingerprint) }
        }
    }

    @Test func restoredStreamContinuesBitwise() throws {
        var stream = XoshiroRandomStream(seed: 11, index: 3)
        var first = [Double](repeating: 0, count: 1000)
        stream.fillGaussian(&first)
        var restored = try XoshiroRandomStream(seed: 11, index: 3, stateWords: stream.stateWords)
        var expected = [Double](repeating: 0, count: 5000), resumed = expected
        stream.fillGaussian(&expected)
        restored.fillGaussian(&resumed)
        #expect(expected.map(\.bitPattern) == resumed.map(\.bitPattern))
        #expect(throws: InvalidArgument.self) { _ = try XoshiroRandomStream(seed: 1, index: 0, stateWords: [0, 0, 0, 0]) }
    }

    @Test func stableHashIsFixed() {
        // FNV-1a 64 of "a" is 0xaf63dc4c8601ec8c; the separator byte 0xFF follows.
        var hash = StableHash()
        hash.combine(byte: UInt8(ascii: "a"))
        #expect(hash.value == 0xaf63_dc4c_8601_ec8c)
        #expect(StableHash("ab").value != StableHash("a").value)
    }
}
