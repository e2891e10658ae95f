/// A two-point boundary value problem y' = f(t, y) on [start, end] with separated conditions
/// (startCount on y(start), the rest on y(end)), produced by the builders of
/// `ContinuousTrainingProblem`. The closures have exactly the signatures of the BoundaryValue
/// module's `BoundaryValueProblem(dimension:start:end:field:fieldJacobian:boundaryConditions:)` and
/// `BoundaryConditions.separated(startCount:start:startJacobian:end:endJacobian:)`, so a problem
/// built here is handed to the collocation, shooting and Chebyshev solvers unchanged. A nil Jacobian
/// means "use finite differences". Matrices are row-major.
public struct TrainingBoundaryValueProblem: Sendable {
    public typealias Field = @Sendable (_ t: Double, _ y: UnsafePointer<Double>, _ dy: UnsafeMutablePointer<Double>) -> Void
    public typealias FieldJacobian = @Sendable (_ t: Double, _ y: UnsafePointer<Double>,
                                                _ jacobian: UnsafeMutablePointer<Double>) -> Void
    public typealias EndResidual = @Sendable (_ y: UnsafePointer<Double>, _ residual: UnsafeMutablePointer<Double>) -> Void
    public typealias EndJacobian = @Sendable (_ y: UnsafePointer<Double>, _ jacobian: UnsafeMutablePointer<Double>) -> Void

    public let dimension: Int
    public let start: Double
    public let end: Double
    public let field: Field
    public let fieldJacobian: FieldJacobian?
    public let startCount: Int
    public let startResidual: EndResidual
    public let startJacobian: EndJacobian?
    public let endResidual: EndResidual
    public let endJacobian: EndJacobian?
    /// Where each block of unknowns sits in y.
    public let layout: TrainingStateLayout
}

/// Offsets of the blocks of the boundary value state: M samples of width d, q weights, k readout
/// parameters. Hamiltonian form: (x_1..x_M, p_1..p_M, θ, π, readout); Lagrangian form: (x, ẋ, θ, θ',
/// readout); optimal-control form (version a): (x, p, readout).
public struct TrainingStateLayout: Sendable, Hashable {
    public let samples: Int
    public let width: Int
    public let weights: Int
    public let readoutParameters: Int
    /// Whether the θ and conjugate (π or θ') blocks are present (versions b).
    public let hasWeightBlocks: Bool

    public var states: Int { samples * width }
    public var secondOffset: Int { states }
    public var weightOffset: Int { 2 * states }
    public var conjugateOffset: Int { 2 * states + weights }
    public var readoutOffset: Int { 2 * states + (hasWeightBlocks ? 2 * weights : 0) }
    public var dimension: Int { readoutOffset + readoutParameters }
}
