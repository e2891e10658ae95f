import Foundation

/// The output layer: a linear map o = C x + c of the final state x(T) ∈ R^d (C is outputs × d,
/// row-major, followed by c) and a per-sample loss φ.
///
/// - softmax cross-entropy: φ = log Σ_j e^{o_j} − o_label, ∇_o φ = softmax(o) − onehot(label);
/// - least squares: φ = ½|o − y|², ∇_o φ = o − y.
/// Its parameters are trained with the network (they are BVP parameters of the action formulation).
/// Cost O(outputs · d) per sample.
public enum Readout: Sendable, Hashable {
    case softmaxCrossEntropy(classes: Int)
    case leastSquares(outputs: Int)

    public var outputs: Int {
        switch self {
        case .softmaxCrossEntropy(let c): return c
        case .leastSquares(let l): return l
        }
    }

    /// Numbers per sample in the flattened target row: 1 (the label) or the output dimension.
    public var targetWidth: Int {
        switch self {
        case .softmaxCrossEntropy: return 1
        case .leastSquares(let l): return l
        }
    }

    public func parameterCount(width: Int) -> Int { outputs * width + outputs }

    /// o = C x + c into `o` (outputs numbers).
    @inlinable public func output(
        x: UnsafePointer<Double>, parameters: UnsafePointer<Double>, width d: Int, into o: UnsafeMutablePointer<Double>
    ) {
        let l = outputs
        for i in 0..<l {
            var sum = parameters[l * d + i]
            let row = parameters + i * d
            for j in 0..<d { sum += row[j] * x[j] }
            o[i] = sum
        }
    }

    /// o = C x + c for every row of `finalStates` (count × d), the readout at `parameters[offset...]`;
    /// count × outputs numbers.
    public func outputs(finalStates states: [Double], parameters: [Double], offset: Int, width d: Int) -> [Double] {
        let count = states.count / d, l = outputs
        var o = [Double](repeating: 0, count: count * l)
        parameters.withUnsafeBufferPointer { p in
            states.withUnsafeBufferPointer { s in
                o.withUnsafeMutableBufferPointer { ob in
                    for k in 0..<count {
                        output(x: s.baseAddress! + k * d, parameters: p.baseAddress! + offset, width: d, into: ob.baseAddress! + k * l)
                    }
                }
            }
        }
        return o
    }

    /// φ(x) for one sample, its gradient `gradX` = weight · ∇ₓφ (overwritten) and the accumulation
    /// `gradParameters` += weight · ∇_{C,c} φ. `o` is `outputs` numbers of scratch. Returns φ.
    @inlinable public func loss(
        x: UnsafePointer<Double>, parameters: UnsafePointer<Double>, width d: Int, target: UnsafePointer<Double>,
        weight: Double, gradX: UnsafeMutablePointer<Double>, gradParameters: UnsafeMutablePointer<Double>,
        scratch o: UnsafeMutablePointer<Double>
    ) -> Double {
        let l = outputs
        output(x: x, parameters: parameters, width: d, into: o)
        var value = 0.0
        switch self {
        case .softmaxCrossEntropy:
            let label = Int(target[0])
            var largest = o[0]
            for i in 1..<l { largest = max(largest, o[i]) }
            let labelLogit = o[label]
            var sum = 0.0
            for i in 0..<l {
                o[i] = exp(o[i] - largest)
                sum += o[i]
            }
            value = log(sum) + largest - labelLogit
            for i in 0..<l { o[i] /= sum }
            o[label] -= 1
        case .leastSquares:
            for i in 0..<l {
                o[i] -= target[i]
                value += 0.5 * o[i] * o[i]
            }
        }
        for j in 0..<d { gradX[j] = 0 }
        for i in 0..<l {
            let g = weight * o[i]
            let row = parameters + i * d
            let gRow = gradParameters + i * d
            for j in 0..<d {
                gradX[j] += row[j] * g
                gRow[j] += g * x[j]
            }
            gradParameters[l * d + i] += g
        }
        return value
    }
}
