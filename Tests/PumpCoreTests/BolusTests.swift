import PumpCore
import Testing

@Suite("Patient and clinician boluses")
struct BolusTests {
  @Test("REQ-BOLUS-GRANT-01: a granted bolus starts at once (< 500 ms) and delivers its dose")
  func grant() {
    var b = Bench.infusing()
    b.run(.seconds(10))
    let before = b.pump.ledger.totalPicograms
    #expect(b.send(.patientBolusRequest) == nil)
    #expect(b.effects.contains(.bolusGranted(.milligrams(2), lockout: .minutes(10))))
    #expect(b.mode == .infusing(.patientBolus))
    #expect(b.pump.commandedRate == .millilitersPerHour(61))  // bolus on top of basal
    b.run(.seconds(30))
    #expect(b.mode == .infusing(.basal))
    let delivered = (b.pump.ledger.totalPicograms - before) / 1_000_000
    // 2 mg bolus + 30 s of 5 mg/h basal (≈ 0.04 mg), within a few motor steps.
    #expect(delivered >= 2000 && delivered <= 2000 + 42 + 10)
  }

  @Test("REQ-BOLUS-LOCKOUT-01: a press in lockout is denied with the time remaining")
  func lockout() {
    var b = Bench.infusing()
    b.send(.patientBolusRequest)
    b.run(.minutes(3))
    #expect(b.send(.patientBolusRequest) == nil)
    #expect(b.effects.last == .bolusDenied(.lockout, lockoutRemaining: .minutes(7)))
    b.run(.minutes(7))
    b.send(.patientBolusRequest)
    #expect(b.effects.contains(.bolusGranted(.milligrams(2), lockout: .minutes(10))))
  }

  @Test("REQ-BOLUS-MAXHOUR-01: at most the prescribed boluses in any hour")
  func maxPerHour() {
    var rx = standardRx
    rx.maxBolusesPerHour = 2
    rx.bolusDose = .milligrams(1)
    var b = Bench.infusing(rx)
    b.send(.patientBolusRequest)
    b.run(.minutes(10))
    b.send(.patientBolusRequest)
    b.run(.minutes(10))
    b.send(.patientBolusRequest)
    #expect(b.effects.last == .bolusDenied(.maxPerHour, lockoutRemaining: .zero))
    b.run(.minutes(40))
    b.send(.patientBolusRequest)
    #expect(b.pump.bolusGrants == 3)
  }

  @Test("REQ-BOLUS-LIMIT-01: a bolus that would break the 1-h limit is denied")
  func oneHourLimit() {
    var rx = standardRx
    rx.limit1h = .milligrams(6)  // basal 5 mg/h + one 2 mg bolus fits, a second does not
    rx.lockout = .minutes(6)
    var b = Bench.infusing(rx)
    b.run(.minutes(20))
    b.send(.patientBolusRequest)
    #expect(b.pump.bolusGrants == 1)
    b.run(.minutes(10))
    b.send(.patientBolusRequest)
    #expect(b.effects.last == .bolusDenied(.limit1h, lockoutRemaining: .zero))
  }

  @Test("REQ-BOLUS-LIMIT-02: a bolus that would break the 4-h limit is denied")
  func fourHourLimit() {
    var rx = standardRx
    rx.limit4h = .milligrams(19)
    rx.lockout = .minutes(10)
    var b = Bench.infusing(rx)
    b.run(.hours(3))  // 15 mg basal
    b.send(.patientBolusRequest)
    #expect(b.pump.bolusGrants == 1)  // 17 + basal headroom
    b.run(.minutes(15))
    b.send(.patientBolusRequest)
    #expect(b.effects.last == .bolusDenied(.limit4h, lockoutRemaining: .zero))
  }

