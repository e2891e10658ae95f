import BoundaryValue
import Foundation
import NumericCore

/// The pieces the continuum stages share (`ContinuumRungSolver`): the guesses of a continuum solve
/// built from the result of the previous stage (`firstGuess` from seeded weights, `discreteGuess`
/// from a discrete stationary point, `reducedGuess` from the reduced action's) and the continuum action
/// at a solution (`continuumAction`); `reducedStart` runs L-BFGS on the reduced action
/// (Notes/deepest-learning-action.md §9).
public enum BoundaryValueTraining {
    /// The first rung's guess on `nodes` equally spaced nodes: x_k(t) the RK4 flow (8 steps per
    /// interval) of ẋ = F(x, θ) from the inputs, θ constant, momenta and conjugates zero, the readout
    /// constant (Lagrangian form: the second block ẋ_k = F(x_k, θ), the image of p_k = 0). Its model
    /// residual ẋ − F vanishes, so only the end conditions are violated.
    static func firstGuess<Field: DepthField>(field: Field, inputs: [Double], theta: [Double], readout: [Double],
                                              layout: TrainingStateLayout, horizon: Double, nodes: Int,
                                              form: BoundaryValueForm = .hamiltonian) -> InitialGuess {
        let n = layout.dimension, d = layout.width, states = layout.states, substeps = 8
        let h = horizon / Double((nodes - 1) * substeps)
        var mesh = [Double](), values = [Double]()
        var x = inputs
        var k1 = [Double](repeating: 0, count: d), k2 = k1, k3 = k1, k4 = k1, stage = k1
        for node in 0..<nodes {
            mesh.append(node == nodes - 1 ? horizon : horizon * Double(node) / Double(nodes - 1))
            var y = [Double](repeating: 0, count: n)
            for i in 0..<states { y[i] = x[i] }
            if form == .lagrangian {
                for s in 0..<layout.samples {
                    field.value(x: Array(x[(s * d)..<((s + 1) * d)]), theta: theta, into: &k1)
                    for i in 0..<d { y[layout.secondOffset + s * d + i] = k1[i] }
                }
            }
            for i in 0..<theta.count { y[layout.weightOffset + i] = theta[i] }
            for i in 0..<layout.readoutParameters { y[layout.readoutOffset + i] = readout[i] }
            values += y
            guard node < nodes - 1 else { break }
            for _ in 0..<substeps {
                for s in 0..<layout.samples {
                    let xs = Array(x[(s * d)..<((s + 1) * d)])
                    field.value(x: xs, theta: theta, into: &k1)
                    for i in 0..<d { stage[i] = xs[i] + 0.5 * h * k1[i] }
                    field.value(x: stage, theta: theta, into: &k2)
                    for i in 0..<d { stage[i] = xs[i] + 0.5 * h * k2[i] }
                    field.value(x: stage, theta: theta, into: &k3)
                    for i in 0..<d { stage[i] = xs[i] + h * k3[i] }
                    field.value(x: stage, theta: theta, into: &k4)
                    for i in 0..<d { x[s * d + i] = xs[i] + h / 6 * (k1[i] + 2 * k2[i] + 2 * k3[i] + k4[i]) }
                }
            }
        }
        return .mesh(mesh, values: values)
    }
}
