import Foundation
import NumericCore

/// A temperature Temp(τ) for the Langevin flow of the training action (MATH.md §2.2; Notes/langevin-flow.md),
/// followed by a noiseless phase from `quenchTime` on (Temp = 0: the gradient flow).
public struct TemperatureSchedule: Sendable, Hashable {
    public enum Kind: String, Sendable, CaseIterable, Codable {
        /// Temp = T₀.
        case constant
        /// Temp = T₀ γ^⌊τ/Δ⌋: geometric stages of length Δ (the practical choice).
        case geometric
        /// Temp = T₀/ln(e + τ): the logarithmic cooling of Geman–Hwang and Hajek (global convergence in
        /// probability iff T₀ ≥ the depth of the deepest non-global minimum).
        case logarithmic
    }

    public let kind: Kind
    public let initial: Double
    public let factor: Double
    public let stageLength: Double
    public let quenchTime: Double

    /// Throws `InvalidArgument` for a negative or non-finite T₀, a factor outside (0, 1], a non-positive
    /// stage length or a negative quench time.
    public init(_ kind: Kind, initial: Double, factor: Double = 0.5, stageLength: Double = 1, quenchTime: Double = .infinity) throws {
        guard initial.isFinite, initial >= 0 else { throw InvalidArgument("temperature", initial, "must be finite and >= 0") }
        guard factor > 0, factor <= 1 else { throw InvalidArgument("cooling", factor, "must be in (0, 1]") }
        try Validate.positive(stageLength, "stage-length")
        guard quenchTime >= 0 else { throw InvalidArgument("quench", quenchTime, "must be >= 0") }
        self.kind = kind
        self.initial = initial
        self.factor = factor
        self.stageLength = stageLength
        self.quenchTime = quenchTime
    }

    /// Temp(τ).
    public func temperature(at tau: Double) -> Double {
        guard tau < quenchTime else { return 0 }
        switch kind {
        case .constant: return initial
        case .geometric: return initial * pow(factor, (tau / stageLength).rounded(.down))
        case .logarithmic: return initial / log(M_E + tau)
        }
    }
}
