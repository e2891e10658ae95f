import NumericCore

/// The Morse index of a trained network's point: the number of negative eigenvalues of the Hessian of
/// the reduced action at the returned weights, with the smallest eigenvalue and its unit eigenvector
/// (MATH.md §6.1). At a stationary point, index 0 is a local minimum and index ≥ 1 a saddle, which
/// deterministic solvers converge to as readily as to minima (Notes/morse-index.md).
///
/// - ResNet results (discrete and minibatch stages): the exact reduced Hessian ∇²V of V = M·J with the
///   states eliminated by the forward pass (`ActionNewtonSolver.reducedHessian`, null-space method,
///   O(M N d q W)), then its dense eigen-decomposition (`SymmetricEigen`, about 9W³ flops); eigenvalues
///   within 1e-9 · max(1, max|λ|) of zero count as zero.
/// - Continuum results (the flow of the reduced continuum action V_K): central differences of the exact
///   gradient (2P gradients for P unknowns, step 1e-5 · max(1, |u_i|), symmetrised), then the same
///   decomposition; eigenvalues within 1e-6 · max(1, max|λ|) count as zero (the differencing error).
/// - Above `maximumDimension` unknowns: Lanczos (`LanczosEigen`) on Hessian-vector products, central
///   differences of the exact gradient along the Lanczos vectors (2 gradients per product, at most 200
///   products); the index is then the number of converged negative Ritz values, a lower bound
///   (`indexIsLowerBound`), and the smallest eigenvalue is the smallest Ritz value (an upper bound on
///   λ_min, converged when the Krylov space resolves it).
/// - The discrete action at finite r_f (states as unknowns): `ActionNewtonSolver.inertia`, Haynsworth's
///   per-sample Schur complement.
public struct MorseIndex: Sendable {
    public let index: Int
    public let smallestEigenvalue: Double
    /// The unit eigenvector of `smallestEigenvalue` in the unknowns' order (the network's parameters).
    public let eigenvector: [Double]
    /// True when `index` counts only the negative eigenvalues Lanczos resolved (large problems).
    public var indexIsLowerBound = false

    /// Unknowns above which the dense decomposition is skipped (nil result): 9W³ flops and W² doubles.
    public static let maximumDimension = 3000

    init?(hessian: [Double], dimension: Int, relativeThreshold: Double) {
        guard dimension <= Self.maximumDimension, let eigen = try? SymmetricEigen(matrix: hessian, dimension: dimension),
              eigen.converged else { return nil }
        index = eigen.negativeCount(relativeThreshold: relativeThreshold)
        smallestEigenvalue = eigen.values[0]
        eigenvector = eigen.vector(0)
    }

    /// The index of the discrete reduced action V = M·J (action weights `regularization`) at the
    /// ResNet parameters `parameters`, over the parameters not in `frozen`. With `metric` s the
    /// eigenvalues are those of S H S, S = diag(s) (for the Langevin flow's preconditioned Hessian
    /// P^{1/2} H P^{1/2}, s = 1/√h on the weights and 1 on the readout); the index does not depend on
    /// it (Sylvester's law of inertia). The eigenvector is in the free parameters' coordinates of S H S,
    /// padded with zeros at the frozen ones.
    public static func discrete(network: ResidualNetwork, data: Dataset, parameters: [Double],
                                regularization: Regularization, frozen: Set<Int> = [], metric: [Double]? = nil) throws -> MorseIndex? {
        guard network.parameterCount <= maximumDimension else {
            guard metric == nil else { return nil }
            // V = M·J + penalties through the ResNet loss, whose regularisation is per sample.
            let m = Double(data.count)
            let perSample = try Regularization(tikhonov: regularization.tikhonov / m, smoothness: regularization.smoothness / m,
                                               readoutTikhonov: regularization.readoutTikhonov / m)
            let loss = try ResidualNetworkLoss(network: network, data: data, regularization: perSample)
            loss.minimumBatchedWidth = 1
            return lanczos(parameters: parameters, frozen: frozen) { u, g in
                let value = loss.evaluate(parameters: u, gradient: &g)
                for i in g.indices { g[i] *= m }  // ∇V = M ∇J
                return m * value
            }
        }
        if let metric { try Validate.count(metric.count, network.parameterCount, "metric") }
        let action = try TrainingAction(network: network, data: data, modelPrecision: 1, inputWeight: .infinity, outputWeight: 1,
                                        regularization: regularization)
        let solver = ActionNewtonSolver(action: action)
        let unknowns = action.unknowns(parameters: parameters)
        let hessian = solver.reducedHessian(unknowns: unknowns, multipliers: solver.adjoints(unknowns: unknowns))
        guard hessian.allSatisfy(\.isFinite) else { return nil }
        let p = network.parameterCount
        return restricted(hessian: hessian, dimension: p, frozen: frozen, metric: metric, relativeThreshold: 1e-9)
    }

