/// The split of the action used to monitor precision annealing: data misfit (input and output
/// terms), model error, smoothness, Tikhonov (weights and readout).
public struct ActionParts: Sendable, Hashable, Codable {
    public var dataMisfit: Double
    public var modelError: Double
    public var smoothness: Double
    public var tikhonov: Double
    public var total: Double { dataMisfit + modelError + smoothness + tikhonov }
}
