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
    /// The derivatives of the tangent g = (∂ₓF)v + (∂_θF)η in x (d×d) and θ (d×q), i.e. the second
    /// derivative of F contracted with the direction (v, η): D²F[(v, η), ·]. The Lagrangian form's
    /// Jacobian needs it (Notes/deepest-learning-action.md §6a). A default built from `adjointHessian`
    /// with unit costates (exact, O(d) Hessian calls) serves fields that do not override it.
    func tangentDerivatives(x: UnsafePointer<Double>, theta: UnsafePointer<Double>, stateDirection v: UnsafePointer<Double>,
                            parameterDirection eta: UnsafePointer<Double>, state: UnsafeMutablePointer<Double>,
                            parameter: UnsafeMutablePointer<Double>)
}
