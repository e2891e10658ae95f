import NumericCore

/// The fixed map from data inputs (dimension m) to the network state x(0) ∈ R^d, d ≥ m.
///
/// Zero padding puts the input in the first m coordinates (Haber–Ruthotto's swiss roll: 2 → 4).
/// A linear lift uses a fixed d×m matrix (Li et al.'s sine problem replicates x to 5 nodes, the
/// matrix of ones). The lift has no trainable parameters. Cost O(dm) per sample.
public enum InputLift: Sendable, Hashable {
    case zeroPadding(inputDimension: Int, width: Int)
    /// `matrix` is width × inputDimension, row-major.
    case linear(matrix: [Double], inputDimension: Int, width: Int)

    /// Zero padding from `inputDimension` to `width`; throws when width < inputDimension.
    public static func padding(from inputDimension: Int, to width: Int) throws -> InputLift {
        try Validate.positive(inputDimension, "inputDimension")
        guard width >= inputDimension else {
            throw InvalidArgument("width", width, "must be >= the input dimension \(inputDimension)")
        }
        return .zeroPadding(inputDimension: inputDimension, width: width)
    }

    /// The lift that copies the input into every block of `width` coordinates (replication).
    public static func replication(from inputDimension: Int, to width: Int) throws -> InputLift {
        try Validate.positive(inputDimension, "inputDimension")
        guard width >= inputDimension else {
            throw InvalidArgument("width", width, "must be >= the input dimension \(inputDimension)")
        }
        var matrix = [Double](repeating: 0, count: width * inputDimension)
        for i in 0..<width { matrix[i * inputDimension + i % inputDimension] = 1 }
        return .linear(matrix: matrix, inputDimension: inputDimension, width: width)
    }

    public var inputDimension: Int {
        switch self {
        case .zeroPadding(let m, _), .linear(_, let m, _): return m
        }
    }

    public var width: Int {
        switch self {
        case .zeroPadding(_, let d), .linear(_, _, let d): return d
        }
    }

    /// x = lift(input): writes `width` numbers.
    @inlinable public func apply(_ input: UnsafePointer<Double>, into x: UnsafeMutablePointer<Double>) {
        switch self {
        case .zeroPadding(let m, let d):
            x.update(from: input, count: m)
            for i in m..<d { x[i] = 0 }
        case .linear(let matrix, let m, let d):
            matrix.withUnsafeBufferPointer { a in
                for i in 0..<d {
                    var sum = 0.0
                    for j in 0..<m { sum += a[i * m + j] * input[j] }
                    x[i] = sum
                }
            }
        }
    }

    /// The transpose of the lift applied to a gradient with respect to x(0) (width numbers): the
    /// gradient with respect to the input (inputDimension numbers), ∂ℓ/∂input = Lᵀ ∂ℓ/∂x(0).
    public func pullback(_ gradient: [Double]) -> [Double] {
        switch self {
        case .zeroPadding(let m, _): return Array(gradient[0..<m])
        case .linear(let matrix, let m, let d):
            var out = [Double](repeating: 0, count: m)
            for i in 0..<d { for j in 0..<m { out[j] += matrix[i * m + j] * gradient[i] } }
            return out
        }
    }

    /// Array form of `apply`.
    public func apply(_ input: [Double]) -> [Double] {
        var x = [Double](repeating: 0, count: width)
        input.withUnsafeBufferPointer { i in x.withUnsafeMutableBufferPointer { apply(i.baseAddress!, into: $0.baseAddress!) } }
        return x
    }
}