  @Test("REQ-BOLUS-VITALS-01: no patient bolus while a vitals warning is active")
  func vitalsWarning() {
    var b = Bench.infusing()
    var v = calmVitals
    v.sbp = 165
    b.run(.seconds(3), vitals: v)
    #expect(b.active(.vitalsWarning))
    b.send(.patientBolusRequest)
    #expect(b.effects.last == .bolusDenied(.vitalsWarning, lockoutRemaining: .zero))
  }

  @Test("REQ-BOLUS-LOG-01: every press is logged; demands and deliveries are counted")
  func logged() {
    var b = Bench.infusing()
    b.send(.patientBolusRequest)
    b.run(.seconds(1))
    b.send(.patientBolusRequest)
    b.send(.patientBolusRequest)
    #expect(b.pump.bolusDemands == 3)
    #expect(b.pump.bolusGrants == 1)
    #expect(b.pump.bolusDenials == 2)
    let presses = b.pump.log.entries.filter {
      if case .bolusGranted = $0.effect { return true }
      if case .bolusDenied = $0.effect { return true }
      return false
    }
    #expect(presses.count == 3)
  }

  @Test("REQ-BOLUS-NOTINFUSING-01: presses outside infusion are denied, never ignored")
  func notInfusing() {
    var b = Bench.infusing()
    b.send(.pause)
    b.send(.patientBolusRequest)
    #expect(b.effects.last == .bolusDenied(.notInfusing, lockoutRemaining: .zero))
    var rx = standardRx
    rx.bolusDose = .zero
    var c = Bench.infusing(rx)
    c.send(.patientBolusRequest)
    #expect(c.effects.last == .bolusDenied(.noBolusProgrammed, lockoutRemaining: .zero))
  }

  @Test("REQ-BOLUS-PREEMPT-01: a patient bolus pre-empts a clinician bolus, which resumes after")
  func preempt() {
    var b = Bench.infusing()
    #expect(b.send(.clinicianBolus(.milligrams(3))) == nil)  // 0.6 mL at 60 mL/h = 36 s
    b.run(.seconds(10))
    b.send(.patientBolusRequest)
    #expect(b.mode == .infusing(.patientBolus))
    b.run(.seconds(25))
    #expect(b.mode == .infusing(.clinicianBolus))
    #expect(b.effects.contains(.bolusCompleted(.patientBolus)))
    b.run(.seconds(30))
    #expect(b.mode == .infusing(.basal))
    #expect(b.effects.contains(.bolusCompleted(.clinicianBolus)))
    let mg = b.pump.ledger.deliveredTotal.rawValue
    #expect(mg >= 5000 && mg <= 5000 + 120)  // 3 + 2 mg plus ≈ 80 s of basal
  }

  @Test("REQ-BOLUS-CLINICIAN-01: clinician boluses obey the dose guardrail and the windows")
  func clinician() {
    var b = Bench.infusing()
    #expect(b.send(.clinicianBolus(.milligrams(25))) == .hardLimit)
    #expect(b.send(.clinicianBolus(Micrograms(14_900))) == .doseLimit)
    #expect(b.send(.clinicianBolus(.zero)) == .invalidValue)
    #expect(b.mode == .infusing(.basal))
  }

  @Test("REQ-BOLUS-ABORT-01: an alarm that stops delivery aborts the bolus")
  func abort() {
    var b = Bench.infusing()
    b.send(.patientBolusRequest)
    b.run(.seconds(5))
    b.rig.hardware.doorOpen = true
    b.run(.milliseconds(10))
    #expect(b.mode == .paused(.alarm))
    #expect(
      b.effects.contains { if case .bolusAborted(.patientBolus, _) = $0 { true } else { false } })
    b.rig.hardware.doorOpen = false
    b.run(.milliseconds(10))
    b.send(.acknowledgeAlarms)
    #expect(b.send(.resume) == nil)
    #expect(b.mode == .infusing(.basal))
  }
}

extension Milliseconds {
  static func milliseconds(_ v: Int64) -> Milliseconds { Milliseconds(v) }
}
