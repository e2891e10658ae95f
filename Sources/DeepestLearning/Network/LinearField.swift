import NumericCore

/// F(x) = A x with a fixed d×d matrix A and no parameters (MATH.md V1, V2).
public struct LinearField: DepthField {
    public let matrix: [Double]
    public let stateDimension: Int
    public var parameterCount: Int { 0 }

    public init(matrix: [Double], dimension: Int) {
        self.matrix = matrix
        stateDimension = dimension
    }

    public func value(x: UnsafePointer<Double>, theta: UnsafePointer<Double>, into out: UnsafeMutablePointer<Double>) {
        stateTangent(x: x, theta: theta, direction: x, into: out)
    }

    public func stateTangent(x: UnsafePointer<Double>, theta: UnsafePointer<Double>, direction v: UnsafePointer<Double>,
                             into out: UnsafeMutablePointer<Double>) {
        let d = stateDimension
        matrix.withUnsafeBufferPointer { a in BLAS.gemv(m: d, n: d, a: a.baseAddress!, lda: d, x: v, y: out) }
    }

    public func parameterTangent(x: UnsafePointer<Double>, theta: UnsafePointer<Double>, direction eta: UnsafePointer<Double>,
                                 into out: UnsafeMutablePointer<Double>) {
        for i in 0..<stateDimension { out[i] = 0 }
    }

    public func stateAdjoint(x: UnsafePointer<Double>, theta: UnsafePointer<Double>, costate p: UnsafePointer<Double>,
                             into out: UnsafeMutablePointer<Double>) {
        let d = stateDimension
        matrix.withUnsafeBufferPointer { a in BLAS.gemv(m: d, n: d, a: a.baseAddress!, lda: d, transpose: true, x: p, y: out) }
    }

    public func parameterAdjoint(x: UnsafePointer<Double>, theta: UnsafePointer<Double>, costate p: UnsafePointer<Double>,
                                 into out: UnsafeMutablePointer<Double>) {}

    public func jacobians(x: UnsafePointer<Double>, theta: UnsafePointer<Double>, state: UnsafeMutablePointer<Double>,
                          parameter: UnsafeMutablePointer<Double>) {
        for i in 0..<(stateDimension * stateDimension) { state[i] = matrix[i] }
    }

    public func adjointHessian(x: UnsafePointer<Double>, theta: UnsafePointer<Double>, costate p: UnsafePointer<Double>,
                               stateState: UnsafeMutablePointer<Double>, stateParameter: UnsafeMutablePointer<Double>,
                               parameterParameter: UnsafeMutablePointer<Double>) {
        for i in 0..<(stateDimension * stateDimension) { stateState[i] = 0 }
    }
}
