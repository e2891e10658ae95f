import NumericCore

/// The stability of a trained network's forward pass as a discretised ODE, along every sample's
/// trajectory (MATH.md §6.5; Notes/forward-stability-and-robustness.md §1–§2):
///
/// - the eigenvalues μ of the layer Jacobians J = diag(σ'(K x + b)) K at each point of the depth grid
///   (the N layers of a ResNet, the K + 1 nodes of a flow), and the share of h·μ outside the
///   forward-Euler disk |1 + hμ| ≤ 1 (h the network's step). For a flow the disk is the reference
///   of the question "would Euler layers of this step be stable"; its own RK4 region is larger;
/// - the singular values of the input–output Jacobian ∂x(T)/∂x(0) (`TrainedNetwork.stateJacobian`);
/// - the costate norms ‖p(t)‖ along depth relative to ‖p(T)‖ (exploding when ≫ 1, vanishing when ≪ 1).
///
/// Cost per sample: O(points · d³) for the eigenvalues (LAPACK `dgeev`, `GeneralEigen`), O(steps · d³)
/// for the Jacobian and O(d³) for its singular values; parallel over samples, results per sample,
/// independent of the thread count.
public struct ForwardStability: Sendable {
    public let stepSize: Double
    /// Jacobian points per trajectory, and nodes of the depth grid (steps + 1).
    public let points: Int, nodes: Int
    public let samples: Int
    /// Share of the eigenvalues (all samples, points and multiplicities) with |1 + hμ| > 1 + 1e-12.
    public let shareOutsideStabilityRegion: Double
    /// max |hμ| and max Re(hμ) over all samples and points.
    public let largestScaledModulus: Double, largestScaledRealPart: Double
    /// Eigenvalues μ of `recordedSamples` evenly spaced samples (for figures): real and imaginary parts
    /// and the point index of each, in the order (sample, point, eigenvalue).
    public let recordedReal: [Double], recordedImaginary: [Double], recordedPoint: [Int]
    /// Singular values of ∂x(T)/∂x(0), descending, samples × d.
    public let singularValues: [Double]
    /// ‖p_k(t_n)‖ / ‖p_k(T)‖, samples × nodes (NaN for a sample whose ‖p(T)‖ is 0).
    public let costateNormRatios: [Double]
    /// The largest and smallest ratio over all samples and nodes (samples with ‖p(T)‖ = 0 left out;
    /// 1 when all are).
    public let maxCostateNormRatio: Double, minCostateNormRatio: Double

    /// Depth of node n.
    public func depth(node n: Int) -> Double { Double(n) * stepSize }

    /// The per-node median, minimum and maximum of the costate norm ratios over the samples.
    public func costateNormSummary() -> [(median: Double, minimum: Double, maximum: Double)] {
        (0..<nodes).map { n in
            let values = (0..<samples).map { costateNormRatios[$0 * nodes + n] }.filter { !$0.isNaN }.sorted()
            guard !values.isEmpty else { return (.nan, .nan, .nan) }
            let c = values.count
            let median = c % 2 == 1 ? values[c / 2] : 0.5 * (values[c / 2 - 1] + values[c / 2])
            return (median, values[0], values[c - 1])
        }
    }

