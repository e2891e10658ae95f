@preconcurrency import CGSL

/// Elementwise transcendental functions over arrays, through glibc's vector math library (libmvec):
/// several lanes per instruction instead of one libm call per element.
public enum VectorMath {
    /// x_i ← tanh(x_i) for i < count, in place. On x86-64 with glibc ≥ 2.35 this is libmvec's tanh (AVX2,
    /// 4 lanes, when available; else SSE2, 2 lanes), within a few ulp of libm's tanh and about 3.5x
    /// faster with AVX2; elsewhere it is libm's tanh. Each result depends on its own input only (not on
    /// its position or the count), so callers stay bitwise reproducible.
    @inlinable
    public static func tanh(_ x: UnsafeMutablePointer<Double>, count: Int) {
        guard count > 0 else { return }
        deepest_vector_tanh(x, count)
    }
}
