import NumericCore

/// The continuous-depth network x' = F(x, θ(t)), t ∈ [0, T], with θ(t) continuous and piecewise linear
/// on K equal intervals (nodal values θ_0..θ_K), integrated by the classical Runge–Kutta method on the
/// same intervals (θ at the stage times t_n, t_n + h/2, t_{n+1} from the linear interpolant), then the
/// readout. This is the network a continuum method trains: its outputs are those of the flow, not of
/// the Euler ResNet of the sampled weights (Notes/deepest-learning-action.md §9e).
///
/// Order: the flow map is fourth order in h for a fixed piecewise-linear θ(t) with its kinks on the
/// mesh; as an approximation of a smooth θ(t) the interpolant is second order. Stability: RK4's region
/// reaches about 2.8 along the imaginary axis and 2.8 along the negative real axis, so h·ρ(σ'(z)K) must
/// stay inside it (the antisymmetric field's spectrum lies near the imaginary axis). Cost O(K d²) per sample.
///
/// Parameter layout: θ_0..θ_K ((K + 1) q numbers, q = d² + d), then the readout (C, c).
public struct ContinuumNetwork: Sendable, Hashable {
    /// The field, horizon, lift and readout (as a ResNet of K layers: the same shape and validation).
    private let shape: ResidualNetwork
    public var field: ResidualField { shape.field }
    public var horizon: Double { shape.horizon }
    public var intervals: Int { shape.layers }
    public var lift: InputLift { shape.lift }
    public var readout: Readout { shape.readout }

    /// Throws `InvalidArgument` for intervals < 1, horizon ≤ 0 or a lift whose width is not the field's.
    public init(field: ResidualField, horizon: Double, intervals: Int, lift: InputLift, readout: Readout) throws {
        do {
            shape = try ResidualNetwork(field: field, layers: intervals, horizon: horizon, lift: lift, readout: readout)
        } catch let error as InvalidArgument where error.argument == "layers" {
            throw InvalidArgument("intervals", intervals, "must be positive")
        }
    }

    /// The readout's target rows of `data` (`ResidualNetwork.targetRows`: throws on a mismatch).
    public func targetRows(_ data: Dataset) throws -> [Double] { try shape.targetRows(data) }

    public var width: Int { field.width }
    public var stepSize: Double { horizon / Double(intervals) }
    public var nodeCount: Int { intervals + 1 }
    public var weightParameterCount: Int { nodeCount * field.parameterCount }
    public var readoutOffset: Int { weightParameterCount }
    public var readoutParameterCount: Int { readout.parameterCount(width: width) }
    public var parameterCount: Int { weightParameterCount + readoutParameterCount }

    /// These nodal parameters from those of a ResNet of the same field and readout: node j takes the
    /// weights of layer ⌊jN/K⌋ (piecewise constant in depth), the readout is copied.
    public func parameters(fromLayers layered: [Double], of resnet: ResidualNetwork) -> [Double] {
        let q = field.parameterCount
        var out = [Double](repeating: 0, count: parameterCount)
        for node in 0...intervals {
            let layer = min(node * resnet.layers / intervals, resnet.layers - 1)
            for i in 0..<q { out[node * q + i] = layered[resnet.layerOffset(layer) + i] }
        }
        for i in 0..<readoutParameterCount { out[readoutOffset + i] = layered[resnet.readoutOffset + i] }
        return out
    }

    /// Numbers per evaluation point (node 2n or interval midpoint 2n + 1) in `pointWeights`: K, Kᵀ, b.
    var pointStride: Int { 2 * width * width + width }

    /// The effective K, Kᵀ and b at the 2K + 1 points t_0, t_{1/2}, t_1, …, t_K (midpoints: the mean of
    /// the two nodes, exact because K is affine in θ). Cost O(K d²).
    func pointWeights(_ parameters: UnsafePointer<Double>, into out: UnsafeMutablePointer<Double>) {
        let d = width, q = field.parameterCount, stride = pointStride
        for node in 0...intervals {
            let point = out + 2 * node * stride, theta = parameters + node * q
            field.weightMatrix(theta, into: point)
            for i in 0..<d { for j in 0..<d { point[d * d + j * d + i] = point[i * d + j] } }
            for i in 0..<d { point[2 * d * d + i] = theta[d * d + i] }
        }
        for n in 0..<intervals {
            let middle = out + (2 * n + 1) * stride, left = middle - stride, right = middle + stride
            for i in 0..<stride { middle[i] = 0.5 * (left[i] + right[i]) }
        }
    }

    /// Samples per batch of the RK4 sweeps: the rows of the matrices `step` works on.
    static let batchRows = 32

