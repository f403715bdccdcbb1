import PumpCore
import Testing

@Suite("Vitals interlock")
struct VitalsTests {
  /// (vital, value, expected level) for every band edge of the default policy.
  static let bandCases: [(Vital, Int32, VitalLevel)] = [
    (.sbp, 159, .normal), (.sbp, 160, .warningHigh), (.sbp, 180, .criticalHigh),
    (.sbp, 91, .normal), (.sbp, 90, .warningLow), (.sbp, 80, .criticalLow),
    (.dbp, 99, .normal), (.dbp, 100, .warningHigh), (.dbp, 110, .criticalHigh),
    (.hr, 119, .normal), (.hr, 120, .warningHigh), (.hr, 140, .criticalHigh),
    (.hr, 51, .normal), (.hr, 50, .warningLow), (.hr, 40, .criticalLow),
    (.spo2, 93, .normal), (.spo2, 92, .warningLow), (.spo2, 88, .criticalLow),
    (.rr, 11, .normal), (.rr, 10, .warningLow), (.rr, 8, .criticalLow),
  ]

  @Test(
    "REQ-VITALS-BANDS-01: every default band edge classifies as specified", arguments: bandCases)
  func bands(vital: Vital, value: Int32, level: VitalLevel) {
    #expect(VitalsPolicy.ketamineDefault[vital].level(of: value) == level)
  }

  func sample(_ v: Vital, _ value: Int32) -> VitalsSample {
    var s = calmVitals
    switch v {
    case .sbp: s.sbp = value
    case .dbp: s.dbp = value
    case .hr: s.hr = value
    case .spo2: s.spo2 = value
    case .rr: s.rr = value
    }
    return s
  }

  @Test(
    "REQ-VITALS-WARN-01: one persistent warning → medium alarm, boluses blocked, therapy continues",
    arguments: [
      (Vital.sbp, Int32(165)), (.sbp, 88), (.dbp, 104), (.hr, 125), (.hr, 45), (.spo2, 91),
      (.rr, 9),
    ])
  func singleWarning(vital: Vital, value: Int32) {
    var b = Bench.infusing()
    b.send(.vitals(sample(vital, value)))
    #expect(!b.active(.vitalsWarning))  // one sample is not yet a band
    b.send(.vitals(sample(vital, value)), after: .seconds(1))
    #expect(b.active(.vitalsWarning))
    #expect(AlarmCode.vitalsWarning.priority == .medium)
    #expect(b.mode == .infusing(.basal))
    b.send(.patientBolusRequest)
    #expect(b.effects.last == .bolusDenied(.vitalsWarning, lockoutRemaining: .zero))
    b.run(.seconds(2))
    #expect(!b.active(.vitalsWarning))  // non-latching: clears with the condition
  }

  @Test(
    "REQ-VITALS-INTERLOCK-02: any persistent critical → high alarm and motor off in the same call",
    arguments: [
      (Vital.sbp, Int32(185)), (.sbp, 75), (.dbp, 115), (.hr, 150), (.hr, 35), (.spo2, 85),
      (.rr, 6),
    ])
  func critical(vital: Vital, value: Int32) {
    var b = Bench.infusing()
    b.send(.vitals(sample(vital, value)))
    b.clearEffects()
    b.send(.vitals(sample(vital, value)), after: .seconds(1))
    #expect(b.mode == .interlockStopped)
    #expect(b.pump.commandedRate == .zero)
    #expect(b.rig.hardware.rate == .zero)
    #expect(b.effects.contains(.alarmRaised(.vitalsInterlock)))
    #expect(b.effects.contains(.motor(.zero)))
    #expect(AlarmCode.vitalsInterlock.priority == .high)
  }

  @Test("REQ-VITALS-INTERLOCK-01: two concurrent warnings → high alarm and stop")
  func twoWarnings() {
    var b = Bench.infusing()
    var s = calmVitals
    s.sbp = 165
    s.hr = 125
    b.send(.vitals(s))
    b.send(.vitals(s), after: .seconds(1))
    #expect(b.mode == .interlockStopped)
    #expect(b.pump.commandedRate == .zero)
  }

