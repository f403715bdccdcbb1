import PumpCore
import Testing

@testable import PumpPatient

@Suite struct MonitorTests {
  private func samples(_ m: MonitorSettings, hours: Int64, seed: UInt64 = 2) -> [VitalsSample?] {
    var p = Patient(PatientProfile.adult70kg.typical, monitor: m, seed: seed)
    var out: [VitalsSample?] = []
    while p.now < .hours(hours) {
      out.append(p.advance(to: p.now + .seconds(1), delivered: .zero).sample)
    }
    return out
  }

  @Test
  func
    `REQ-PAT-MON-01 arterial line every second, NIBP every N minutes, HR, SpO2 and RR continuous`()
  {
    let art = samples(.clean, hours: 1)
    #expect(art.count == 3600)
    #expect(art.allSatisfy { $0?.sbp != nil && $0?.dbp != nil && $0?.hr != nil })
    #expect(art.allSatisfy { $0?.spo2 != nil && $0?.rr != nil })
    var cuff = MonitorSettings.clean
    cuff.bloodPressure = .nibp(every: .minutes(5))
    let nibp = samples(cuff, hours: 1)
    let withBP = nibp.indices.filter { nibp[$0]?.sbp != nil }
    // The first reading at the first step (the cuff cycles at the start), then every 5 min.
    #expect(withBP == [0] + Array(stride(from: 299, to: 3600, by: 300)))
    #expect(nibp.allSatisfy { $0?.hr != nil && $0?.spo2 != nil && $0?.rr != nil })
    // A slower continuous period reports less often: at the first step, then every 5 s.
    var slow = MonitorSettings.clean
    slow.continuousPeriod = .seconds(5)
    #expect(samples(slow, hours: 1).compactMap { $0 }.count == 1 + 720)
  }

  @Test func `REQ-PAT-MON-02 spikes and lead-off dropouts occur at their configured seeded rates`()
  {
    #expect(samples(.clean, hours: 4).allSatisfy { $0?.hr.map { $0 < 120 } ?? false })
    let m = MonitorSettings(spikesPerHour: 6, dropoutsPerHour: 3, dropoutDuration: .seconds(30))
    let hours: Int64 = 40
    let s = samples(m, hours: hours)
    let missingHR = s.filter { $0?.hr == nil }.count
    let spikesHR = s.filter { ($0?.hr ?? 0) > 120 }.count
    // Dropouts: 3/h × 30 s ≈ 2.5 % of samples missing; spikes: 6/h.
    let missingShare = Double(missingHR) / Double(s.count)
    #expect(missingShare > 0.015 && missingShare < 0.035, "missing \(missingShare)")
    #expect(spikesHR > 180 && spikesHR < 300, "spikes \(spikesHR)")
    #expect(s.contains { ($0?.sbp ?? 0) > 170 })
    // Seeded: the same seed gives the same artefacts, another seed others.
    #expect(samples(m, hours: 2).map { $0?.hr } == samples(m, hours: 2).map { $0?.hr })
    #expect(samples(m, hours: 2).map { $0?.hr } != samples(m, hours: 2, seed: 3).map { $0?.hr })
  }
}