    /// The index of S H S (S = diag(metric), or I) over the coordinates not in `frozen`, with the
    /// eigenvector padded with zeros at the frozen ones.
    static func restricted(hessian: [Double], dimension p: Int, frozen: Set<Int>, metric: [Double]?,
                           relativeThreshold: Double) -> MorseIndex? {
        guard !frozen.isEmpty || metric != nil else { return MorseIndex(hessian: hessian, dimension: p, relativeThreshold: relativeThreshold) }
        let free = (0..<p).filter { !frozen.contains($0) }, f = free.count
        var matrix = [Double](repeating: 0, count: f * f)
        for (a, i) in free.enumerated() {
            for (b, j) in free.enumerated() { matrix[a * f + b] = (metric?[i] ?? 1) * hessian[i * p + j] * (metric?[j] ?? 1) }
        }
        guard let reduced = MorseIndex(hessian: matrix, dimension: f, relativeThreshold: relativeThreshold) else { return nil }
        var vector = [Double](repeating: 0, count: p)
        for (a, i) in free.enumerated() { vector[i] = reduced.eigenvector[a] }
        return MorseIndex(index: reduced.index, smallestEigenvalue: reduced.smallestEigenvalue, eigenvector: vector)
    }

    init(index: Int, smallestEigenvalue: Double, eigenvector: [Double]) {
        self.index = index
        self.smallestEigenvalue = smallestEigenvalue
        self.eigenvector = eigenvector
    }

    /// The index of the reduced continuum action at `parameters` (nodal weights and readout), over the
    /// parameters not in `frozen` (indices of `parameters`).
    public static func continuum(action: ReducedContinuumAction, parameters: [Double], frozen: Set<Int> = []) -> MorseIndex? {
        let p = parameters.count
        guard p <= maximumDimension else {
            return lanczos(parameters: parameters, frozen: frozen) { u, g in action.evaluate(u, gradient: &g) }
        }
        var hessian = [Double](repeating: 0, count: p * p)
        var plus = [Double](repeating: 0, count: p), minus = plus
        var point = parameters
        for i in 0..<p {
            let step = 1e-5 * max(1, abs(parameters[i]))
            point[i] = parameters[i] + step
            _ = action.evaluate(point, gradient: &plus)
            point[i] = parameters[i] - step
            _ = action.evaluate(point, gradient: &minus)
            point[i] = parameters[i]
            for j in 0..<p { hessian[i * p + j] = (plus[j] - minus[j]) / (2 * step) }
        }
        for i in 0..<p { for j in 0..<i { let s = 0.5 * (hessian[i * p + j] + hessian[j * p + i]); hessian[i * p + j] = s; hessian[j * p + i] = s } }
        guard hessian.allSatisfy(\.isFinite) else { return nil }
        return restricted(hessian: hessian, dimension: p, frozen: frozen, metric: nil, relativeThreshold: 1e-6)
    }

    /// Lanczos on central-difference Hessian-vector products of `evaluate` (value, gradient) at
    /// `parameters`: Hv ≈ (∇V(u + εv) − ∇V(u − εv))/(2ε), ε = 1e-5 · max(1, max|u|) for the unit vectors v.
    /// With `frozen` coordinates it runs on the free ones only (the vectors scattered into the full
    /// parameters with zeros at the frozen ones), so its eigenpairs are the free block's; the eigenvector
    /// is returned with zeros at the frozen coordinates.
    static func lanczos(parameters: [Double], frozen: Set<Int> = [], maximumProducts: Int = 200,
                        evaluate: ([Double], inout [Double]) -> Double) -> MorseIndex? {
        let p = parameters.count
        let free = (0..<p).filter { !frozen.contains($0) }, f = free.count
        guard f > 0 else { return nil }
        let epsilon = 1e-5 * max(1, parameters.map(abs).max() ?? 0)
        var plus = [Double](repeating: 0, count: p), minus = plus, point = parameters
        // count = f: run to the product limit (or an invariant subspace) so that every negative
        // eigenvalue the Krylov space resolves is counted; one Ritz vector.
        guard let eigen = try? LanczosEigen(dimension: f, count: f, vectorCount: 1, maximumIterations: maximumProducts, tolerance: 1e-6,
                                            apply: { v, result in
            for (a, i) in free.enumerated() { point[i] = parameters[i] + epsilon * v[a] }
            _ = evaluate(point, &plus)
            for (a, i) in free.enumerated() { point[i] = parameters[i] - epsilon * v[a] }
            _ = evaluate(point, &minus)
            for (a, i) in free.enumerated() { result[a] = (plus[i] - minus[i]) / (2 * epsilon) }
        }), eigen.values.allSatisfy(\.isFinite), let reduced = eigen.vectors.first else { return nil }
        var vector = [Double](repeating: 0, count: p)
        for (a, i) in free.enumerated() { vector[i] = reduced[a] }
        var morse = MorseIndex(index: eigen.convergedNegativeCount(relativeThreshold: 1e-6, tolerance: 1e-4),
                               smallestEigenvalue: eigen.values[0], eigenvector: vector)
        morse.indexIsLowerBound = true
        return morse
    }
}
