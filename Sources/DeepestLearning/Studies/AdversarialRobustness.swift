import NumericCore

/// The adversarial robustness of a trained classifier on a data set (Notes/forward-stability-and-robustness.md §3):
///
/// - accuracy under FGSM and PGD (`AdversarialAttack`) for each radius ε of each norm;
/// - the minimal adversarial perturbation of every point: the smallest ℓ∞ (or ℓ2) radius at which PGD
///   changes its prediction, by bisection on [0, `maximumRadius`] (`bisectionSteps` halvings, so the
///   radius is known to `maximumRadius`·2^−steps; 0 for a point misclassified clean, +∞ for one PGD
///   does not break at `maximumRadius`);
/// - local Lipschitz estimates ‖∂o/∂input‖₂ per point (`LocalLipschitz`).
///
/// Cost: (2·radii + bisectionSteps + 1) attacks of at most `steps` costate passes over the data, each
/// O(M · steps · d²), and O(M · steps · d³) for the Lipschitz estimates.
public struct AdversarialRobustness: Sendable {
    /// Accuracy against ε for one norm.
    public struct Curve: Sendable {
        public let norm: PerturbationNorm
        public let epsilons: [Double]
        public let fgsmAccuracy: [Double]
        public let pgdAccuracy: [Double]
    }

    public let cleanAccuracy: Double
    public let curves: [Curve]
    /// The norm of the minimal perturbations, and the radius searched.
    public let minimalNorm: PerturbationNorm
    public let maximumRadius: Double
    /// Per point (data order).
    public let minimalPerturbations: [Double]
    public let medianMinimalPerturbation: Double
    /// ‖∂o/∂input‖₂ per point, their median and maximum.
    public let lipschitz: [Double]
    public let medianLipschitz: Double, maxLipschitz: Double
    /// The PGD inputs at the largest radius of the first curve (for figures of adversarial examples).
    public let strongestAttack: [Double]

    /// - Parameters: `radii` per norm (each list non-empty, radii finite and ≥ 0); `steps` PGD steps;
    ///   `progress(done, total)` after each attack.
    /// - Throws: `InvalidArgument` for regression data (accuracy needs labels), a data set that does not
    ///   fit the network, or an invalid radius.
    public init(network: TrainedNetwork, data: Dataset, radii: [(PerturbationNorm, [Double])], steps: Int = 20,
                minimalNorm: PerturbationNorm = .infinity, maximumRadius: Double, bisectionSteps: Int = 10,
                progress: ((Int, Int) -> Void)? = nil) throws {
        guard case .classes = data.targets else {
            throw InvalidArgument("data", "regression targets", "adversarial accuracy needs class labels")
        }
        guard !radii.isEmpty, radii.allSatisfy({ !$0.1.isEmpty }) else { throw InvalidArgument("radii", "[]", "must list at least one radius per norm") }
        guard maximumRadius.isFinite, maximumRadius > 0 else { throw InvalidArgument("maximumRadius", maximumRadius, "must be finite and > 0") }
        try Validate.atLeast(bisectionSteps, 0, "bisectionSteps")
        let total = radii.reduce(0) { $0 + 2 * $1.1.count } + bisectionSteps + 1
        var done = 0
        func advance() {
            done += 1
            progress?(done, total)
        }
        func correct(_ inputs: [Double]) -> [Bool] { Metrics.correct(outputs: network.outputs(inputs: inputs), data: data) }
        func accuracy(_ inputs: [Double]) -> Double { Double(correct(inputs).filter { $0 }.count) / Double(data.count) }
        let clean = correct(data.inputs)
        cleanAccuracy = Double(clean.filter { $0 }.count) / Double(data.count)
        var curves = [Curve]()
        var strongest = data.inputs
        for (index, (norm, epsilons)) in radii.enumerated() {
            let attack = try AdversarialAttack(norm: norm, steps: steps)
            var fgsm = [Double](), pgd = [Double]()
            for (e, epsilon) in epsilons.enumerated() {
                fgsm.append(accuracy(try attack.fgsm(network: network, data: data, epsilon: epsilon)))
                advance()
                let attacked = try attack.pgd(network: network, data: data, epsilon: epsilon)
                pgd.append(accuracy(attacked))
                advance()
                if index == 0 && e == epsilons.count - 1 { strongest = attacked }
            }
            curves.append(Curve(norm: norm, epsilons: epsilons, fgsmAccuracy: fgsm, pgdAccuracy: pgd))
        }
        self.curves = curves
        strongestAttack = strongest
        // Bisection on the PGD radius, all points at once (each at its own midpoint).
        let attack = try AdversarialAttack(norm: minimalNorm, steps: steps)
        let brokenAtMaximum = correct(try attack.pgd(network: network, data: data, epsilon: maximumRadius)).map { !$0 }
        advance()
        var low = [Double](repeating: 0, count: data.count), high = [Double](repeating: maximumRadius, count: data.count)
        for _ in 0..<bisectionSteps {
            let middle = (0..<data.count).map { clean[$0] && brokenAtMaximum[$0] ? 0.5 * (low[$0] + high[$0]) : 0 }
            let still = correct(try attack.pgd(network: network, data: data, epsilons: middle))
            for k in 0..<data.count where clean[k] && brokenAtMaximum[k] {
                if still[k] { low[k] = middle[k] } else { high[k] = middle[k] }
            }
            advance()
        }
        self.minimalNorm = minimalNorm
        self.maximumRadius = maximumRadius
        minimalPerturbations = (0..<data.count).map { !clean[$0] ? 0 : brokenAtMaximum[$0] ? high[$0] : .infinity }
        medianMinimalPerturbation = Self.median(minimalPerturbations)
        let m = data.inputDimension
        var lipschitz = [Double](repeating: 0, count: data.count)
        lipschitz.withUnsafeMutableBufferPointer { out in
            let shared = SharedMutablePointer(out.baseAddress!)
            Parallel.forEach(data.count) { k in
                shared.base[k] = LocalLipschitz.estimate(network: network, input: Array(data.inputs[(k * m)..<((k + 1) * m)]))
            }
        }
        self.lipschitz = lipschitz
        medianLipschitz = Self.median(lipschitz)
        maxLipschitz = lipschitz.max() ?? 0
    }

    /// The median (the mean of the two middle values for an even count; +∞ entries sort last).
    static func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        guard !sorted.isEmpty else { return .nan }
        let c = sorted.count
        return c % 2 == 1 ? sorted[c / 2] : (sorted[c / 2 - 1] == sorted[c / 2] ? sorted[c / 2] : 0.5 * (sorted[c / 2 - 1] + sorted[c / 2]))
    }
}
