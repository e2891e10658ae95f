import BoundaryValue
import NumericCore

extension StructuredCollocationSolver {
    /// The current iterate's node values and slopes in the layout of the form (θ' = κ_θ c,
    /// c' = κ_c θ − Σ_k g(u_k, θ), readout' = 0): they define the C¹ cubic Hermite dense output of the
    /// solution, the same as `Collocation`'s.
    func nodeValuesAndSlopes() -> (values: [Double], slopes: [Double]) {
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
                slopes[y + layout.weightOffset + a] = thetaRate * current.conjugate[point * q + a]
                slopes[y + layout.conjugateOffset + a] = conjugateSlope(current, point, a)
            }
            for a in 0..<k { values[y + layout.readoutOffset + a] = current.readout[a] }
        }
        return (values, slopes)
    }

    /// The residual of the cubic output on every interval, by the measure `Collocation` controls
    /// (`ResidualControl.intervalResiduals`: 5-point Lobatto RMS of the relative residual
    /// |S' − f(S)|/(1 + |f|) over all components). 3N evaluations of the full field, O(N M (d² + d q)),
    /// spread over contiguous ranges of intervals; every interval writes its own slot, so the result
    /// does not depend on the number of threads.
    func intervalResiduals(values: [Double], slopes: [Double]) -> [Double] {
        let n = form.layout.dimension, count = intervals, field = form.field
        stats.fieldEvaluations += 3 * count
        var residuals = [Double](repeating: 0, count: count)
        mesh.withUnsafeBufferPointer { tb in
        values.withUnsafeBufferPointer { yb in
        slopes.withUnsafeBufferPointer { fb in
        residuals.withUnsafeMutableBufferPointer { rb in
            let t = SharedPointer(tb), y = SharedPointer(yb), f = SharedPointer(fb), r = SharedMutablePointer(rb.baseAddress!)
            Parallel.forEachChunk(count) { range in
                let workspace = UnsafeMutablePointer<Double>.allocate(capacity: ResidualControl.workspaceSize(dimension: n))
                defer { workspace.deallocate() }
                ResidualControl.intervalResiduals(field: field, dimension: n, intervals: range, t: t.base, y: y.base,
                                                  f: f.base, into: r.base, workspace: workspace)
            }
        } } } }
        return residuals
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
