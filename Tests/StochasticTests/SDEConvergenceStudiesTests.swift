import Foundation
import NumericCore
import Testing
@testable import Stochastic

/// The order tests: ≥ 1000 paths on one refined Brownian path each, fixed seeds, least-squares
/// order compared with the theorem's (tolerances ±0.1 strong, ±0.2 weak).
@Suite struct SDEConvergenceStudiesTests {
    @Test func eulerMaruyamaStrongOrderIsOneHalfOnGeometricBrownianMotion() throws {
        let study = try SDEConvergenceStudies.strongGeometricBrownianMotion(scheme: .eulerMaruyama)
        #expect(abs(study.fit.order - 0.5) <= 0.1, "\(study.summary)")
    }

    @Test func milsteinStrongOrderIsOneOnGeometricBrownianMotion() throws {
        let study = try SDEConvergenceStudies.strongGeometricBrownianMotion(scheme: .milstein)
        #expect(abs(study.fit.order - 1) <= 0.1, "\(study.summary)")
    }

    @Test func eulerMaruyamaWeakOrderIsOne() throws {
        let study = try SDEConvergenceStudies.weakGeometricBrownianMotion(paths: 4000)
        #expect(abs(study.fit.order - 1) <= 0.2, "\(study.summary)")
    }

    @Test func eulerMaruyamaStrongOrderIsOneForAdditiveNoise() throws {
        let study = try SDEConvergenceStudies.strongAdditive()
        #expect(abs(study.fit.order - 1) <= 0.1, "\(study.summary)")
    }

    /// Stationary OU variances of EM, semi-implicit and exact steps within 3 standard errors of
    /// σ²/(κ(2 − κΔ)), σ²/(κ(2 + κΔ)) and σ²/(2κ).
    @Test func ornsteinUhlenbeckStationaryVariancesMatchTheDiscreteFormulas() throws {
        let (rows, _) = try SDEConvergenceStudies.ornsteinUhlenbeckStationary(steps: [0.5, 0.1], paths: 20000)
        #expect(rows.count == 6)
        for row in rows {
            #expect(abs(row.deviation) < 3, "\(row.scheme) Δ = \(row.step): sample \(row.sampleVariance) ± \(row.standardError), exact \(row.exactVariance)")
        }
    }
}