  @Test("REQ-VITALS-ARTIFACT-01: a single spike is logged, not alarmed")
  func artifact() {
    var b = Bench.infusing()
    b.send(.vitals(sample(.sbp, 200)))
    b.send(.vitals(calmVitals), after: .seconds(1))
    #expect(b.mode == .infusing(.basal))
    #expect(!b.raised(.vitalsInterlock) && !b.raised(.vitalsWarning))
    #expect(b.effects.contains(.vitalsArtifact(.sbp, 200)))
  }

  @Test("REQ-VITALS-PERSIST-01: a band also counts when it holds ≥ 10 s with fewer samples")
  func persistByTime() {
    var policy = VitalsPolicy.ketamineDefault
    policy.persistSamples = 5
    let f = Formulary(
      entries: [acuteEntry], acutePostOp: policy, chronicPain: policy, paediatric: policy)
    var b = Bench(formulary: f)
    b.send(.selfTestResult(passed: true))
    b.send(.vitals(calmVitals))
    b.send(.program(standardRx))
    b.send(.start)
    b.send(.vitals(sample(.hr, 145)))
    b.send(.vitals(sample(.hr, 145)), after: .seconds(4))
    #expect(b.mode == .infusing(.basal))
    b.send(.vitals(sample(.hr, 145)), after: .seconds(4))
    #expect(b.mode == .infusing(.basal))
    b.send(.vitals(sample(.hr, 145)), after: .seconds(2))  // 10 s from the first
    #expect(b.mode == .interlockStopped)
  }

  @Test("REQ-VITALS-STALE-01: a required vital unsampled for 5 s counts as a warning")
  func stale() {
    var b = Bench.infusing()
    b.run(.seconds(10))
    b.clearEffects()
    var s = calmVitals
    s.hr = nil
    b.run(.milliseconds(4990), vitals: s, every: .seconds(1))
    #expect(!b.active(.vitalsStale))
    b.run(.milliseconds(20), vitals: s, every: .seconds(1))
    #expect(b.active(.vitalsStale))
    #expect(b.mode == .infusing(.basal))  // one warning: no stop
    b.send(.patientBolusRequest)
    #expect(b.effects.last == .bolusDenied(.vitalsWarning, lockoutRemaining: .zero))
    // The feed gone altogether: three stale required vitals → interlock.
    b.run(.seconds(6), vitals: nil)
    #expect(b.mode == .interlockStopped)
  }

  @Test(
    "REQ-VITALS-OPTIONAL-01: SpO2 and RR are watched but required only where the care area says")
  func optionalVitals() {
    var b = Bench.infusing()
    b.run(.seconds(20), vitals: VitalsSample(sbp: 120, dbp: 70, hr: 80))
    #expect(!b.active(.vitalsStale))
    #expect(b.mode == .infusing(.basal))
  }

  @Test("REQ-VITALS-LATCH-01: the stop latches until the condition clears AND a clinician resets")
  func latch() {
    var b = Bench.infusing()
    b.run(.seconds(2), vitals: sample(.sbp, 190))
    #expect(b.mode == .interlockStopped)
    #expect(b.send(.resume) == .notAllowedInMode)
    #expect(b.send(.clinicianReset) == .interlockConditionPresent)
    b.run(.seconds(2))
    #expect(b.mode == .interlockStopped)  // condition gone, still latched
    #expect(b.active(.vitalsInterlock))
    #expect(b.send(.clinicianReset) == nil)
    #expect(b.mode == .paused(.interlockReset))
    #expect(!b.active(.vitalsInterlock))
    #expect(b.pump.commandedRate == .zero)
    #expect(b.send(.resume) == nil)
    #expect(b.mode == .infusing(.basal))
  }

  @Test("REQ-VITALS-MAP-01: mean arterial pressure is derived and shown")
  func map() {
    var b = Bench.infusing()
    b.send(.vitals(VitalsSample(sbp: 120, dbp: 80, hr: 70)))
    #expect(b.pump.status.map == 93)
    #expect(VitalsSample(sbp: 121, dbp: 80).map == 94)
    #expect(VitalsSample(sbp: 120).map == nil)
  }

  @Test("REQ-VITALS-IDLE-01: vitals outside a therapy are recorded but raise no alarm")
  func idleVitals() {
    var b = Bench()
    b.send(.selfTestResult(passed: true))
    b.run(.seconds(3), vitals: sample(.sbp, 200))
    #expect(b.pump.alarms.activeCodes.isEmpty)
    #expect(b.pump.status.vitals.sbp == 200)
  }
}
