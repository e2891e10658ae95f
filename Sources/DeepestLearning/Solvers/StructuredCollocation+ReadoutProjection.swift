import BoundaryValue
import NumericCore

extension StructuredCollocation {
    /// The projected readout (`.projected(tikhonov: μ)`) through the structured solver. Variable
    /// projection drops the k readout unknowns and replaces the end rows by
    /// p_k(T) = −R_out∇ₓφ_k(x_k(T); β*(X)), which couple every sample through β*(X), a rank-k coupling
    /// of the end rows. In the arrowhead that coupling is exactly what the trained readout's k columns
    /// of the weight system carry: the stationary points of the two problems correspond one to one
    /// through β = β*(X(T)) (Notes/readout-projection.md §2). So the trained-readout problem with the
    /// same μ is solved, from the guess completed by β*(X(T)) of its last node (the projection's own
    /// starting value), and the solution is returned in the projected layout (the readout block
    /// dropped; it is β*(X(T)) to solver tolerance). The residual control is unchanged: the readout
    /// components have zero slope and zero field, so they add nothing to the measure. Cost: that of
    /// the trained solve, k more columns in a weight system of order 2Pq + k.
    func solveProjected<Field: DepthField>(_ problem: ContinuousTrainingProblem<Field>, form: BoundaryValueForm, tikhonov mu: Double,
                                           mesh: [Double], initialGuess: InitialGuess) throws -> BoundaryValueSolution {
        let trained = try ContinuousTrainingProblem(
            field: problem.field, horizon: problem.horizon, inputs: problem.inputs, readout: problem.readout,
            targets: problem.targets, readoutParameters: .trained(tikhonov: mu), modelPrecision: problem.modelPrecision,
            smoothness: problem.smoothness, tikhonov: problem.tikhonov, inputWeight: problem.inputWeight,
            outputWeight: problem.outputWeight)
        let projectedForm = try problem.builtForm(form), trainedForm = try trained.builtForm(form)
        let np = projectedForm.dimension, nt = trainedForm.dimension, k = nt - np
        var guess = [Double]()
        guess.reserveCapacity(mesh.count * np)
        for t in mesh { guess += InitialGuess.sampleOne(initialGuess, at: t, dimension: np) }
        // The readout to start from: of β*(X(T)) and β = 0 the one whose end rows p_k + R_out∇ₓφ_k(x_k; β)
        // the guess satisfies better. A warm start (a previous solution, p(T) = −R_out∇ₓφ(β*)) picks
        // β*; a cold guess with p = 0 picks β = 0 (C = 0 makes ∇ₓφ_k = 0 for both readouts), which
        // keeps the guess consistent with its end conditions.
        let zero = [Double](repeating: 0, count: k)
        var projectedBeta = zero
        let projected = guess.withUnsafeBufferPointer { g in
            projectedBeta.withUnsafeMutableBufferPointer {
                problem.projectReadout(states: g.baseAddress! + (mesh.count - 1) * np, tikhonov: mu, into: $0.baseAddress!)
            }
        }
        var beta = zero
        if projected, projectedBeta.allSatisfy(\.isFinite) {
            let last = Array(guess[((mesh.count - 1) * np)...])
            beta = Self.endMismatch(trained, form: form, last: last, beta: projectedBeta)
                < Self.endMismatch(trained, form: form, last: last, beta: zero)
                ? projectedBeta : zero
        }
        var values = [Double]()
        values.reserveCapacity(mesh.count * nt)
        for i in mesh.indices { values += guess[(i * np)..<((i + 1) * np)]; values += beta }
        let solution = refine(trained, form: form, built: trainedForm, values: values, mesh: mesh)
        let nodes = solution.mesh.count
        var reducedValues = [Double](), reducedSlopes = [Double]()
        reducedValues.reserveCapacity(nodes * np)
        reducedSlopes.reserveCapacity(nodes * np)
        for i in 0..<nodes {
            reducedValues += solution.values[(i * nt)..<(i * nt + np)]
            reducedSlopes += solution.slopes[(i * nt)..<(i * nt + np)]
        }
        var start = [Double](repeating: 0, count: max(projectedForm.startCount, 1))
        var end = [Double](repeating: 0, count: max(np - projectedForm.startCount, 1))
        reducedValues.withUnsafeBufferPointer { y in
            start.withUnsafeMutableBufferPointer { projectedForm.startResidual(y.baseAddress!, $0.baseAddress!) }
            end.withUnsafeMutableBufferPointer { projectedForm.endResidual(y.baseAddress! + (nodes - 1) * np, $0.baseAddress!) }
        }
        let boundary = (start + end).reduce(0.0) { $0.isNaN || $1.isNaN ? .nan : max($0, abs($1)) }
        return BoundaryValueSolution(assembledOn: solution.mesh, values: reducedValues, slopes: reducedSlopes, dimension: np,
                                     status: solution.status, message: solution.message, stats: solution.stats,
                                     maxResidual: solution.maxResidual, boundaryResidual: boundary)
    }

    /// max_k |m_k + R_out∇ₓφ_k(x_k; β)| at the node values `last` (the form's layout without readout),
    /// with the momentum m_k = p_k (Hamiltonian) or r_f(ẋ_k − F(x_k, θ)) (Lagrangian).
    static func endMismatch<Field: DepthField>(_ problem: ContinuousTrainingProblem<Field>, form: BoundaryValueForm,
                                               last: [Double], beta: [Double]) -> Double {
        let d = problem.field.stateDimension, m = problem.samples, thetaOffset = problem.layout(weightBlocks: true).weightOffset
        var momenta = Array(last[(m * d)..<(2 * m * d)])
        if form == .lagrangian {
            var fx = [Double](repeating: 0, count: d)
            for k in 0..<m {
                last.withUnsafeBufferPointer { y in
                    problem.field.value(x: y.baseAddress! + k * d, theta: y.baseAddress! + thetaOffset, into: &fx)
                }
                for i in 0..<d { momenta[k * d + i] = problem.modelPrecision * (momenta[k * d + i] - fx[i]) }
            }
        }
        var rows = [Double](repeating: 0, count: m * d + beta.count)
        last.withUnsafeBufferPointer { y in
            momenta.withUnsafeBufferPointer { p in
                beta.withUnsafeBufferPointer { b in
                    rows.withUnsafeMutableBufferPointer { r in
                        let base = y.baseAddress!, moments = p.baseAddress!
                        problem.endRows(states: { base + $0 * d }, momentum: { moments + $0 * d }, readoutValues: b.baseAddress!,
                                        into: r.baseAddress!)
                    }
                }
            }
        }
        return rows.prefix(m * d).reduce(0.0) { $0.isNaN || $1.isNaN ? .nan : max($0, abs($1)) }
    }
}
