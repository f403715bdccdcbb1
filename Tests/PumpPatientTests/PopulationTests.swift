import PumpCore
import Testing

@testable import PumpPatient

@Suite struct PopulationTests {
  @Test
  func
    `REQ-PAT-POP-01 a seeded cohort has log-normal PK and PD variability around the typical patient`()
  {
    let profile = PatientProfile.adult70kg
    let a = profile.cohort(count: 2000, seed: 11)
    #expect(a == profile.cohort(count: 2000, seed: 11))
    #expect(a != profile.cohort(count: 2000, seed: 12))
    #expect(Array(a.prefix(10)) == profile.cohort(count: 10, seed: 11))
    let typical = profile.typical
    func logStats(_ xs: [Double]) -> (mean: Double, sd: Double) {
      let l = xs.map { PatientMath.log($0) }
      let m = l.reduce(0, +) / Double(l.count)
      let v = l.map { ($0 - m) * ($0 - m) }.reduce(0, +) / Double(l.count - 1)
      return (m, v.squareRoot())
    }
    let cl = logStats(a.map { $0.pk.cl })
    #expect(abs(cl.mean - PatientMath.log(typical.pk.cl)) < 0.03)
    #expect(abs(cl.sd - profile.variability.clearances) < 0.03)
    let ec50 = logStats(a.map { $0.pd.sbp.ec50 })
    #expect(abs(ec50.sd - profile.variability.ec50) < 0.03)
    let sbp = a.map { $0.baselines.sbp }
    let mean = sbp.reduce(0, +) / Double(sbp.count)
    #expect(abs(mean - typical.baselines.sbp) < 1.5)
    #expect(a.allSatisfy { $0.baselines.dbp < $0.baselines.sbp && $0.pk.v1 > 0 })
    // No variability: every member is the typical patient.
    var fixed = profile
    fixed.variability = .none
    #expect(fixed.cohort(count: 3, seed: 1).allSatisfy { $0 == typical })
  }
}
