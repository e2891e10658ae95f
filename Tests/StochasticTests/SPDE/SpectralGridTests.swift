import Foundation
import NumericCore
import Testing
@testable import Stochastic

/// The spectral bases against their definitions: every basis function sampled at the nodes maps to a
/// unit coefficient vector, the transforms are inverse to each other, and ∂/∂x and ∆ act as on the
/// functions themselves.
@Suite struct SpectralGridTests {
    static let sizes = [5, 8, 13]

    /// Sampling e_s at the nodes and transforming gives the unit vector at slot s (orthonormality and
    /// the slot convention at once), in 1-D for every basis.
    @Test(arguments: SpectralBasis.allCases)
    func basisFunctionsMapToUnitCoefficients(basis: SpectralBasis) throws {
        for n in Self.sizes {
            let grid = try SpectralGrid(basis, modes: n, length: 1.7)
            for s in 0..<n {
                var field = (0..<n).map { grid.basisFunction(point: s, x: grid.position(ofPoint: $0).x) }
                field.withUnsafeMutableBufferPointer { grid.valuesToCoefficients($0.baseAddress!) }
                for k in 0..<n {
                    #expect(abs(field[k] - (k == s ? 1 : 0)) < 1e-12, "\(basis) n = \(n): slot \(s) gave \(field[k]) at \(k)")
                }
            }
        }
    }

