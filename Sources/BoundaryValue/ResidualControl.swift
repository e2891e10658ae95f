import Foundation

/// The residual control of adaptive collocation (Notes/mesh-refinement.md): the measure of each
/// interval's residual of the C¹ cubic Hermite output and the equidistribution rule that rebuilds the
/// mesh from it. Used by `Collocation` and by collocation solvers of other modules that solve the
/// same equations with other linear algebra (the structured collocation of the training problem), so
/// that a tolerance means the same thing in all of them.
public enum ResidualControl {
    /// Every interval's residual must end below half the tolerance: a safety factor (the residual
    /// estimate is itself approximate), which makes the achieved error at least as small as that of
    /// the plain criterion ρ <= tol of bvp4c and scipy's solve_bvp at the same tolerance.
    public static func target(tolerance: Double) -> Double { 0.5 * tolerance }

    /// Lobatto points of the 5-point rule on [0, 1] (interior ones) and their weights.
    static let lobattoOffset = 0.21821789023599239 // √21 / 14
    static let lobattoWeights = (outer: 49.0 / 180, middle: 16.0 / 45)

    /// Doubles of scratch `intervalResiduals` needs for a system of dimension n.
    public static func workspaceSize(dimension n: Int) -> Int { 3 * n }

    /// The residual measure of each interval i in `range`, written to `residuals[i]`: the RMS over the
    /// interval (5-point Lobatto rule; the end points have zero residual) of the Euclidean norm of the
    /// relative residual (S' − f(t, S))/(1 + |f|), componentwise, of the cubic Hermite interpolant S of
    /// the node values `y` and slopes `f` (node-major, n per node) on the mesh `t`. Three field
    /// evaluations per interval; intervals are independent, so ranges may run on parallel workers
    /// (each with its own `workspace` of `workspaceSize(dimension:)` doubles).
    public static func intervalResiduals(field: VectorField, dimension n: Int, intervals range: Range<Int>,
                                         t: UnsafePointer<Double>, y: UnsafePointer<Double>, f: UnsafePointer<Double>,
                                         into residuals: UnsafeMutablePointer<Double>,
                                         workspace: UnsafeMutablePointer<Double>) {
        let s = workspace, d = workspace + n, fs = workspace + 2 * n
        for i in range {
            let h = t[i + 1] - t[i]
            var sum = 0.0
            for point in 0..<3 {
                let x = 0.5 + Double(point - 1) * lobattoOffset
                let h00 = (1 + 2 * x) * (1 - x) * (1 - x), h10 = x * (1 - x) * (1 - x)
                let h01 = x * x * (3 - 2 * x), h11 = x * x * (x - 1)
                let d00 = 6 * x * (x - 1) / h, d10 = (1 - x) * (1 - 3 * x), d11 = x * (3 * x - 2)
                let y0 = y + i * n, y1 = y0 + n, f0 = f + i * n, f1 = f0 + n
                for k in 0..<n {
                    s[k] = h00 * y0[k] + h * h10 * f0[k] + h01 * y1[k] + h * h11 * f1[k]
                    d[k] = d00 * (y0[k] - y1[k]) + d10 * f0[k] + d11 * f1[k]
                }
                field(t[i] + x * h, s, fs)
                var q = 0.0
                for k in 0..<n {
                    let v = (d[k] - fs[k]) / (1 + abs(fs[k]))
                    q += v * v
                }
                sum += (point == 1 ? lobattoWeights.middle : lobattoWeights.outer) * q
            }
            residuals[i] = sum.squareRoot()
        }
    }

