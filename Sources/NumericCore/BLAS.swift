@preconcurrency import CGSL

/// Thin wrappers over CBLAS (OpenBLAS, linked through CGSL) on row-major storage.
///
/// `gemm` computes C ← α·op(A)·op(B) + β·C and `gemv` y ← α·op(A)·x + β·y with op(X) = X or Xᵀ. The
/// pointer forms are for hot loops (no allocation); the array forms for convenience. Leading
/// dimensions are row strides.
public enum BLAS {
    /// C (m × n) ← α·op(A)·op(B) + β·C, with op(A) m × k and op(B) k × n.
    @inlinable
    public static func gemm(
        m: Int, n: Int, k: Int, alpha: Double = 1,
        a: UnsafePointer<Double>, lda: Int, transposeA: Bool = false,
        b: UnsafePointer<Double>, ldb: Int, transposeB: Bool = false,
        beta: Double = 0, c: UnsafeMutablePointer<Double>, ldc: Int
    ) {
        guard m > 0, n > 0 else { return }
        Parallel.useSingleThreadedBLAS()
        cblas_dgemm(CblasRowMajor, transposeA ? CblasTrans : CblasNoTrans, transposeB ? CblasTrans : CblasNoTrans,
                    Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
    }

    /// y (length rows of op(A)) ← α·op(A)·x + β·y, A stored m × n.
    @inlinable
    public static func gemv(
        m: Int, n: Int, alpha: Double = 1, a: UnsafePointer<Double>, lda: Int, transpose: Bool = false,
        x: UnsafePointer<Double>, beta: Double = 0, y: UnsafeMutablePointer<Double>
    ) {
        guard m > 0, n > 0 else { return }
        Parallel.useSingleThreadedBLAS()
        cblas_dgemv(CblasRowMajor, transpose ? CblasTrans : CblasNoTrans, Int32(m), Int32(n), alpha, a, Int32(lda),
                    x, 1, beta, y, 1)
    }

    /// The product A·B of a row-major m × k matrix and a k × n matrix.
    /// - Throws: `InvalidArgument` when the element counts do not match the shapes.
    public static func multiply(_ a: [Double], _ b: [Double], m: Int, k: Int, n: Int) throws -> [Double] {
        try Validate.count(a.count, m * k, "a")
        try Validate.count(b.count, k * n, "b")
        var c = [Double](repeating: 0, count: m * n)
        a.withUnsafeBufferPointer { pa in
            b.withUnsafeBufferPointer { pb in
                c.withUnsafeMutableBufferPointer { pc in
                    if let x = pa.baseAddress, let y = pb.baseAddress, let z = pc.baseAddress {
                        gemm(m: m, n: n, k: k, a: x, lda: k, b: y, ldb: n, c: z, ldc: n)
                    }
                }
            }
        }
        return c
    }

    /// The product A·x of a row-major m × n matrix and a vector of length n.
    public static func multiply(_ a: [Double], vector x: [Double], m: Int, n: Int) throws -> [Double] {
        try Validate.count(a.count, m * n, "a")
        try Validate.count(x.count, n, "x")
        var y = [Double](repeating: 0, count: m)
        a.withUnsafeBufferPointer { pa in
            x.withUnsafeBufferPointer { px in
                y.withUnsafeMutableBufferPointer { py in
                    if let u = pa.baseAddress, let v = px.baseAddress, let w = py.baseAddress {
                        gemv(m: m, n: n, a: u, lda: n, x: v, y: w)
                    }
                }
            }
        }
        return y
    }
}
