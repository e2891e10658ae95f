/// The error types (`InvalidArgument`, `NumericError`) and the numerical core (random streams, order
/// fits) a Stochastic user needs come with `import Stochastic` alone.
@_exported import NumericCore
