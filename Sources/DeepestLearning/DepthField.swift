/// A layer field F(x, θ), x ∈ R^d, θ ∈ R^q, with the first and second derivative products that the
/// boundary value formulations of the training action need (MATH.md §1.3–1.5):
///
/// - value F, tangents (∂ₓF)v and (∂_θF)η;
/// - adjoints (∂ₓF)ᵀp and ∂_θ[p·F] = (∂_θF)ᵀp;
/// - the Hessian of the scalar p·F: H_xx = ∂ₓ[(∂ₓF)ᵀp] (d×d), H_xθ = ∂_θ[(∂ₓF)ᵀp] (d×q),
///   H_θθ = ∂_θ[∂_θ(p·F)] (q×q); ∂ₓ[∂_θ(p·F)] = H_xθᵀ.
/// Matrices are row-major. Conformances write into the given buffers and allocate nothing.
public protocol DepthField: Sendable {
    var stateDimension: Int { get }
    var parameterCount: Int { get }
    func value(x: UnsafePointer<Double>, theta: UnsafePointer<Double>, into out: UnsafeMutablePointer<Double>)
    func stateTangent(x: UnsafePointer<Double>, theta: UnsafePointer<Double>, direction v: UnsafePointer<Double>,
                      into out: UnsafeMutablePointer<Double>)
    func parameterTangent(x: UnsafePointer<Double>, theta: UnsafePointer<Double>, direction eta: UnsafePointer<Double>,
                          into out: UnsafeMutablePointer<Double>)
    func stateAdjoint(x: UnsafePointer<Double>, theta: UnsafePointer<Double>, costate p: UnsafePointer<Double>,
                      into out: UnsafeMutablePointer<Double>)
    func parameterAdjoint(x: UnsafePointer<Double>, theta: UnsafePointer<Double>, costate p: UnsafePointer<Double>,
                          into out: UnsafeMutablePointer<Double>)
    /// ∂ₓF (d×d) and ∂_θF (d×q).
    func jacobians(x: UnsafePointer<Double>, theta: UnsafePointer<Double>, state: UnsafeMutablePointer<Double>,
                   parameter: UnsafeMutablePointer<Double>)
    /// H_xx (d×d), H_xθ (d×q), H_θθ (q×q) of p·F.
    func adjointHessian(x: UnsafePointer<Double>, theta: UnsafePointer<Double>, costate p: UnsafePointer<Double>,
                        stateState: UnsafeMutablePointer<Double>, stateParameter: UnsafeMutablePointer<Double>,
                        parameterParameter: UnsafeMutablePointer<Double>)
}

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
        for i in 0..<d {
            var s = 0.0
            for j in 0..<d { s += matrix[i * d + j] * v[j] }
            out[i] = s
        }
    }

    public func parameterTangent(x: UnsafePointer<Double>, theta: UnsafePointer<Double>, direction eta: UnsafePointer<Double>,
                                 into out: UnsafeMutablePointer<Double>) {
        for i in 0..<stateDimension { out[i] = 0 }
    }

    public func stateAdjoint(x: UnsafePointer<Double>, theta: UnsafePointer<Double>, costate p: UnsafePointer<Double>,
                             into out: UnsafeMutablePointer<Double>) {
        let d = stateDimension
        for j in 0..<d {
            var s = 0.0
            for i in 0..<d { s += matrix[i * d + j] * p[i] }
            out[j] = s
        }
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

/// The scalar bilinear field F(x, θ) = θ x (d = q = 1; MATH.md V4).
public struct BilinearField: DepthField {
    public init() {}
    public var stateDimension: Int { 1 }
    public var parameterCount: Int { 1 }

    public func value(x: UnsafePointer<Double>, theta: UnsafePointer<Double>, into out: UnsafeMutablePointer<Double>) {
        out[0] = theta[0] * x[0]
    }
    public func stateTangent(x: UnsafePointer<Double>, theta: UnsafePointer<Double>, direction v: UnsafePointer<Double>,
                             into out: UnsafeMutablePointer<Double>) { out[0] = theta[0] * v[0] }
    public func parameterTangent(x: UnsafePointer<Double>, theta: UnsafePointer<Double>, direction eta: UnsafePointer<Double>,
                                 into out: UnsafeMutablePointer<Double>) { out[0] = x[0] * eta[0] }
    public func stateAdjoint(x: UnsafePointer<Double>, theta: UnsafePointer<Double>, costate p: UnsafePointer<Double>,
                             into out: UnsafeMutablePointer<Double>) { out[0] = theta[0] * p[0] }
    public func parameterAdjoint(x: UnsafePointer<Double>, theta: UnsafePointer<Double>, costate p: UnsafePointer<Double>,
                                 into out: UnsafeMutablePointer<Double>) { out[0] = x[0] * p[0] }
    public func jacobians(x: UnsafePointer<Double>, theta: UnsafePointer<Double>, state: UnsafeMutablePointer<Double>,
                          parameter: UnsafeMutablePointer<Double>) {
        state[0] = theta[0]
        parameter[0] = x[0]
    }
    public func adjointHessian(x: UnsafePointer<Double>, theta: UnsafePointer<Double>, costate p: UnsafePointer<Double>,
                               stateState: UnsafeMutablePointer<Double>, stateParameter: UnsafeMutablePointer<Double>,
                               parameterParameter: UnsafeMutablePointer<Double>) {
        stateState[0] = 0
        stateParameter[0] = p[0]
        parameterParameter[0] = 0
    }
}
