import Foundation
import Testing
@testable import BoundaryValue

/// The mesh rule of `ResidualControl` on residuals that follow the asymptotic law ρ_i = c(t_i) h_i^p
/// exactly: the equidistributed mesh must then meet the target in every new interval (the prediction is
/// exact, the margins only add nodes), and the first pass must fall back to its exploratory clamp when
/// the prediction asks for more than `firstPassTrustedSplit` subintervals.
@Suite struct ResidualControlTests {
    /// ρ(t, h) = c(t) h^p with c varying by two decades over [0, 1] (a layer-like profile).
    static func residualLaw(_ t: Double, _ h: Double, scale: Double, order: Int) -> Double {
        let c = scale * (1 + 100 * (t - 0.3) * (t - 0.3) / 0.49)
        var power = 1.0
        for _ in 0..<order { power *= h }
        return c * power
    }

    static func residuals(_ mesh: [Double], scale: Double, order: Int) -> [Double] {
        (0..<(mesh.count - 1)).map { i in
            let h = mesh[i + 1] - mesh[i]
            // The law at the interval's worst point (c is convex, so at an end).
            return max(residualLaw(mesh[i], h, scale: scale, order: order), residualLaw(mesh[i + 1], h, scale: scale, order: order))
        }
    }

    @Test(arguments: [2, 3], [1e-4, 1e-1, 1e1])
    func trustedFirstPassMeetsTheTargetInOnePass(order: Int, scale: Double) throws {
        let mesh = (0...10).map { Double($0) / 10 }
        let target = 1e-6
        let rho = Self.residuals(mesh, scale: scale, order: order)
        let asked = rho.map { ResidualControl.firstPassMargin * pow($0 / target, 1 / Double(order)) }
        let new = try #require(rho.withUnsafeBufferPointer {
            ResidualControl.adaptedMesh(mesh, residuals: $0.baseAddress!, target: target, order: order,
                                        firstPass: true, allowRefinement: true)
        })
        let after = Self.residuals(new, scale: scale, order: order)
        let largestSplit = asked.max() ?? 0
        if largestSplit <= ResidualControl.firstPassTrustedSplit {
            // The prediction is taken as it is: every new interval meets the target.
            #expect(after.allSatisfy { $0 <= target }, "order \(order), scale \(scale): max residual \(after.max() ?? .nan) on \(new.count) nodes")
        } else {
            // Exploratory step: no old interval is cut into more than firstPassExploratorySplit pieces
            // (equidistribution may place ⌈w⌉ + 1 nodes' worth of boundaries inside one old interval).
            for i in 0..<(mesh.count - 1) {
                let inside = new.filter { $0 > mesh[i] && $0 < mesh[i + 1] }.count
                #expect(Double(inside) <= ResidualControl.firstPassExploratorySplit + 1,
                        "order \(order), scale \(scale): interval \(i) split into \(inside + 1)")
            }
        }
    }

    @Test func theScalesExerciseBothBranchesOfTheFirstPass() {
        // The cases above must include a trusted and an exploratory first pass.
        let mesh = (0...10).map { Double($0) / 10 }
        func largestSplit(_ scale: Double) -> Double {
            Self.residuals(mesh, scale: scale, order: 3).map { ResidualControl.firstPassMargin * pow($0 / 1e-6, 1.0 / 3) }.max() ?? 0
        }
        #expect(largestSplit(1e-4) <= ResidualControl.firstPassTrustedSplit)
        #expect(largestSplit(1e1) > ResidualControl.firstPassTrustedSplit)
    }

    @Test(arguments: [2, 3])
    func laterPassesMeetTheTargetWhenTheSplitIsWithinTheClamp(order: Int) throws {
        // A mesh already near the target (splits ≤ 20 everywhere): one later pass meets it.
        let mesh = (0...200).map { Double($0) / 200 }
        let target = 1e-8
        let scale = target / pow(0.005, Double(order)) / 101 * 50 // worst interval ~50× the target
        let rho = Self.residuals(mesh, scale: scale, order: order)
        let new = try #require(rho.withUnsafeBufferPointer {
            ResidualControl.adaptedMesh(mesh, residuals: $0.baseAddress!, target: target, order: order,
                                        firstPass: false, allowRefinement: true)
        })
        let after = Self.residuals(new, scale: scale, order: order)
        #expect(after.allSatisfy { $0 <= target }, "order \(order): max residual \(after.max() ?? .nan) on \(new.count) nodes")
        // Intervals far below the target were merged: fewer nodes than a uniform mesh fine enough everywhere.
        let uniform = pow(101 * scale / target, 1 / Double(order))
        #expect(Double(new.count - 1) < uniform, "\(new.count - 1) intervals against \(uniform) uniform")
    }
}
