import Foundation
import Testing

/// GSL must run on OpenBLAS's CBLAS, not its reference gslcblas (Debian's libgsl still lists
/// libgslcblas as NEEDED, so the order of the global symbol scope decides). `dlsym(RTLD_DEFAULT, …)`
/// performs the same global lookup that libgsl's own calls to cblas_* go through; the library that
/// holds the address is read from /proc/self/maps.
@Suite struct LinkageTests {
    static func library(containing address: UInt) throws -> String {
        // procfs reports a size of 0, so read to the end instead of trusting stat.
        let handle = try #require(FileHandle(forReadingAtPath: "/proc/self/maps"))
        let maps = String(decoding: try handle.readToEnd() ?? Data(), as: UTF8.self)
        for line in maps.split(separator: "\n") {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            guard fields.count >= 6 else { continue }
            let bounds = fields[0].split(separator: "-").compactMap { UInt($0, radix: 16) }
            if bounds.count == 2, address >= bounds[0], address < bounds[1] { return String(fields[5]) }
        }
        return "?"
    }

    @Test(arguments: ["cblas_dgemm", "cblas_dgemv", "cblas_dtrsv"])
    func cblasSymbolsResolveToOpenBLAS(symbol: String) throws {
        let defaultScope = UnsafeMutableRawPointer(bitPattern: 0)  // RTLD_DEFAULT on glibc
        let address = try #require(dlsym(defaultScope, symbol), "\(symbol) not found")
        let library = try Self.library(containing: UInt(bitPattern: address))
        #expect(library.contains("openblas"), "\(symbol) resolves to \(library)")
    }
}