    /// One RK4 step of interval n for `rows` samples at once (the rows of rows × d matrices): at the
    /// stage times t_n, t_n + h/2 (twice), t_{n+1} (points 2n, 2n + 1, 2n + 1, 2n + 2), X_i = X + c_i h A_{i−1},
    /// Z_i = X_i Kᵀ + 1bᵀ, A_i = σ(Z_i) (the vector tanh over the whole matrix), then
    /// X_next = X + h/6 (A_1 + 2A_2 + 2A_3 + A_4). `stages` receives X_1, A_1, …, X_4, A_4 (8 matrices).
    /// The d × d products are plain loops: at these sizes a BLAS call costs more than its flops (its
    /// buffer allocation takes a lock that the two workers contend for; perf, spirals). Every row is
    /// computed alone (the vector tanh is a pure function per lane), so a sample's bits do not depend on
    /// the batch it is in: the flow's outputs and the reduced action's sweep agree exactly.
    func step(_ n: Int, rows: Int, x: UnsafePointer<Double>, points: UnsafePointer<Double>,
              stages: UnsafeMutablePointer<Double>, next: UnsafeMutablePointer<Double>) {
        let d = width, h = stepSize, matrix = rows * d
        for stage in 0..<4 {
            let pointIndex = 2 * n + (stage == 0 ? 0 : stage == 3 ? 2 : 1), point = points + pointIndex * pointStride
            let stageX = stages + 2 * stage * matrix, values = stageX + matrix
            if stage == 0 {
                stageX.update(from: x, count: matrix)
            } else {
                let previous = stages + (2 * stage - 1) * matrix, step = (stage == 3 ? 1.0 : 0.5) * h
                for i in 0..<matrix { stageX[i] = x[i] + step * previous[i] }
            }
            let kTransposed = point + d * d, bias = point + 2 * d * d
            for r in 0..<rows {
                let xr = stageX + r * d, zr = values + r * d
                zr.update(from: bias, count: d)
                for j in 0..<d {
                    let xj = xr[j], column = kTransposed + j * d
                    for i in 0..<d { zr[i] += column[i] * xj }
                }
            }
            field.activation.applyInPlace(values, count: matrix)
        }
        for i in 0..<matrix {
            next[i] = x[i] + h / 6 * (stages[matrix + i] + 2 * stages[3 * matrix + i] + 2 * stages[5 * matrix + i] + stages[7 * matrix + i])
        }
    }

    /// Final states x(T) of every input row (count × d), parallel over samples.
    public func finalStates(parameters: [Double], inputs: [Double]) -> [Double] {
        let d = width, m = lift.inputDimension, count = inputs.count / m
        var states = [Double](repeating: 0, count: count * d)
        var points = [Double](repeating: 0, count: (2 * intervals + 1) * pointStride)
        parameters.withUnsafeBufferPointer { p in points.withUnsafeMutableBufferPointer { pointWeights(p.baseAddress!, into: $0.baseAddress!) } }
        points.withUnsafeBufferPointer { pp in
            inputs.withUnsafeBufferPointer { input in
                states.withUnsafeMutableBufferPointer { out in
                    let shared = SharedMutablePointer(out.baseAddress!), pointBase = SharedPointer(pp), inputBase = SharedPointer(input)
                    Parallel.forEachChunk(count) { range in
                        let widest = Self.batchRows * d
                        withUnsafeTemporaryAllocation(of: Double.self, capacity: 10 * widest) { scratch in
                            let stages = scratch.baseAddress!, x = stages + 8 * widest, next = x + widest
                            var first = range.lowerBound
                            while first < range.upperBound {
                                let rows = min(Self.batchRows, range.upperBound - first)
                                for r in 0..<rows { lift.apply(inputBase.base + (first + r) * m, into: x + r * d) }
                                for n in 0..<intervals {
                                    step(n, rows: rows, x: x, points: pointBase.base, stages: stages, next: next)
                                    x.update(from: next, count: rows * d)
                                }
                                (shared.base + first * d).update(from: x, count: rows * d)
                                first += rows
                            }
                        }
                    }
                }
            }
        }
        return states
    }

    /// Readout outputs C x(T) + c (count × outputs).
    public func outputs(parameters: [Double], inputs: [Double]) -> [Double] {
        readout.outputs(finalStates: finalStates(parameters: parameters, inputs: inputs), parameters: parameters,
                        offset: readoutOffset, width: width)
    }
}

/// A `ContinuumNetwork` with its parameters: what a continuum method trained.
public struct TrainedFlow: Sendable {
    public let network: ContinuumNetwork
    public let parameters: [Double]

    public init(network: ContinuumNetwork, parameters: [Double]) {
        self.network = network
        self.parameters = parameters
    }

    /// Readout outputs at `inputs` (count × inputDimension).
    public func outputs(inputs: [Double]) -> [Double] { network.outputs(parameters: parameters, inputs: inputs) }
}
