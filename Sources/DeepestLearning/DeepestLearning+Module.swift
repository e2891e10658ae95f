/// The boundary value solvers and solutions (`BoundaryValueSolution`, `InitialGuess`) and the numerical
/// core (`InvalidArgument`, random streams) that appear in this module's API come with
/// `import DeepestLearning` alone.
@_exported import BoundaryValue
@_exported import NumericCore