    /// The adapted mesh, by equidistribution of the predicted residual: interval i (residual ρ_i, which
    /// scales like h^p, p = `order`) should become w_i = s (ρ_i/target)^{1/p} intervals, at least 0.5
    /// (one pass merges at most two intervals into one). After the first pass s = 1.15 and w_i ≤ 20.
    /// On the first pass (`firstPass`: the guess's mesh, where the prediction is least reliable)
    /// s = 1.3, and the prediction is taken as it is when every w_i ≤ 60 (one refinement then reaches
    /// the target); when some interval asks for more, the residual is too far from the target to be
    /// predicted from this mesh and the pass is a cheap exploratory step, w_i ≤ 10. The new nodes divide
    /// the cumulative weight Σ w_i into ⌈Σ w_i⌉ equal parts. Intervals far above the target are split,
    /// intervals far below it are merged, in the same pass. With `allowRefinement` false (every interval
    /// already meets the target) only merging is allowed. nil when nothing changes. Cost O(N).
    /// (Notes/mesh-refinement.md, "The rule", with the measurements behind the constants.)
    public static func adaptedMesh(_ mesh: [Double], residuals: UnsafePointer<Double>, target: Double, order: Int,
                                   firstPass: Bool, allowRefinement: Bool) -> [Double]? {
        let inverseOrder = 1 / Double(order)
        let margin = firstPass ? firstPassMargin : laterMargin
        var clamp = laterClamp
        if firstPass {
            var largest = 0.0
            for i in 0..<(mesh.count - 1) { largest = max(largest, margin * pow(max(residuals[i] / target, 0), inverseOrder)) }
            clamp = largest <= firstPassTrustedSplit ? firstPassTrustedSplit : firstPassExploratorySplit
        }
        let count = mesh.count - 1
        guard count >= 1 else { return nil }
        var weights = [Double](repeating: 0, count: count)
        var total = 0.0
        for i in 0..<count {
            var w = margin * pow(max(residuals[i] / target, 0), inverseOrder)
            if !w.isFinite { w = clamp }
            w = min(clamp, max(0.5, w))
            if !allowRefinement { w = min(w, 1) }
            weights[i] = w
            total += w
        }
        let newCount = max(1, Int(total.rounded(.up)))
        if !allowRefinement && newCount >= count { return nil }
        var result = [Double]()
        result.reserveCapacity(newCount + 1)
        result.append(mesh[0])
        var cumulative = 0.0
        var i = 0
        for k in 1..<max(newCount, 1) {
            let goal = total * Double(k) / Double(newCount)
            while i < count - 1 && cumulative + weights[i] < goal {
                cumulative += weights[i]
                i += 1
            }
            let fraction = min(1, max(0, (goal - cumulative) / weights[i]))
            let t = mesh[i] + fraction * (mesh[i + 1] - mesh[i])
            if let last = result.last, t > last, t < mesh[count] { result.append(t) }
        }
        result.append(mesh[count])
        return result.count >= 2 ? result : nil
    }

    /// The first pass's prediction is used as it is when no interval asks for more than this many
    /// subintervals. A smooth problem whose residual on the guess's 11 nodes is 1e-2 then reaches
    /// tol/2 = 5e-7 in that one refinement (Bratu at 1e-8, the LQ problem at 1e-6); with every split
    /// clamped to 10 it needed a second one.
    public static let firstPassTrustedSplit = 60.0
    /// The largest split of the first pass when some interval asks for more than
    /// `firstPassTrustedSplit`: a small exploratory mesh on which the residual is nearer its asymptotic
    /// behaviour (LQ at 1e-8: 11 → 101 → 624 nodes; a clamp of 40 gave 11 → 331 → 624, a third more work;
    /// no clamp asked layer problems solved from a straight line for thousands of nodes).
    public static let firstPassExploratorySplit = 10.0
    /// Margin of the first pass's prediction: from the guess's mesh the predicted residual was up to
    /// 1% short of the target with 1.15 (LQ n = 10, 1e-6: 138 nodes at 1.01·(tol/2), then a third pass).
    public static let firstPassMargin = 1.3
    /// Largest split of one interval after the first pass, where ρ ~ h^p holds: twentyfold reaches the
    /// target in one pass instead of two (LQ, 1e-8: 11 → 101 → 770 nodes instead of 11 → 101 → 615 → 774).
    public static let laterClamp = 20.0
    /// Margin of the later passes' prediction (15%).
    public static let laterMargin = 1.15

    /// Whether a merge-only pass from `nodes` to `newNodes` nodes is worth a new Newton solve: only
    /// when it removes at least a quarter of the nodes.
    public static func coarseningPays(from nodes: Int, to newNodes: Int) -> Bool { newNodes <= (nodes * 3) / 4 }
}
