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
