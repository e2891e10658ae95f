import NumericCore

/// The shape of the diffusion term b(t, X) dW of an Itô SDE in R^n, which fixes the number m of Wiener
/// processes, the layout of b, and which Milstein correction applies (Notes/sde-schemes.md).
public enum NoiseStructure: Sendable, Equatable, CustomStringConvertible {
    /// One Wiener process (m = 1); b(t, x) is an n-vector.
    case scalar
    /// n independent Wiener processes, b_i depending on x_i only; b is stored as its diagonal (n entries).
    case diagonal
    /// m Wiener processes, b(t) independent of X (n×m, row-major). Euler–Maruyama is strong order 1.
    case additive(dimensions: Int)
    /// m Wiener processes, b(t, x) a general n×m matrix (row-major). Milstein needs `commutative`:
    /// L^{j1} b_{·,j2} = L^{j2} b_{·,j1} for all j1, j2, where L^j = Σ_k b_{kj} ∂_k.
    case general(dimensions: Int, commutative: Bool)

    /// Number of Wiener processes m.
    public func wienerDimension(stateDimension n: Int) -> Int {
        switch self {
        case .scalar: return 1
        case .diagonal: return n
        case .additive(let m), .general(let m, _): return m
        }
    }

    /// Number of entries of b(t, x) as returned by `diffusion`: n for scalar and diagonal noise, n·m otherwise.
    public func diffusionCount(stateDimension n: Int) -> Int {
        switch self {
        case .scalar, .diagonal: return n
        case .additive(let m), .general(let m, _): return n * m
        }
    }

    /// Number of entries `diffusionDerivative` fills for Milstein: n for scalar noise (L¹b), n for diagonal
    /// noise (∂b_i/∂x_i), n·m·m for general commutative noise (L^{j1} b_{i,j2} at [(i·m + j1)·m + j2]),
    /// 0 for additive noise (no correction).
    public func derivativeCount(stateDimension n: Int) -> Int {
        switch self {
        case .scalar, .diagonal: return n
        case .additive: return 0
        case .general(let m, _): return n * m * m
        }
    }

    public var description: String {
        switch self {
        case .scalar: return "scalar"
        case .diagonal: return "diagonal"
        case .additive(let m): return "additive (m = \(m))"
        case .general(let m, let commutative): return "general (m = \(m), \(commutative ? "commutative" : "non-commutative"))"
        }
    }
}
