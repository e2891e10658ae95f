import NumericCore

/// What a nonlinearity sees: the field at the nodes at time τ and, when it asked for them, its spectral
/// derivatives at the nodes. Every buffer has the grid's layout (component-major, y slow, x fast).
public struct SPDEFieldView {
    public let time: Double
    public let grid: SpectralGrid
    public let values: UnsafeBufferPointer<Double>
    /// ∂u/∂x, ∂u/∂y and ∆u at the nodes (nil unless listed in `SPDENonlinearity.inputs`).
    public let gradientX: UnsafeBufferPointer<Double>?
    public let gradientY: UnsafeBufferPointer<Double>?
    public let laplacian: UnsafeBufferPointer<Double>?
    /// The x and y coordinate of each point (P entries each; y is 0 in 1-D).
    public let x: UnsafeBufferPointer<Double>
    public let y: UnsafeBufferPointer<Double>
    /// The global unknowns (`SPDEGlobals`; empty without them). Their drift goes in the result buffer
    /// after the field's grid.count entries.
    public let globals: UnsafeBufferPointer<Double>
}

/// The nonlinear drift F(τ, u) of du = (Au + F) dτ + G dW, evaluated in physical space on the nodes:
/// `evaluate(view, result)` writes F at every node and component (pseudo-spectral). With `dealiased`
/// the 2/3 rule zeroes the top third of the modes of F (and the noise there), which removes the
/// aliasing of quadratic products exactly (Notes/spectral-bases.md). With `SPDEGlobals` the result
/// buffer has grid.count + globals entries: the field's drift at the nodes, then the globals' drift
/// (zeroed before the call).
public struct SPDENonlinearity: Sendable {
    /// The spectral derivatives a nonlinearity needs at the nodes.
    public struct Inputs: OptionSet, Sendable {
        public let rawValue: Int
        public init(rawValue: Int) { self.rawValue = rawValue }
        public static let gradientX = Inputs(rawValue: 1)
        public static let gradientY = Inputs(rawValue: 2)
        public static let laplacian = Inputs(rawValue: 4)
    }

    public let inputs: Inputs
    public let dealiased: Bool
    public let evaluate: @Sendable (SPDEFieldView, UnsafeMutableBufferPointer<Double>) -> Void

    public init(inputs: Inputs = [], dealiased: Bool = false,
                evaluate: @escaping @Sendable (SPDEFieldView, UnsafeMutableBufferPointer<Double>) -> Void) {
        self.inputs = inputs
        self.dealiased = dealiased
        self.evaluate = evaluate
    }

    /// F(u) = f(u) at every node and component (a Nemytskii operator).
    public static func pointwise(dealiased: Bool = false, _ f: @escaping @Sendable (Double) -> Double) -> SPDENonlinearity {
        SPDENonlinearity(dealiased: dealiased) { view, result in
            for i in 0..<view.values.count { result[i] = f(view.values[i]) }
        }
    }

    /// Allen–Cahn's F(u) = u − u³ (the double well V = u⁴/4 − u²/2, F = −V').
    public static let allenCahn = SPDENonlinearity { view, result in
        for i in 0..<view.values.count {
            let u = view.values[i]
            result[i] = u - u * u * u
        }
    }

    /// Burgers' F(u) = −u ∂u/∂x on a periodic x-axis, dealiased by the 2/3 rule.
    public static let burgers = SPDENonlinearity(inputs: .gradientX, dealiased: true) { view, result in
        guard let ux = view.gradientX else { return }
        for i in 0..<view.values.count { result[i] = -view.values[i] * ux[i] }
    }

    /// A forcing f(τ, x, y) independent of u, the same for every component.
    public static func forcing(_ f: @escaping @Sendable (Double, Double, Double) -> Double) -> SPDENonlinearity {
        SPDENonlinearity { view, result in
            let points = view.grid.pointCount
            for i in 0..<view.values.count { result[i] = f(view.time, view.x[i % points], view.y[i % points]) }
        }
    }

    /// F = F₁ + F₂ (inputs united; dealiased if either is). A temporary buffer holds F₂ (one
    /// allocation on the stack per evaluation).
    public static func + (lhs: SPDENonlinearity, rhs: SPDENonlinearity) -> SPDENonlinearity {
        SPDENonlinearity(inputs: lhs.inputs.union(rhs.inputs), dealiased: lhs.dealiased || rhs.dealiased) { view, result in
            lhs.evaluate(view, result)
            withUnsafeTemporaryAllocation(of: Double.self, capacity: result.count) { second in
                second.initialize(repeating: 0)
                rhs.evaluate(view, second)
                for i in 0..<result.count { result[i] += second[i] }
            }
        }
    }
}
