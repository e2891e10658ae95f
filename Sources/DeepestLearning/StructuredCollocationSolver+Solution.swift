import BoundaryValue
import NumericCore

extension StructuredCollocationSolver {
    /// The iterate as a `BoundaryValueSolution` in the layout of `hamiltonianForm()`: node values and
    /// slopes (θ' = π/α, π' = λθ − Σ_k ∂_θ[p_k·F], readout' = 0) define the cubic Hermite output, whose
    /// relative residual (5-point Lobatto RMS per interval, the quantity `Collocation` controls) is
    /// reported as `maxResidual`, with the boundary residual of the end conditions.
    func solution(status: BoundaryValueStatus) -> BoundaryValueSolution {
        let layout = form.layout, n = layout.dimension
        var values = [Double](repeating: 0, count: nodes * n), slopes = values
        for i in 0..<nodes {
            let y = i * n, point = nodePoint(i)
            for sample in 0..<m {
                let u = (sample * nodes + i) * s
                for j in 0..<d {
                    values[y + sample * d + j] = current.states[u + j]
                    values[y + layout.secondOffset + sample * d + j] = current.states[u + d + j]
                    slopes[y + sample * d + j] = current.nodeSlopes[u + j]
                    slopes[y + layout.secondOffset + sample * d + j] = current.nodeSlopes[u + d + j]
                }
            }
            for a in 0..<q {
                values[y + layout.weightOffset + a] = current.theta[point * q + a]
                values[y + layout.conjugateOffset + a] = current.conjugate[point * q + a]
                slopes[y + layout.weightOffset + a] = inverseAlpha * current.conjugate[point * q + a]
                slopes[y + layout.conjugateOffset + a] = conjugateSlope(current, point, a)
            }
            for a in 0..<k { values[y + layout.readoutOffset + a] = current.readout[a] }
        }
        let message: String
        switch status {
        case .success: message = "converged on a fixed mesh of \(nodes) nodes"
        case .maxIterations: message = "Newton did not converge in \(options.maxNewtonIterations) iterations on \(nodes) nodes: try a better guess or continuation"
        case .noConvergence: message = "damped Newton could not reduce the correction on \(nodes) nodes: no solution near the guess (try continuation)"
        case .singularJacobian: message = "a sample block or the weight Schur complement is singular: the solution is not isolated"
        case .meshLimit: message = "mesh limit reached"
        case .nonFinite: message = "the field or the boundary conditions produced NaN or infinity"
        }
        let draft = BoundaryValueSolution(assembledOn: mesh, values: values, slopes: slopes, dimension: n, status: status,
                                          message: message, stats: stats, maxResidual: 0, boundaryResidual: 0)
        return BoundaryValueSolution(assembledOn: mesh, values: values, slopes: slopes, dimension: n, status: status,
                                     message: message, stats: stats, maxResidual: outputResidual(draft),
                                     boundaryResidual: boundaryResidual(values: values))
    }

    /// max over intervals of the RMS (interior points of the 5-point Lobatto rule) of |S' − f(S)|/(1 + |f|)
    /// for the cubic output S, as in `Collocation`. Cost 3N evaluations of the full field, O(N M (d² + d q)).
    func outputResidual(_ draft: BoundaryValueSolution) -> Double {
        let n = form.layout.dimension, offset = 0.21821789023599239
        var f = [Double](repeating: 0, count: n)
        var largest = 0.0
        for i in 0..<intervals {
            let h = step(i)
            var total = 0.0
            for (x, weight) in [(0.5 - offset, 49.0 / 180), (0.5, 16.0 / 45), (0.5 + offset, 49.0 / 180)] {
                let t = mesh[i] + x * h
                let value = draft.value(at: t), derivative = draft.derivative(at: t)
                value.withUnsafeBufferPointer { v in f.withUnsafeMutableBufferPointer { form.field(t, v.baseAddress!, $0.baseAddress!) } }
                var square = 0.0
                for j in 0..<n { let r = (derivative[j] - f[j]) / (1 + abs(f[j])); square += r * r }
                total += weight * square
            }
            let rho = total.squareRoot()
            if rho.isNaN || largest.isNaN { largest = .nan } else if rho > largest { largest = rho }
        }
        return largest
    }

    /// max |g| of the start and end conditions at the first and last node.
    func boundaryResidual(values: [Double]) -> Double {
        let n = form.layout.dimension
        var start = [Double](repeating: 0, count: max(form.startCount, 1)), end = [Double](repeating: 0, count: max(n - form.startCount, 1))
        values.withUnsafeBufferPointer { y in
            start.withUnsafeMutableBufferPointer { form.startResidual(y.baseAddress!, $0.baseAddress!) }
            end.withUnsafeMutableBufferPointer { form.endResidual(y.baseAddress! + (nodes - 1) * n, $0.baseAddress!) }
        }
        return (start + end).reduce(0) { max($0, abs($1)) }
    }
}
