import PumpCore
import Testing

@testable import PumpPatient

@Suite struct PharmacodynamicsTests {
  /// A patient held at a constant plasma concentration long enough for the effect site to
  /// follow, with no noise and no variability.
  private func steadyPatient(at target: Double, pd: PDParameters = .adult) -> Patient {
    var v = PatientProfile.adult70kg.typical
    v.pd = pd
    v.noise = NoiseParameters(
      hrSD: 0, sbpSD: 0, dbpSD: 0, spo2SD: 0, rrSD: 0, painSD: 0, vitalsTau: 1, painTau: 1)
    var p = Patient(v, monitor: .clean, seed: 1)
    // Infuse at the steady-state rate CL·C for 3 days (Domino's slow phase is long).
    let perMinute = v.pk.cl * target
    for _ in 0..<(72 * 60) {
      _ = p.advance(to: p.now + .minutes(1), delivered: Micrograms(Int64(perMinute.rounded())))
    }
    return p
  }

  @Test func `REQ-PAT-PD-01 HR, SBP and DBP rise along sigmoid-Emax curves of the effect site`() {
    let r = EmaxRelation(emax: 0.3, ec50: 600, gamma: 1.5)
    #expect(r.effect(at: 0) == 0)
    #expect(abs(r.effect(at: 600) - 0.15) < 1e-12)
    #expect(r.effect(at: 1e7) > 0.2999)
    var last = -1.0
    for c in stride(from: 0.0, through: 5000, by: 50) {
      #expect(r.effect(at: c) > last)
      last = r.effect(at: c)
    }
    let pd = PDParameters.adult
    let p = steadyPatient(at: 600)
    let b = p.individual.baselines
    let ce = p.vitals.effectSite
    #expect(abs(ce - 600) / 600 < 0.02)
    #expect(abs(p.vitals.hr - b.hr * (1 + pd.hr.effect(at: ce))) < 1e-9)
    #expect(abs(p.vitals.sbp - b.sbp * (1 + pd.sbp.effect(at: ce))) < 1e-9)
    #expect(abs(p.vitals.dbp - b.dbp * (1 + pd.dbp.effect(at: ce))) < 1e-9)
    // Längsjö 2005's magnitudes: at ~2000 ng/mL racemic HR up ~40 %, MAP up ~25 %.
    let high = steadyPatient(at: 2000)
    #expect(high.vitals.hr / b.hr > 1.3 && high.vitals.hr / b.hr < 1.45)
    #expect(high.vitals.sbp / b.sbp > 1.2 && high.vitals.sbp / b.sbp <= 1.3)
  }

  @Test func `REQ-PAT-PD-02 analgesia lowers pain and dissociation is linear from 50 to 200 ng/mL`()
  {
    let pd = PDParameters.adult
    // Olofsen 2012: -3.8 cm at 100 ng/mL S-ketamine; racemic at twice the concentration.
    #expect(abs(pd.analgesia.effect(at: 200) - 3.8) < 0.05)
    #expect(pd.dissociation(at: 40) == 0)
    #expect(pd.dissociation(at: 125) == 50)
    #expect(pd.dissociation(at: 200) == 100)
    #expect(pd.dissociation(at: 300) == 100)
    let p = steadyPatient(at: 150)
    let b = p.individual.baselines
    #expect(abs(p.vitals.pain - (b.pain - pd.analgesia.effect(at: p.vitals.effectSite))) < 1e-9)
    #expect(p.vitals.pain < b.pain - 2)
    #expect(abs(p.vitals.dissociation - pd.dissociation(at: p.vitals.effectSite)) < 1e-9)
  }

  @Test
  func
    `REQ-PAT-DET-01 same individual, seed and inputs give the same patient; a shifted start changes nothing`()
  {
    func run(start: Milliseconds, seed: UInt64) -> [String] {
      var p = Patient(PatientProfile.adult70kg.individual(seed: 9), seed: seed, start: start)
      var out: [String] = []
      for i in 0..<7200 {
        let s = p.advance(
          to: p.now + .seconds(1), delivered: Micrograms(i % 600 < 60 ? 33 : 1))
        out.append(
          "\(s.sample.map { "\($0.hr ?? -1) \($0.sbp ?? -1) \($0.spo2 ?? -1)" } ?? "-") \(s.presses)"
        )
      }
      return out
    }
    #expect(run(start: .zero, seed: 5) == run(start: .zero, seed: 5))
    #expect(run(start: .zero, seed: 5) == run(start: .hours(1000), seed: 5))
    #expect(run(start: .zero, seed: 5) != run(start: .zero, seed: 6))
  }
}
