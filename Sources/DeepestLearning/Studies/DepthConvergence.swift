import NumericCore

/// Whether trained weights converge to a continuum as the depth grid is refined at fixed horizon T
/// (Notes/forward-stability-and-robustness.md §5; the question of Sander, Ablin and Peyré 2022).
///
/// A trained network's weights are a function of depth: a ResNet's θ_n (n = 0..N−1) is placed at the
/// cell midpoint t_{n+1/2} = (n + ½)h and interpolated linearly between midpoints (extrapolated linearly
/// beyond the first and last), a flow's nodal θ_j is its own piecewise-linear θ(t). The distance between the
/// networks at N and 2N is the relative L² distance in depth of their layer weights,
///
///   D_N = ‖θ_N − θ_{2N}‖_{L²(0,T)} / ‖θ_{2N}‖_{L²(0,T)},
///
/// by the composite midpoint rule on `quadraturePoints` cells (the interpolants are piecewise linear
/// with kinks on the two grids, so 8·2N cells make the quadrature error negligible against D_N). For
/// weights that converge with order p, D_N = O(h^p): the order is fitted by least squares in log-log
/// (`OrderFit`). The readout is not part of the distance.
public enum DepthConvergence {
    /// θ(t) of a trained network (q numbers), by the interpolation described above.
    public static func weights(of network: TrainedNetwork, at t: Double) -> [Double] {
        let q = network.field.parameterCount, theta = network.parameters, h = network.stepSize
        func row(_ index: Int) -> ArraySlice<Double> { theta[(index * q)..<((index + 1) * q)] }
        let position: Double, count: Int
        if network.isFlow {
            position = t / h
            count = network.steps + 1
        } else {
            position = t / h - 0.5
            count = network.steps
        }
        guard count > 1 else { return Array(row(0)) }
        // Linear extrapolation over the half cells before the first and after the last midpoint: a
        // constant there would be an O(h) error on an O(h) interval, O(h^{3/2}) in L².
        let left = min(max(Int(position.rounded(.down)), 0), count - 2), fraction = position - Double(left)
        return zip(row(left), row(left + 1)).map { $0 + fraction * ($1 - $0) }
    }

    /// D between two trained networks of the same field and horizon (relative to the second's norm).
    /// - Throws: `InvalidArgument` when the fields or horizons differ, or `quadraturePoints` < 1.
    public static func distance(_ coarse: TrainedNetwork, _ fine: TrainedNetwork, quadraturePoints: Int? = nil) throws -> Double {
        guard coarse.field == fine.field else { throw InvalidArgument("fine.field", "\(fine.field)", "must equal the coarse network's field") }
        guard coarse.horizon == fine.horizon else { throw InvalidArgument("fine.horizon", fine.horizon, "must equal the coarse network's \(coarse.horizon)") }
        let cells = quadraturePoints ?? 8 * max(coarse.steps, fine.steps) + 8
        try Validate.positive(cells, "quadraturePoints")
        let dt = coarse.horizon / Double(cells)
        var difference = 0.0, reference = 0.0
        for cell in 0..<cells {
            let t = (Double(cell) + 0.5) * dt
            let a = weights(of: coarse, at: t), b = weights(of: fine, at: t)
            for i in a.indices {
                difference += (a[i] - b[i]) * (a[i] - b[i])
                reference += b[i] * b[i]
            }
        }
        return reference > 0 ? (difference / reference).squareRoot() : (difference > 0 ? .infinity : 0)
    }

    /// The order p of D_N = C h^p fitted to the distances between consecutive networks of `ladder`
    /// (each with twice the steps of the previous): h is that of the coarser network of each pair.
    /// Nil when fewer than two distances are positive and finite.
    public static func fittedOrder(_ ladder: [TrainedNetwork]) throws -> (distances: [Double], fit: OrderFit?) {
        var distances = [Double](), steps = [Double]()
        for (coarse, fine) in zip(ladder, ladder.dropFirst()) {
            let d = try distance(coarse, fine)
            distances.append(d)
            steps.append(coarse.stepSize)
        }
        let usable = zip(steps, distances).filter { $0.1.isFinite && $0.1 > 0 }
        guard usable.count >= 2 else { return (distances, nil) }
        return (distances, try OrderFit.fit(steps: usable.map(\.0), errors: usable.map(\.1)))
    }

    /// The gap between a ResNet's outputs and those of the flow ẋ = F(x, θ(t)) of its own weights
    /// (θ(t) = θ_⌊t/h⌋ sampled onto 16N RK4 intervals), relative: max_k ‖o_Euler − o_flow‖ / max_k ‖o_flow‖.
    /// For a flow: its gap to the Euler ResNet of its nodal weights on `layers` layers (θ_n = θ(n T/N)).
    public static func eulerFlowGap(_ network: TrainedNetwork, inputs: [Double], layers: Int) throws -> Double {
        let euler: [Double], flow: [Double]
        switch network {
        case .resnet(let resnet, let parameters):
            let continuum = try ContinuumNetwork(field: resnet.field, horizon: resnet.horizon, intervals: 16 * resnet.layers,
                                                 lift: resnet.lift, readout: resnet.readout)
            euler = resnet.outputs(parameters: parameters, inputs: inputs)
            flow = continuum.outputs(parameters: continuum.parameters(fromLayers: parameters, of: resnet), inputs: inputs)
        case .flow(let trained):
            let net = trained.network
            let resnet = try ResidualNetwork(field: net.field, layers: layers, horizon: net.horizon, lift: net.lift, readout: net.readout)
            // Layer n takes θ(n h) of the flow's piecewise-linear weights, and the readout.
            euler = resnet.outputs(parameters: net.layerParameters(trained.parameters, of: resnet), inputs: inputs)
            flow = trained.outputs(inputs: inputs)
        }
        let l = network.readout.outputs, count = inputs.count / network.inputDimension
        var gap = 0.0, scale = 0.0
        for k in 0..<count {
            var difference = 0.0, size = 0.0
            for i in 0..<l {
                difference += (euler[k * l + i] - flow[k * l + i]) * (euler[k * l + i] - flow[k * l + i])
                size += flow[k * l + i] * flow[k * l + i]
            }
            gap = max(gap, difference.squareRoot())
            scale = max(scale, size.squareRoot())
        }
        return scale > 0 ? gap / scale : gap
    }
}
