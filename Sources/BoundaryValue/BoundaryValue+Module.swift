/// The error types (`InvalidArgument`, `NumericError`) and the numerical core a BoundaryValue user needs
/// come with `import BoundaryValue` alone.
@_exported import NumericCore
