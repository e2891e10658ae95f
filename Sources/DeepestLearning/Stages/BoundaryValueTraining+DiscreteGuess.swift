import BoundaryValue
import Foundation
import NumericCore

extension BoundaryValueTraining {
    /// The continuum guess built from a discrete solution on the N + 1 layer times t_n = n h, h = T/N
    /// (`network`'s step; exact inputs, so x_{k,0} = L y_k^in):
    ///
    /// - x_k(t_n) = x_{k,n};
    /// - p_k(t_n) = p_{k,n} from the discrete costate recursion p_N = −R_out∇φ_k(x_{k,N}),
    ///   p_n = p_{n+1} + h(∂ₓF(x_{k,n}, θ_n))ᵀp_{n+1} (at a discrete stationary point p_{n+1} = R_f e_n);
    /// - θ_n is the weight at the midpoint t_{n+1/2}, π_n = α(θ_n − θ_{n−1})/h at t_n (π_0 = π_N = 0):
    ///   the discrete stationarity in θ_n is then π_{n+1} − π_n = h(λθ_n − Σ_k ∂_θ[p_{k,n+1}·F]),
    ///   a staggered step of π' = λθ − Σ_k ∂_θ[p_k·F] with θ' = π/α. So θ(t_n) = (θ_{n−1} + θ_n)/2 inside,
    ///   θ(0) = θ_0, θ(T) = θ_{N−1} (θ'(0) = θ'(T) = 0 to O(h));
    /// - the readout (C, c) of the discrete solution.
    ///
    /// Lagrangian form: the second block is ẋ_k = F(x_k, θ) + p_k/r_f, the conjugate θ' = π/α. The guess
    /// satisfies every boundary condition of the continuum problem exactly except the readout's
    /// stationarity (exact at a discrete stationary point) and its residual in the differential equations
    /// is O(h) (symplectic Euler is first order; `BoundaryValueTrainingDiscreteStartTests`).
    /// Cost O(M N d²).
    public static func discreteGuess(network: ResidualNetwork, data: Dataset, unknowns: [Double],
                                     layout: TrainingStateLayout, form: BoundaryValueForm, precision: Double,
                                     smoothness: Double) -> InitialGuess {
        let field = network.field, d = network.width, layers = network.layers, h = network.stepSize
        let q = field.parameterCount, n = layout.dimension, m = layout.samples, mIn = network.inputDimension
        let stateCount = m * layers * d
        let theta = Array(unknowns[stateCount...])
        let readoutValues = Array(theta[network.readoutOffset...])
        let targets = (try? network.targetRows(data)) ?? []
        let targetWidth = network.readout.targetWidth
        var values = [Double](repeating: 0, count: (layers + 1) * n)
        var x = [Double](repeating: 0, count: (layers + 1) * d), p = x
        var gradParameters = [Double](repeating: 0, count: readoutValues.count)
        var scratch = [Double](repeating: 0, count: network.readout.outputs)
        var adjoint = [Double](repeating: 0, count: d), fx = adjoint
        // Weights and conjugates at the nodes (staggered: θ_n at t_{n+1/2}, π_n at t_n).
        var nodeTheta = [Double](repeating: 0, count: (layers + 1) * q), nodePi = nodeTheta
        for node in 0...layers {
            for i in 0..<q {
                let before = theta[network.layerOffset(max(node - 1, 0)) + i]
                let after = theta[network.layerOffset(min(node, layers - 1)) + i]
                nodeTheta[node * q + i] = 0.5 * (before + after)
                nodePi[node * q + i] = node == 0 || node == layers ? 0 : smoothness * (after - before) / h
            }
        }
        for k in 0..<m {
            let lifted = network.lift.apply(Array(data.inputs[(k * mIn)..<((k + 1) * mIn)]))
            for i in 0..<d { x[i] = lifted[i] }
            for j in 0..<(layers * d) { x[d + j] = unknowns[k * layers * d + j] }
            // p_N = −R_out∇φ, then the costate step backwards with θ_n.
            _ = x.withUnsafeBufferPointer { xb in
                readoutValues.withUnsafeBufferPointer { rb in
                    targets.withUnsafeBufferPointer { tb in
                        network.readout.loss(x: xb.baseAddress! + layers * d, parameters: rb.baseAddress!, width: d,
                                             target: tb.baseAddress! + k * targetWidth, weight: 1, gradX: &adjoint,
                                             gradParameters: &gradParameters, scratch: &scratch)
                    }
                }
            }
            for i in 0..<d { p[layers * d + i] = -adjoint[i] }
            for layer in stride(from: layers - 1, through: 0, by: -1) {
                x.withUnsafeBufferPointer { xb in
                    theta.withUnsafeBufferPointer { tb in
                        p.withUnsafeBufferPointer { pb in
                            field.stateAdjoint(x: xb.baseAddress! + layer * d, theta: tb.baseAddress! + network.layerOffset(layer),
                                               costate: pb.baseAddress! + (layer + 1) * d, into: &adjoint)
                        }
                    }
                }
                for i in 0..<d { p[layer * d + i] = p[(layer + 1) * d + i] + h * adjoint[i] }
            }
            for node in 0...layers {
                let base = node * n
                for i in 0..<d { values[base + k * d + i] = x[node * d + i] }
                if form == .hamiltonian {
                    for i in 0..<d { values[base + layout.secondOffset + k * d + i] = p[node * d + i] }
                } else {
                    x.withUnsafeBufferPointer { xb in
                        nodeTheta.withUnsafeBufferPointer { tb in
                            field.value(x: xb.baseAddress! + node * d, theta: tb.baseAddress! + node * q, into: &fx)
                        }
                    }
                    for i in 0..<d { values[base + layout.secondOffset + k * d + i] = fx[i] + p[node * d + i] / precision }
                }
            }
        }
        for node in 0...layers {
            let base = node * n
            for i in 0..<q {
                values[base + layout.weightOffset + i] = nodeTheta[node * q + i]
                values[base + layout.conjugateOffset + i] = nodePi[node * q + i] / (form == .hamiltonian ? 1 : smoothness)
            }
            for i in 0..<layout.readoutParameters { values[base + layout.readoutOffset + i] = readoutValues[i] }
        }
        let mesh = (0...layers).map { $0 == layers ? network.horizon : h * Double($0) }
        return .mesh(mesh, values: values)
    }
}
