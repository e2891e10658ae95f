/// How the boundary value training methods treat the readout (C, c): as BVP unknowns with their
/// stationarity conditions (`trained`), or eliminated by variable projection (`projected`: the ridge
/// regression for least squares, an inner Newton solve for softmax; Notes/readout-projection.md).
/// Both give the same stationary point; projection removes k unknowns and k end conditions.
public enum ReadoutTreatment: String, CaseIterable, Sendable, Codable {
    case trained, projected
}

extension ReadoutTreatment {
    /// The `ReadoutParameters` of the continuum problem with readout Tikhonov weight μ.
    public func parameters(tikhonov: Double) -> ReadoutParameters {
        switch self {
        case .trained: return .trained(tikhonov: tikhonov)
        case .projected: return .projected(tikhonov: tikhonov)
        }
    }
}
