import NumericCore

extension ActionNewtonSolver {
    /// The inertia (negative, zero, positive eigenvalue counts) of the Hessian of the discrete action A_h
    /// (finite r_f: states and weights as unknowns) at `unknowns`, by Haynsworth's additivity
    /// In(H) = Σ_k In(H_XX,k) + In(S), S = H_ΘΘ − Σ_k H_ΘX,k H_XX,k⁻¹ H_XΘ,k (MATH.md §6.1): each sample's
    /// state block by the pivots D̃_j of its block LDLᵀ (congruent to H_XX,k), the Schur complement onto
    /// the weights by `SymmetricEigen`. Eigenvalues within 1e-9 · max(1, max|λ|) of zero count as zero.
    /// Cost O(M N d² W + W³), never the dense (M N d + W)² Hessian. Nil when a state block is singular
    /// (its pivots cannot be inverted: the inertia is then not additive in this form).
    public func inertia(unknowns: [Double]) -> (negative: Int, zero: Int, positive: Int)? {
        var gradient = [Double]()
        _ = action.evaluate(unknowns: unknowns, gradient: &gradient)
        let blocks = SampleBlocks(count: action.data.count)
        var stateCounts = [Int](repeating: 0, count: 2 * blocks.blockCount)
        let assembled = stateCounts.withUnsafeMutableBufferPointer { counts in
            assembleSchurComplement(unknowns: unknowns, gradient: gradient, stateDamping: 0, multipliers: nil,
                                    stateInertia: counts.baseAddress!)
        }
        guard let schur = assembled, let eigen = try? SymmetricEigen(matrix: schur.matrix, dimension: weightCount) else { return nil }
        let scale = max(1, eigen.values.map(abs).max() ?? 0)
        let schurNegative = eigen.values.filter { $0 < -1e-9 * scale }.count
        let schurZero = eigen.values.filter { abs($0) <= 1e-9 * scale }.count
        var negative = schurNegative, zero = schurZero
        for b in 0..<blocks.blockCount {
            negative += stateCounts[2 * b]
            zero += stateCounts[2 * b + 1]
        }
        let total = action.stateUnknownCount + weightCount
        return (negative, zero, total - negative - zero)
    }
}
