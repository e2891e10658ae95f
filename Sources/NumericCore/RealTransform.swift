import CFFTW

/// A real-to-real trigonometric transform of fixed kind and size (FFTW's r2r transforms), with FFTW's
/// unnormalised conventions, stated for each kind below (n = `count`, j, k = 0..<n).
///
/// The plans come from `FFTWPlanCache` (created once per kind, size and placement, reused by every
/// caller), so constructing a `RealTransform` is cheap after the first one of its size, and a value
/// may be shared by any number of threads: `apply` is thread-safe. Cost O(n log n) per call for every
/// n (FFTW handles any size; sizes with only small prime factors are fastest).
///
/// Inverses (unnormalised): DCT-I is its own inverse up to 1/(2(n−1)); DCT-II and DCT-III are inverse
/// to each other up to 1/(2n); DST-I is its own inverse up to 1/(2(n+1)); DST-II and DST-III are
/// inverse to each other up to 1/(2n); DCT-IV and DST-IV are their own inverses up to 1/(2n); the
/// half-complex pair are inverse to each other up to 1/n. `OrthonormalCosineTransform` and `OrthonormalSineTransform`
/// wrap the scaled, orthogonal versions.
public struct RealTransform: Sendable {
    /// The transform kinds, with FFTW's definitions.
    public enum Kind: Hashable, Sendable, CaseIterable {
        /// DCT-I (REDFT00), n >= 2: Y_k = X_0 + (−1)^k X_{n−1} + 2 Σ_{j=1}^{n−2} X_j cos(π j k/(n−1)).
        /// The cosine series at the Chebyshev–Gauss–Lobatto points.
        case dctI
        /// DCT-II (REDFT10): Y_k = 2 Σ_j X_j cos(π (j + 1/2) k / n). Cell-centred values to cosine
        /// coefficients (even symmetry about both ends: the discrete Neumann basis).
        case dctII
        /// DCT-III (REDFT01): Y_k = X_0 + 2 Σ_{j=1}^{n−1} X_j cos(π j (k + 1/2) / n). Cosine
        /// coefficients to cell-centred values; the inverse of DCT-II up to 1/(2n).
        case dctIII
        /// DST-I (RODFT00): Y_k = 2 Σ_j X_j sin(π (j + 1)(k + 1)/(n + 1)). Values at the interior
        /// nodes of a uniform grid with zero ends (the Dirichlet basis) to sine coefficients and back.
        case dstI
        /// DST-II (RODFT10): Y_k = 2 Σ_j X_j sin(π (j + 1/2)(k + 1)/n).
        case dstII
        /// DST-III (RODFT01): Y_k = (−1)^k X_{n−1} + 2 Σ_{j=0}^{n−2} X_j sin(π (j + 1)(k + 1/2)/n).
        case dstIII
        /// DCT-IV (REDFT11): Y_k = 2 Σ_j X_j cos(π (j + 1/2)(k + 1/2)/n), its own inverse up to 1/(2n).
        /// Cell-centred values to the quarter-wave cosines cos((k + 1/2)πx/L): Neumann at 0, Dirichlet at L.
        case dctIV
        /// DST-IV (RODFT11): Y_k = 2 Σ_j X_j sin(π (j + 1/2)(k + 1/2)/n), its own inverse up to 1/(2n).
        /// Cell-centred values to the quarter-wave sines sin((k + 1/2)πx/L): Dirichlet at 0, Neumann at L.
        case dstIV
        /// The real DFT in half-complex order (R2HC): Y_k = Σ_j X_j cos(2π jk/n) for 0 ≤ k ≤ n/2 and
        /// Y_{n−k} = −Σ_j X_j sin(2π jk/n) for 0 < k < n/2 (real and imaginary parts of the DFT).
        /// Periodic values to Fourier coefficients, all real.
        case halfComplexForward
        /// The inverse of `halfComplexForward` up to 1/n (HC2R): X_j = Y_0 + 2 Σ_{0<k<n/2} (Y_k cos(2π jk/n)
        /// − Y_{n−k} sin(2π jk/n)) + Y_{n/2} (−1)^j (the last term for even n only).
        case halfComplexInverse