    /// The 2-D tensor basis, and the round trip values → coefficients → values, for mixed bases.
    @Test(arguments: [(SpectralBasis.periodic, SpectralBasis.neumann), (.dirichlet, .periodic), (.dirichletNeumann, .neumannDirichlet)])
    func tensorBasisAndRoundTripIn2D(bases: (SpectralBasis, SpectralBasis)) throws {
        let grid = try SpectralGrid(axes: [SpectralAxis(bases.0, count: 6, length: 2), SpectralAxis(bases.1, count: 5, length: 1)], components: 2)
        let P = grid.pointCount
        for p in [0, 7, 13, P - 1] {
            var field = [Double](repeating: 0, count: grid.count)
            for i in 0..<P { let (x, y) = grid.position(ofPoint: i); field[P + i] = grid.basisFunction(point: p, x: x, y: y) }
            field.withUnsafeMutableBufferPointer { grid.valuesToCoefficients($0.baseAddress!) }
            for k in 0..<grid.count { #expect(abs(field[k] - (k == P + p ? 1 : 0)) < 1e-12, "\(bases) point \(p): \(field[k]) at \(k)") }
        }
        let random = RandomStream(seed: 3, index: 0)
        var values = [Double](repeating: 0, count: grid.count)
        random.fillGaussian(&values)
        var copy = values
        copy.withUnsafeMutableBufferPointer { grid.valuesToCoefficients($0.baseAddress!) }
        // Parseval: Σ û² = h_x h_y Σ u² (the node quadrature is exact on the span).
        let energy = copy.reduce(0) { $0 + $1 * $1 }, quadrature = values.reduce(0) { $0 + $1 * $1 } * grid.cellVolume
        #expect(abs(energy - quadrature) < 1e-12 * quadrature)
        copy.withUnsafeMutableBufferPointer { grid.coefficientsToValues($0.baseAddress!, into: $0.baseAddress!) }
        #expect(zip(copy, values).allSatisfy { abs($0 - $1) < 1e-12 })
    }

    /// Spectral ∂/∂x of sin(2πf x/L) + cos(...) on a periodic grid is exact; the Laplacian multiplies by −κ².
    @Test func periodicDerivativeAndLaplacianAreExact() throws {
        let L = 3.0, n = 16
        let grid = try SpectralGrid(.periodic, modes: n, length: L)
        let x = (0..<n).map { grid.position(ofPoint: $0).x }
        let k = 2 * Double.pi * 3 / L
        var u = x.map { sin(k * $0) + 0.5 * cos(2 * k * $0) }
        let ux = x.map { k * cos(k * $0) - k * sin(2 * k * $0) }
        let uxx = x.map { -k * k * sin(k * $0) - 2 * k * k * cos(2 * k * $0) }
        u.withUnsafeMutableBufferPointer { grid.valuesToCoefficients($0.baseAddress!) }
        var d = [Double](repeating: 0, count: n), lap = d
        u.withUnsafeBufferPointer { c in
            d.withUnsafeMutableBufferPointer { grid.differentiate(c.baseAddress!, axis: 0, into: $0.baseAddress!) }
            lap.withUnsafeMutableBufferPointer { grid.laplacian(c.baseAddress!, into: $0.baseAddress!) }
        }
        d.withUnsafeMutableBufferPointer { grid.coefficientsToValues($0.baseAddress!, into: $0.baseAddress!) }
        lap.withUnsafeMutableBufferPointer { grid.coefficientsToValues($0.baseAddress!, into: $0.baseAddress!) }
        for i in 0..<n {
            #expect(abs(d[i] - ux[i]) < 1e-11 * k, "u_x at \(x[i]): \(d[i]) vs \(ux[i])")
            #expect(abs(lap[i] - uxx[i]) < 1e-10 * k * k, "∆u at \(x[i]): \(lap[i]) vs \(uxx[i])")
        }
    }

    /// `mode(ofSlot:)` inverts `slot(ofMode:)`, and the mode order is by increasing wavenumber.
    @Test(arguments: SpectralBasis.allCases)
    func modeAndSlotAreInverse(basis: SpectralBasis) {
        for n in Self.sizes {
            let slots = (0..<n).map { basis.slot(ofMode: $0, count: n) }
            #expect(Set(slots).count == n)
            #expect((0..<n).allSatisfy { basis.mode(ofSlot: slots[$0], count: n) == $0 })
            let kappas = slots.map { basis.wavenumber(slot: $0, count: n, length: 1) }
            #expect(zip(kappas, kappas.dropFirst()).allSatisfy { $0 <= $1 })
        }
    }

    /// The first J modes in mode order are the same functions on every grid with n ≥ J points (nested
    /// mode sets), for every basis.
    @Test(arguments: SpectralBasis.allCases)
    func modeOrderIsNestedAcrossGridSizes(basis: SpectralBasis) throws {
        let coarse = try SpectralGrid(basis, modes: 7, length: 1), fine = try SpectralGrid(basis, modes: 16, length: 1)
        for j in 0..<6 {  // below the coarse Nyquist
            let a = coarse.modeSlots[j], b = fine.modeSlots[j]
            for x in [0.11, 0.37, 0.8] {
                #expect(abs(coarse.basisFunction(point: a, x: x) - fine.basisFunction(point: b, x: x)) < 1e-14, "\(basis) mode \(j) at \(x)")
            }
        }
    }
}

/// The second-difference symbol is the spectrum of the three-point Laplacian on each basis's nodes:
/// applying tridiag(1, −2, 1)/h² with the basis's end rows to a sampled basis function multiplies it by
/// −(4/h²) sin²(κh/2).
@Suite struct LaplacianSymbolTests {
    @Test(arguments: SpectralBasis.allCases)
    func secondDifferenceSymbolIsTheThreePointLaplacianSpectrum(basis: SpectralBasis) throws {
        let n = 9, L = 1.3
        let grid = try SpectralGrid(basis, modes: n, length: L)
        let h = grid.axes[0].spacing
        let symbol = grid.laplacianSymbol(.secondDifference)
        for s in 0..<n {
            let e = (0..<n).map { grid.basisFunction(point: s, x: grid.position(ofPoint: $0).x) }
            // Ghost values outside the grid by the basis's end conditions: periodic wraps; a Neumann end
            // at a cell face mirrors (e₋₁ = e₀); a Dirichlet end at a face (quarter-wave) is odd
            // (e₋₁ = −e₀); a Dirichlet end at a node (DST-I) is zero.
            func ghost(_ k: Int) -> Double {
                if k >= 0 && k < n { return e[k] }
                let left = k < 0
                switch basis {
                case .periodic: return e[(k + n) % n]
                case .neumann: return left ? e[0] : e[n - 1]
                case .dirichlet: return 0
                case .dirichletNeumann: return left ? -e[0] : e[n - 1]
                case .neumannDirichlet: return left ? e[0] : -e[n - 1]
                }
            }
            for k in 0..<n {
                let second = (ghost(k - 1) - 2 * e[k] + ghost(k + 1)) / (h * h)
                #expect(abs(second + symbol[s] * e[k]) < 1e-9 * max(1, symbol[s]), "\(basis) slot \(s) node \(k)")
            }
        }
    }
}