    /// - Parameters: `recordedSamples`: how many evenly spaced samples keep their eigenvalues for figures.
    /// - Throws: `InvalidArgument` when the data do not fit the network, or a Jacobian is not finite.
    public init(network: TrainedNetwork, data: Dataset, recordedSamples: Int = 64) throws {
        try Validate.atLeast(recordedSamples, 0, "recordedSamples")
        let trajectories = try network.costates(data: data)
        let d = network.width, count = data.count, points = network.jacobianPoints, nodes = network.steps + 1
        let h = network.stepSize, m = network.inputDimension
        var outside = [Int](repeating: 0, count: count), failures = [Int](repeating: 0, count: count)
        var modulus = [Double](repeating: 0, count: count), realPart = [Double](repeating: -.infinity, count: count)
        var eigenReal = [Double](repeating: 0, count: count * points * d), eigenImaginary = eigenReal
        var singular = [Double](repeating: 0, count: count * d)
        var ratios = [Double](repeating: 0, count: count * nodes)
        let states = trajectories.states
        outside.withUnsafeMutableBufferPointer { o in
        failures.withUnsafeMutableBufferPointer { f in
        modulus.withUnsafeMutableBufferPointer { mo in
        realPart.withUnsafeMutableBufferPointer { re in
        eigenReal.withUnsafeMutableBufferPointer { er in
        eigenImaginary.withUnsafeMutableBufferPointer { ei in
        singular.withUnsafeMutableBufferPointer { sv in
        ratios.withUnsafeMutableBufferPointer { ra in
            let outsideOut = SharedMutablePointer(o.baseAddress!), failureOut = SharedMutablePointer(f.baseAddress!)
            let modulusOut = SharedMutablePointer(mo.baseAddress!), realOut = SharedMutablePointer(re.baseAddress!)
            let eigenRealOut = SharedMutablePointer(er.baseAddress!), eigenImaginaryOut = SharedMutablePointer(ei.baseAddress!)
            let singularOut = SharedMutablePointer(sv.baseAddress!), ratioOut = SharedMutablePointer(ra.baseAddress!)
            Parallel.forEach(count) { k in
                for j in 0..<points {
                    let x = (0..<d).map { states[(j * count + k) * d + $0] }
                    guard let eigen = try? GeneralEigen(matrix: network.layerJacobian(at: j, state: x), dimension: d), eigen.converged else {
                        failureOut.base[k] += 1
                        continue
                    }
                    for i in 0..<d {
                        let mu = (eigen.real[i], eigen.imaginary[i])
                        eigenRealOut.base[(k * points + j) * d + i] = mu.0
                        eigenImaginaryOut.base[(k * points + j) * d + i] = mu.1
                        let scaled = ((1 + h * mu.0) * (1 + h * mu.0) + h * mu.1 * h * mu.1).squareRoot()
                        if scaled > 1 + 1e-12 { outsideOut.base[k] += 1 }
                        modulusOut.base[k] = max(modulusOut.base[k], h * (mu.0 * mu.0 + mu.1 * mu.1).squareRoot())
                        realOut.base[k] = max(realOut.base[k], h * mu.0)
                    }
                }
                // Singular values of A = ∂x(T)/∂x(0): square roots of the eigenvalues of AᵀA.
                let input = (0..<m).map { data.inputs[k * m + $0] }
                let a = network.stateJacobian(input: input)
                var gram = [Double](repeating: 0, count: d * d)
                for i in 0..<d { for j in 0..<d { for l in 0..<d { gram[i * d + j] += a[l * d + i] * a[l * d + j] } } }
                if let eigen = try? SymmetricEigen(matrix: gram, dimension: d), eigen.converged {
                    for i in 0..<d { singularOut.base[k * d + i] = max(eigen.values[d - 1 - i], 0).squareRoot() }
                } else {
                    failureOut.base[k] += 1
                }
                let final = trajectories.costateNorm(node: nodes - 1, sample: k)
                for n in 0..<nodes {
                    ratioOut.base[k * nodes + n] = final > 0 ? trajectories.costateNorm(node: n, sample: k) / final : .nan
                }
            }
        }}}}}}}}
        if let bad = failures.firstIndex(where: { $0 > 0 }) {
            throw InvalidArgument("network", "sample \(bad)", "has a layer Jacobian that is not finite or whose eigenvalues did not converge")
        }
        let total = count * points * d
        stepSize = h
        self.points = points
        self.nodes = nodes
        samples = count
        shareOutsideStabilityRegion = total > 0 ? Double(outside.reduce(0, +)) / Double(total) : 0
        largestScaledModulus = modulus.max() ?? 0
        largestScaledRealPart = realPart.max() ?? 0
        let recorded = min(recordedSamples, count)
        var rr = [Double](), ri = [Double](), rp = [Int]()
        for r in 0..<recorded {
            let k = r * count / recorded
            for j in 0..<points {
                for i in 0..<d {
                    rr.append(eigenReal[(k * points + j) * d + i])
                    ri.append(eigenImaginary[(k * points + j) * d + i])
                    rp.append(j)
                }
            }
        }
        recordedReal = rr
        recordedImaginary = ri
        recordedPoint = rp
        singularValues = singular
        costateNormRatios = ratios
        let finite = ratios.filter { !$0.isNaN }
        maxCostateNormRatio = finite.max() ?? 1
        minCostateNormRatio = finite.min() ?? 1
    }
}
