// The cost of Span/MutableSpan against raw pointers in a user-facing field closure (DESIGN.md,
// "Library users"): BoundaryValue's `VectorField` is (t, UnsafePointer<Double>, UnsafeMutablePointer<Double>).
// Two fields, each called through a stored @Sendable closure the way the solvers call them:
// Bratu (n = 2, y1' = y2, y2' = -λ e^{y1}) and a dense linear field y' = A y (n = 50).
// Prints ns per call for the pointer closure and for a Span closure (checked subscripts, as a user
// would write it), and their ratio. Build and run: `make bench-span`.
import Foundation

typealias PointerField = @Sendable (Double, UnsafePointer<Double>, UnsafeMutablePointer<Double>) -> Void
typealias SpanField = @Sendable (Double, Span<Double>, inout MutableSpan<Double>) -> Void

@inline(never) func runPointer(_ f: PointerField, n: Int, calls: Int) -> (Double, Double) {
    var y = [Double](repeating: 0.1, count: n), dy = [Double](repeating: 0, count: n)
    let start = DispatchTime.now().uptimeNanoseconds
    var checksum = 0.0
    y.withUnsafeMutableBufferPointer { yb in
        dy.withUnsafeMutableBufferPointer { db in
            for k in 0..<calls {
                yb[k % n] += 1e-12
                f(Double(k), UnsafePointer(yb.baseAddress!), db.baseAddress!)
                checksum += db[k % n]
            }
        }
    }
    return (Double(DispatchTime.now().uptimeNanoseconds - start) / Double(calls), checksum)
}

@inline(never) func runSpan(_ f: SpanField, n: Int, calls: Int) -> (Double, Double) {
    var y = [Double](repeating: 0.1, count: n), dy = [Double](repeating: 0, count: n)
    let start = DispatchTime.now().uptimeNanoseconds
    var checksum = 0.0
    for k in 0..<calls {
        y[k % n] += 1e-12
        var out = dy.mutableSpan
        f(Double(k), y.span, &out)
        checksum += dy[k % n]
    }
    return (Double(DispatchTime.now().uptimeNanoseconds - start) / Double(calls), checksum)
}

let lambda = 1.0
let bratuPointer: PointerField = { _, y, dy in dy[0] = y[1]; dy[1] = -lambda * exp(y[0]) }
let bratuSpan: SpanField = { _, y, dy in dy[0] = y[1]; dy[1] = -lambda * exp(y[0]) }
let n = 50
let matrix = (0..<(n * n)).map { Double(($0 * 7919) % 101) / 101 - 0.5 }
let linearPointer: PointerField = { _, y, dy in
    matrix.withUnsafeBufferPointer { a in
        for i in 0..<n {
            var s = 0.0
            for j in 0..<n { s += a[i * n + j] * y[j] }
            dy[i] = s
        }
    }
}
let linearSpan: SpanField = { _, y, dy in
    let a = matrix.span
    for i in 0..<n {
        var s = 0.0
        for j in 0..<n { s += a[i * n + j] * y[j] }
        dy[i] = s
    }
}

print("field        n   pointer ns/call  span ns/call  span/pointer")
for (name, dimension, pointer, span, calls) in [("bratu", 2, bratuPointer, bratuSpan, 20_000_000),
                                                ("linear", n, linearPointer, linearSpan, 400_000)] {
    var best = (Double.infinity, Double.infinity)
    var checks = (0.0, 0.0)
    for _ in 0..<5 {
        let p = runPointer(pointer, n: dimension, calls: calls), s = runSpan(span, n: dimension, calls: calls)
        best = (min(best.0, p.0), min(best.1, s.0))
        checks = (p.1, s.1)
    }
    print(String(format: "%-8@ %4d  %15.2f  %12.2f  %12.3f   (checksums %.6e %.6e)", name as NSString, dimension, best.0, best.1,
                 best.1 / best.0, checks.0, checks.1))
}
