import Foundation
import Testing
@testable import NumericCore

@Suite struct VectorMathTests {
    /// The vectorised tanh agrees with libm's within 4 ulp (relative 1e-15) from the linear range near 0
    /// through saturation, keeps odd symmetry and ±0, and a value does not depend on its position or
    /// on the count (lengths 1..9 cover every tail of the 2- and 4-lane loops).
    @Test func tanhMatchesLibmAndIsPositionIndependent() {
        var x = (0..<20_001).map { i -> Double in
            let t = Double(i - 10_000) / 10_000
            return t * t * t * 25 + 1e-9 * t
        }
        x += [0, -0.0, 1e-300, -1e-300, 19.1, -19.1, 400, -400, .infinity, -.infinity]
        var y = x
        y.withUnsafeMutableBufferPointer { VectorMath.tanh($0.baseAddress!, count: $0.count) }
        var worst = 0.0
        for (input, value) in zip(x, y) {
            let reference = Foundation.tanh(input)
            worst = max(worst, abs(value - reference) / max(abs(reference), .leastNormalMagnitude))
        }
        #expect(worst < 1e-15, "largest relative difference \(worst)")
        #expect(y[20_001].sign == .plus && y[20_002].sign == .minus && y[20_001] == 0 && y[20_002] == 0)
        for count in 1...9 {
            var part = Array(x[777..<(777 + count)])
            part.withUnsafeMutableBufferPointer { VectorMath.tanh($0.baseAddress!, count: count) }
            #expect(part.map(\.bitPattern) == y[777..<(777 + count)].map(\.bitPattern), "count \(count)")
        }
    }
}
