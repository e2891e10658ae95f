extension BoundaryValueSolution {
    /// A solution assembled by a solver outside this module (e.g. a structured collocation that
    /// exploits a problem's block structure): node values and slopes on `mesh` (row-major,
    /// mesh.count × dimension) define the same C¹ cubic Hermite dense output as the module's solvers,
    /// so the result can warm-start `Collocation` (`InitialGuess.solution`) and be evaluated anywhere.
    public init(assembledOn mesh: [Double], values: [Double], slopes: [Double], dimension: Int,
                status: BoundaryValueStatus, message: String, stats: BoundaryValueStats,
                maxResidual: Double, boundaryResidual: Double) {
        self.init(dimension: dimension, status: status, message: message, mesh: mesh, values: values, slopes: slopes,
                  stats: stats, maxResidual: maxResidual, boundaryResidual: boundaryResidual)
    }
}
