import CMPI
import NumericCore

/// The ranks of MPI_COMM_WORLD as a `ProcessGroup` (Open MPI through CMPI), for `deepest-mpi`.
///
/// `start()` initialises MPI (MPI_THREAD_FUNNELED: only the main thread calls MPI, between the
/// package's parallel loops). Run without `mpirun`, Open MPI starts a singleton: one rank, size 1,
/// the same results as `deepest`. `allGather` is MPI_Allgather of the lengths, then MPI_Allgatherv of the
/// bytes in rounds of at most 2^30 bytes over all ranks (MPI counts are 32-bit). Cost per call: two
/// collectives per round, the sum of the lengths received by every rank (Notes/mpi-shards.md).
public struct MPIProcessGroup: ProcessGroup {
    public let rank: Int
    public let size: Int

    /// A one-line reason when MPI could not be initialised.
    public struct StartFailure: Error, CustomStringConvertible {
        public let description: String
    }

    /// Initialises MPI once per process; throws `StartFailure` naming the failed call.
    public static func start() throws -> MPIProcessGroup {
        if cmpi_initialized() == 0 {
            let code = cmpi_init()
            guard code == 0 else { throw StartFailure(description: "MPI_Init_thread failed: \(errorText(code))") }
        }
        var rank: Int32 = 0, size: Int32 = 0
        let rankCode = cmpi_rank(&rank), sizeCode = cmpi_size(&size)
        guard rankCode == 0, sizeCode == 0, size >= 1, rank >= 0, rank < size else {
            throw StartFailure(description: "MPI_Comm_rank/MPI_Comm_size failed: \(errorText(rankCode == 0 ? sizeCode : rankCode))")
        }
        return MPIProcessGroup(rank: Int(rank), size: Int(size))
    }

    /// MPI_Finalize (once, at exit; every rank).
    public func finalize() {
        _ = cmpi_finalize()
    }

    static func errorText(_ code: Int32) -> String {
        var text = [CChar](repeating: 0, count: Int(cmpi_max_error_string()) + 1)
        cmpi_error_string(code, &text)
        let message = String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return message.isEmpty ? "MPI error \(code)" : message
    }

    /// Bytes per round over all ranks (each rank sends at most this / size).
    static let roundBytes = 1 << 30

    public func allGather(_ bytes: [UInt8]) throws -> [[UInt8]] {
        var mine = Int64(bytes.count)
        var lengths = [Int64](repeating: 0, count: size)
        let code = lengths.withUnsafeMutableBufferPointer { cmpi_allgather_int64(&mine, $0.baseAddress!) }
        guard code == 0 else { throw PeerFailure(rank: nil, message: "MPI_Allgather failed: \(Self.errorText(code))", status: 1) }
        guard lengths.allSatisfy({ $0 >= 0 && $0 <= Int64(Int32.max) * Int64(Self.roundBytes) }) else {
            throw PeerFailure(rank: nil, message: "a rank announced an impossible buffer length", status: 1)
        }
        var result = lengths.map { [UInt8](repeating: 0, count: Int($0)) }
        result[rank] = bytes
        let limit = max(1, Self.roundBytes / size)
        let longest = Int(lengths.max() ?? 0)
        var offset = 0
        var counts = [Int32](repeating: 0, count: size), displacements = [Int32](repeating: 0, count: size)
        while offset < longest {
            var total = 0
            for r in 0..<size {
                counts[r] = Int32(max(0, min(Int(lengths[r]) - offset, limit)))
                displacements[r] = Int32(total)
                total += Int(counts[r])
            }
            var received = [UInt8](repeating: 0, count: max(1, total))
            let own = Int(counts[rank])
            let sent: [UInt8] = own > 0 ? Array(bytes[offset..<(offset + own)]) : [0]
            let code = sent.withUnsafeBytes { send in
                received.withUnsafeMutableBytes { receive in
                    cmpi_allgatherv_bytes(send.baseAddress!, Int32(own), receive.baseAddress!, counts, displacements)
                }
            }
            guard code == 0 else { throw PeerFailure(rank: nil, message: "MPI_Allgatherv failed: \(Self.errorText(code))", status: 1) }
            for r in 0..<size where r != rank && counts[r] > 0 {
                let start = Int(displacements[r])
                result[r].replaceSubrange(offset..<(offset + Int(counts[r])), with: received[start..<(start + Int(counts[r]))])
            }
            offset += limit
        }
        return result
    }
}
