/// The eigenvector of the smallest Hessian eigenvalue at a training run's returned point (`MorseIndex`),
/// by weight node and readout: the direction of steepest descent of the action's curvature, the escape
/// direction at a saddle. For a ResNet the nodes are its layers (depth n·h); for a continuum result the
/// nodes of the report's flow.
public struct HessianEigenvector: Sendable {
    /// The depth t of each weight node.
    public let depths: [Double]
    /// Parameters per node (d² + d, or 2d² + d… as the field's layout).
    public let nodeParameterCount: Int
    /// depths.count × nodeParameterCount weights (node by node), then the readout's parameters.
    public let values: [Double]

    public init(depths: [Double], nodeParameterCount: Int, values: [Double]) {
        self.depths = depths
        self.nodeParameterCount = nodeParameterCount
        self.values = values
    }

    /// CSV: block (weight or readout), depth (empty for the readout), component, value.
    public var csv: String {
        var text = "block,depth,component,value\n"
        let q = nodeParameterCount, weights = depths.count * q
        for (i, value) in values.enumerated() {
            text += i < weights ? "weight,\(depths[i / q]),\(i % q),\(value)\n" : "readout,,\(i - weights),\(value)\n"
        }
        return text
    }
}
