@preconcurrency import CGSL
import Foundation
import Testing
@testable import NumericCore

@Suite struct GSLErrorBridgeTests {
    @Test func badInputToGSLThrowsInsteadOfAborting() throws {
        // [[1,2],[2,1]] is indefinite: GSL's Cholesky calls the error handler with GSL_EDOM, which
        // with the default handler would abort the process.
        let matrix = gsl_matrix_alloc(2, 2)!
        defer { gsl_matrix_free(matrix) }
        gsl_matrix_set(matrix, 0, 0, 1); gsl_matrix_set(matrix, 0, 1, 2)
        gsl_matrix_set(matrix, 1, 0, 2); gsl_matrix_set(matrix, 1, 1, 1)
        let error = #expect(throws: GSLError.self) {
            try GSLErrorBridge.call { gsl_linalg_cholesky_decomp1(matrix) }
        }
        #expect(error?.code == Int32(GSL_EDOM))
        #expect(error?.reason.contains("positive definite") == true)
        #expect(error?.file.contains("cholesky") == true)
    }

    @Test func firstErrorOfACallIsKept() throws {
        let error = #expect(throws: GSLError.self) {
            try GSLErrorBridge.call { () -> Void in
                let v = gsl_vector_alloc(3)!
                defer { gsl_vector_free(v) }
                let w = gsl_vector_alloc(4)!
                defer { gsl_vector_free(w) }
                _ = gsl_vector_add(v, w)           // first: GSL_EBADLEN
                let m = gsl_matrix_alloc(2, 2)!
                defer { gsl_matrix_free(m) }
                gsl_matrix_set_all(m, 0)
                _ = gsl_linalg_cholesky_decomp1(m)  // second: GSL_EDOM, must be ignored
            }
        }
        #expect(error?.code == Int32(GSL_EBADLEN))
    }

    @Test func errorsOnOneThreadDoNotLeakIntoAnother() throws {
        let buffer = UnsafeMutableBufferPointer<Int32>.allocate(capacity: 64)
        buffer.initialize(repeating: -1)
        defer { buffer.deallocate() }
        let failures = SharedMutablePointer(buffer.baseAddress!)
        Parallel.forEach(64) { i in
            do {
                try GSLErrorBridge.call {
                    let v = gsl_vector_alloc(3)!
                    defer { gsl_vector_free(v) }
                    let w = gsl_vector_alloc(i % 2 == 0 ? 3 : 5)!
                    defer { gsl_vector_free(w) }
                    _ = gsl_vector_add(v, w)
                }
                failures[i] = 0
            } catch let error as GSLError {
                failures[i] = error.code
            } catch {
                failures[i] = -2
            }
        }
        for i in 0..<64 {
            #expect(failures[i] == (i % 2 == 0 ? 0 : Int32(GSL_EBADLEN)), "task \(i)")
        }
    }

    @Test func successfulCallReturnsItsValue() throws {
        let value = try GSLErrorBridge.call { gsl_sf_exp(1.0) }
        #expect(abs(value - M_E) < 1e-15)
    }
}
