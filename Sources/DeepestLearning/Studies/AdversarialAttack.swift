import NumericCore

/// The norm of an adversarial perturbation's ball.
public enum PerturbationNorm: String, CaseIterable, Sendable, Codable {
    /// max_i |δ_i| ≤ ε: FGSM steps ε·sign(g), PGD steps α·sign(g) and clips each coordinate.
    case infinity = "linf"
    /// ‖δ‖₂ ≤ ε: FGSM steps ε·g/‖g‖, PGD steps α·g/‖g‖ and rescales onto the ball.
    case two = "l2"
}

/// Untargeted attacks on a trained classifier that increase the per-sample loss φ(x + δ) within a
/// ball ‖δ‖ ≤ ε (Notes/forward-stability-and-robustness.md §3):
///
/// - FGSM (Goodfellow et al. 2015): one step δ = ε·sign(g) (ℓ∞) or ε·g/‖g‖₂ (ℓ2), g = ∇ₓφ(x). For a
///   loss linear in x with gradient w the ℓ∞ step changes the loss by exactly ε‖w‖₁;
/// - PGD (Madry et al. 2018): `steps` steps of size α = `stepFactor`·ε/steps from δ = 0 (deterministic:
///   no random start), each followed by the projection onto the ball, so every iterate stays in it.
///
/// The gradients g are the costates p(0) pulled back through the lift (`TrainedNetwork.inputGradients`):
/// no differentiation code of their own. Cost per step one forward pass and one costate sweep,
/// O(M · steps · d²).
public struct AdversarialAttack: Sendable {
    public let norm: PerturbationNorm
    /// PGD steps (FGSM: `fgsm`).
    public let steps: Int
    /// α = stepFactor · ε / steps (2.5 in Madry et al.).
    public let stepFactor: Double

    /// Throws `InvalidArgument` for steps < 1 or a step factor that is not positive and finite.
    public init(norm: PerturbationNorm, steps: Int = 20, stepFactor: Double = 2.5) throws {
        try Validate.positive(steps, "steps")
        guard stepFactor.isFinite, stepFactor > 0 else { throw InvalidArgument("stepFactor", stepFactor, "must be finite and > 0") }
        self.norm = norm
        self.steps = steps
        self.stepFactor = stepFactor
    }

    /// FGSM: the perturbed inputs (count × inputDimension) at radius ε for every sample.
    public func fgsm(network: TrainedNetwork, data: Dataset, epsilon: Double) throws -> [Double] {
        try Self.checkRadius(epsilon)
        let gradients = try network.inputGradients(data: data).gradients
        var inputs = data.inputs
        let m = data.inputDimension
        for k in 0..<data.count {
            step(&inputs, gradients: gradients, sample: k, dimension: m, length: epsilon)
        }
        return inputs
    }

    /// PGD with a radius per sample (`epsilons`, data.count numbers, each ≥ 0): the last iterate.
    public func pgd(network: TrainedNetwork, data: Dataset, epsilons: [Double]) throws -> [Double] {
        try Validate.count(epsilons.count, data.count, "epsilons")
        for epsilon in epsilons { try Self.checkRadius(epsilon) }
        let m = data.inputDimension
        // The samples' attacks are independent: each worker runs every step on its fixed blocks of
        // samples (the blocks the costate sweep uses, so the arithmetic and the result are those of one
        // sweep over all samples per step), one pool wake-up per attack instead of one per step.
        // Two fixed blocks for up to 2 × 256 samples (one per core here; one gemm per layer each), blocks of
        // 256 beyond: fixed by the sample count, so the bits do not depend on the number of cores.
        let blockSize = max(32, min(256, (data.count + 1) / 2))
        let blocks = SampleBlocks(count: data.count, minimumSize: blockSize)
        var result = data.inputs
        var failures = [UInt8](repeating: 0, count: blocks.blockCount)
        result.withUnsafeMutableBufferPointer { buffer in
            failures.withUnsafeMutableBufferPointer { failureBuffer in
                let out = SharedMutablePointer(buffer.baseAddress!), failed = SharedMutablePointer(failureBuffer.baseAddress!)
                Parallel.forEach(blocks.blockCount) { block in
                    let range = blocks.range(block)
                    let center = Array(data.inputs[(range.lowerBound * m)..<(range.upperBound * m)])
                    let targets: Targets
                    switch data.targets {
                    case .classes(let labels, let count): targets = .classes(labels: Array(labels[range]), count: count)
                    case .values(let values, let dimension):
                        targets = .values(Array(values[(range.lowerBound * dimension)..<(range.upperBound * dimension)]), dimension: dimension)
                    }
                    var inputs = center
                    for _ in 0..<steps {
                        let current = Dataset(validated: inputs, inputDimension: m, targets: targets)
                        guard let gradients = try? network.inputGradients(data: current, blockSize: blockSize).gradients else {
                            failed[block] = 1
                            return
                        }
                        for (local, k) in range.enumerated() where epsilons[k] > 0 {
                            step(&inputs, gradients: gradients, sample: local, dimension: m, length: stepFactor * epsilons[k] / Double(steps))
                            project(&inputs, center: center, sample: local, dimension: m, radius: epsilons[k])
                        }
                    }
                    for i in 0..<inputs.count { out[range.lowerBound * m + i] = inputs[i] }
                }
            }
        }
        if failures.contains(1) {
            // Only a mismatch of data and network fails: the whole set's call throws its error.
            _ = try network.inputGradients(data: data)
            throw InvalidArgument("data", data.count, "samples do not fit the network")
        }
        return result
    }

    /// PGD at one radius for every sample.
    public func pgd(network: TrainedNetwork, data: Dataset, epsilon: Double) throws -> [Double] {
        try pgd(network: network, data: data, epsilons: [Double](repeating: epsilon, count: data.count))
    }

    /// x_k += length · (sign(g_k) or g_k/‖g_k‖₂); a non-finite gradient entry counts as 0.
    func step(_ inputs: inout [Double], gradients: [Double], sample k: Int, dimension m: Int, length: Double) {
        let base = k * m
        switch norm {
        case .infinity:
            for j in 0..<m {
                let g = gradients[base + j]
                if g.isFinite, g != 0 { inputs[base + j] += length * (g > 0 ? 1 : -1) }
            }
        case .two:
            var squared = 0.0
            for j in 0..<m where gradients[base + j].isFinite { squared += gradients[base + j] * gradients[base + j] }
            guard squared > 0, squared.isFinite else { return }
            let scale = length / squared.squareRoot()
            for j in 0..<m where gradients[base + j].isFinite { inputs[base + j] += scale * gradients[base + j] }
        }
    }

    /// The projection of sample k onto the ball of `radius` around `center`'s sample k.
    func project(_ inputs: inout [Double], center: [Double], sample k: Int, dimension m: Int, radius: Double) {
        let base = k * m
        switch norm {
        case .infinity:
            for j in 0..<m { inputs[base + j] = center[base + j] + min(max(inputs[base + j] - center[base + j], -radius), radius) }
        case .two:
            var squared = 0.0
            for j in 0..<m { squared += (inputs[base + j] - center[base + j]) * (inputs[base + j] - center[base + j]) }
            let length = squared.squareRoot()
            guard length > radius else { return }
            let scale = radius / length
            for j in 0..<m { inputs[base + j] = center[base + j] + scale * (inputs[base + j] - center[base + j]) }
        }
    }

    static func checkRadius(_ epsilon: Double) throws {
        guard epsilon.isFinite, epsilon >= 0 else { throw InvalidArgument("epsilon", epsilon, "must be finite and >= 0") }
    }
}
