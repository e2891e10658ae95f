import BoundaryValue
import NumericCore

extension BoundaryValueTraining {
    /// The continuum action at a boundary value solution, split like `ActionParts`:
    ///
    ///   A = Σ_k [ (R_in/2)|x_k(0) − y_k^in|² (R_in finite) + R_out φ_k(x_k(T)) ] + (μ/2)|(C, c)|²
    ///     + ∫ Σ_k |p_k|²/(2r_f) + |π|²/(2α) + (λ/2)|θ|² dt,
    ///
    /// using r_f|ẋ − F|² = |p|²/r_f and α|θ'|² = |π|²/α at a stationary point (Lagrangian form:
    /// p = r_f(ẋ − F), π = αθ'). The integral is Simpson's rule on every interval of the solution's
    /// mesh, the midpoint from the dense output: O(h⁴) for the piecewise methods, and for Chebyshev
    /// collocation (polynomial dense output) O(h⁴) in the node spacing.
    public static func continuumAction<Field: DepthField>(
        _ problem: ContinuousTrainingProblem<Field>, layout: TrainingStateLayout, form: BoundaryValueForm,
        solution: BoundaryValueSolution
    ) -> ActionParts {
        let d = layout.width, m = layout.samples, q = layout.weights
        var fx = [Double](repeating: 0, count: d)
        /// The three integrands (model error, smoothness, Tikhonov) at a state y.
        func integrands(_ y: [Double]) -> (Double, Double, Double) {
            let theta = Array(y[layout.weightOffset..<(layout.weightOffset + q)])
            var a = 0.0, b = 0.0, c = 0.0
            for s in 0..<m {
                if form == .lagrangian {
                    problem.field.value(x: Array(y[(s * d)..<((s + 1) * d)]), theta: theta, into: &fx)
                }
                for i in 0..<d {
                    var p = y[layout.secondOffset + s * d + i]
                    if form == .lagrangian { p = problem.modelPrecision * (p - fx[i]) }
                    a += p * p / (2 * problem.modelPrecision)
                }
            }
            if problem.smoothness > 0 {
                for i in 0..<q {
                    let conjugate = y[layout.conjugateOffset + i] * (form == .lagrangian ? problem.smoothness : 1)
                    b += conjugate * conjugate / (2 * problem.smoothness)
                }
            }
            for i in 0..<q { c += 0.5 * problem.tikhonov * theta[i] * theta[i] }
            return (a, b, c)
        }
        var model = 0.0, smooth = 0.0, tikhonov = 0.0
        let n = layout.dimension
        var left = integrands(Array(solution.values[0..<n]))
        for index in 1..<max(solution.mesh.count, 1) {
            let t0 = solution.mesh[index - 1], t1 = solution.mesh[index], h = t1 - t0
            let middle = integrands(solution.value(at: 0.5 * (t0 + t1)))
            let right = integrands(Array(solution.values[(index * n)..<((index + 1) * n)]))
            model += h / 6 * (left.0 + 4 * middle.0 + right.0)
            smooth += h / 6 * (left.1 + 4 * middle.1 + right.1)
            tikhonov += h / 6 * (left.2 + 4 * middle.2 + right.2)
            left = right
        }
        var misfit = 0.0
        if problem.inputWeight.isFinite {
            let begin = solution.value(at: 0)
            for i in 0..<(m * d) { misfit += 0.5 * problem.inputWeight * (begin[i] - problem.inputs[i]) * (begin[i] - problem.inputs[i]) }
        }
        let end = solution.value(at: problem.horizon)
        let readoutValues = problem.readoutValues(atEnd: end, layout: layout)
        switch problem.readoutParameters {
        case .fixed: break
        case .trained(let mu), .projected(let mu): tikhonov += 0.5 * mu * readoutValues.reduce(0) { $0 + $1 * $1 }
        }
        var grad = [Double](repeating: 0, count: d), gp = [Double](repeating: 0, count: readoutValues.count)
        var scratch = [Double](repeating: 0, count: problem.readout.outputs)
        let w = problem.readout.targetWidth
        for s in 0..<m {
            let x = Array(end[(s * d)..<((s + 1) * d)])
            let target = Array(problem.targets[(s * w)..<((s + 1) * w)])
            misfit += problem.outputWeight * problem.readout.loss(
                x: x, parameters: readoutValues, width: d, target: target, weight: 1, gradX: &grad,
                gradParameters: &gp, scratch: &scratch)
        }
        return ActionParts(dataMisfit: misfit, modelError: model, smoothness: smooth, tikhonov: tikhonov)
    }
}
