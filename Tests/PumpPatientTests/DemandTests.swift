import PumpCore
import Testing

@testable import PumpPatient

@Suite struct DemandTests {
  @Test
  func
    `REQ-PAT-DEM-01 pain above the threshold makes the patient press at the seeded rate, none below`()
  {
    var inPain = PatientProfile.adult70kg.typical
    inPain.baselines.pain = 8
    inPain.noise.painSD = 0
    var p = Patient(inPain, monitor: .clean, seed: 4)
    var presses = 0
    for _ in 0..<(10 * 3600) {
      presses += p.advance(to: p.now + .seconds(1), delivered: .zero).presses
    }
    // 0.2 presses/min for 600 min: 120 expected (Poisson, sd ≈ 11).
    #expect(presses > 80 && presses < 160, "\(presses)")
    #expect(Int64(presses) == p.presses)
    var comfortable = inPain
    comfortable.baselines.pain = 2
    var q = Patient(comfortable, monitor: .clean, seed: 4)
    var none = 0
    for _ in 0..<3600 { none += q.advance(to: q.now + .seconds(1), delivered: .zero).presses }
    #expect(none == 0)
  }
}