        @usableFromInline var fftwKind: fftw_r2r_kind {
            switch self {
            case .dctI: return FFTW_REDFT00
            case .dctII: return FFTW_REDFT10
            case .dctIII: return FFTW_REDFT01
            case .dstI: return FFTW_RODFT00
            case .dstII: return FFTW_RODFT10
            case .dstIII: return FFTW_RODFT01
            case .dctIV: return FFTW_REDFT11
            case .dstIV: return FFTW_RODFT11
            case .halfComplexForward: return FFTW_R2HC
            case .halfComplexInverse: return FFTW_HC2R
            }
        }

        /// The smallest size FFTW accepts for this kind.
        public var minimumCount: Int { self == .dctI ? 2 : 1 }

        /// The factor c such that applying the inverse kind after this one multiplies by c
        /// (2(n−1) for DCT-I, 2(n+1) for DST-I, n for the half-complex pair, 2n otherwise).
        public func roundTripFactor(count n: Int) -> Double {
            switch self {
            case .dctI: return Double(2 * (n - 1))
            case .dstI: return Double(2 * (n + 1))
            case .halfComplexForward, .halfComplexInverse: return Double(n)
            default: return Double(2 * n)
            }
        }

        /// The kind that inverts this one up to `roundTripFactor`.
        public var inverse: Kind {
            switch self {
            case .dctI: return .dctI
            case .dctII: return .dctIII
            case .dctIII: return .dctII
            case .dstI: return .dstI
            case .dstII: return .dstIII
            case .dstIII: return .dstII
            case .dctIV: return .dctIV
            case .dstIV: return .dstIV
            case .halfComplexForward: return .halfComplexInverse
            case .halfComplexInverse: return .halfComplexForward
            }
        }
    }

    public let kind: Kind
    public let count: Int
    @usableFromInline let outOfPlace: FFTWPlan
    @usableFromInline let inPlace: FFTWPlan

    /// A transform of `count` points. Throws `InvalidArgument` if `count` is below `kind.minimumCount`.
    public init(_ kind: Kind, count: Int) throws {
        try Validate.atLeast(count, kind.minimumCount, "count")
        self.kind = kind
        self.count = count
        outOfPlace = FFTWPlanCache.plan(.realToReal(kind), count: count, inPlace: false)
        inPlace = FFTWPlanCache.plan(.realToReal(kind), count: count, inPlace: true)
    }

    /// Transforms `count` values from `input` into `output`. The two may be the same buffer (in-place)
    /// or disjoint; partially overlapping buffers are not allowed. Thread-safe; no allocation.
    @inlinable
    public func apply(_ input: UnsafePointer<Double>, _ output: UnsafeMutablePointer<Double>) {
        let source = UnsafeMutablePointer(mutating: input)
        // FFTW's r2r execution with distinct arrays does not write its input.
        fftw_execute_r2r(source == output ? inPlace.plan : outOfPlace.plan, source, output)
    }

    /// Transforms the buffer in place.
    @inlinable
    public func apply(_ values: UnsafeMutableBufferPointer<Double>) {
        precondition(values.count == count, "RealTransform of size \(count) applied to \(values.count) values")
        guard let base = values.baseAddress else { return }
        fftw_execute_r2r(inPlace.plan, base, base)
    }

    /// Transforms the array in place.
    @inlinable
    public func apply(_ values: inout [Double]) {
        values.withUnsafeMutableBufferPointer { apply($0) }
    }

    /// The transform of `values` (a new array).
    public func callAsFunction(_ values: [Double]) -> [Double] {
        var copy = values
        apply(&copy)
        return copy
    }
}
