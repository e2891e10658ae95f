@preconcurrency import CGSL
import Foundation
import NumericCore
import Testing

/// The code of Sources/NumericCore/NumericCore.docc/GettingStarted.md, checked against mathematics.
/// Plain `import` of NumericCore (no @testable), so the article uses only public API.
@Suite struct GettingStartedExampleTests {
    /// Per-path streams: path 42 rerun alone gives the same bits; the mean of Z² over 10⁶ variates is
    /// 1 within 5 standard errors (Var Z² = 2).
    @Test func randomStreamsPerSeedAndIndex() {
        let seed: UInt64 = 2026, paths = 10_000, draws = 100
        var secondMoments = [Double](repeating: 0, count: paths)
        secondMoments.withUnsafeMutableBufferPointer { buffer in
            let out = SharedMutablePointer(buffer.baseAddress!)
            Parallel.forEach(paths) { k in
                var stream = XoshiroRandomStream(seed: seed, index: UInt64(k))
                var sum = 0.0
                for _ in 0..<draws { let z = stream.gaussian(); sum += z * z }
                out[k] = sum / Double(draws)
            }
        }
        // Path 42 alone, on this thread: the same numbers, bit for bit.
        var stream = XoshiroRandomStream(seed: seed, index: 42)
        var sum = 0.0
        for _ in 0..<draws { let z = stream.gaussian(); sum += z * z }
        #expect(sum / Double(draws) == secondMoments[42])
        let mean = secondMoments.reduce(0, +) / Double(paths)
        #expect(abs(mean - 1) < 5 * (2.0 / Double(paths * draws)).squareRoot(), "mean \(mean)")
    }

    /// Forward differences have order 1, central differences order 2 with constant |f'''(1)|/6 = cos(1)/6.
    @Test func orderFitOfDifferenceQuotients() throws {
        let h = (2...8).map { pow(2.0, -Double($0)) }
        let forward = h.map { abs((sin(1 + $0) - sin(1)) / $0 - cos(1)) }
        let central = h.map { abs((sin(1 + $0) - sin(1 - $0)) / (2 * $0) - cos(1)) }
        let first = try OrderFit.fit(steps: h, errors: forward)
        let second = try OrderFit.fit(steps: h, errors: central)
        #expect(abs(first.order - 1) < 0.05, "\(first)")
        #expect(abs(second.order - 2) < 0.01, "\(second)")
        #expect(second.ci95.contains(2), "\(second)")
        #expect(abs(second.constant - cos(1) / 6) < 0.01 * cos(1) / 6, "\(second.constant)")
    }

    /// Rosenbrock's minimum 0 at (1, 1).
    @Test func limitedMemoryBFGSOnRosenbrock() throws {
        let minimizer = try LimitedMemoryBFGS(memory: 10, gradientTolerance: 1e-10, maximumIterations: 1000)
        let result = minimizer.minimize(start: [-1.2, 1]) { u, g in
            let a = 1 - u[0], b = u[1] - u[0] * u[0]
            g = [-2 * a - 400 * u[0] * b, 200 * b]
            return a * a + 100 * b * b
        }
        #expect(result.status == .converged)
        #expect(abs(result.point[0] - 1) < 1e-8 && abs(result.point[1] - 1) < 1e-8, "\(result.point)")
    }

    /// Invalid input names the argument; GSL's Cholesky of an indefinite matrix throws GSL_EDOM instead
    /// of aborting.
    @Test func invalidArgumentsAndGSLErrors() throws {
        var caught: InvalidArgument?
        do {
            _ = try OrderFit.fit(steps: [0.1, 0.05], errors: [1e-3, 0])
        } catch let error as InvalidArgument {
            caught = error
        }
        #expect(caught?.argument == "errors[1]")

        let matrix = gsl_matrix_alloc(2, 2)!
        defer { gsl_matrix_free(matrix) }
        gsl_matrix_set_all(matrix, 2)
        gsl_matrix_set(matrix, 0, 0, 1)   // [[1, 2], [2, 2]] is not positive definite
        var gslError: GSLError?
        do {
            _ = try GSLErrorBridge.call { gsl_linalg_cholesky_decomp1(matrix) }
        } catch let error as GSLError {
            gslError = error
        }
        #expect(gslError?.code == Int32(GSL_EDOM))
        #expect(gslError?.reason.contains("positive definite") == true, "\(String(describing: gslError))")
    }
}
