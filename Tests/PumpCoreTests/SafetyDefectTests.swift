import PumpCore
import PumpHardware
import Testing

/// Regression tests for the defects of issue 12 (each failed before its fix).
@Suite("Safety defects (issue 12)")
struct SafetyDefectTests {
  static func withHR(_ hr: Int32?) -> VitalsSample {
    var s = calmVitals
    s.hr = hr
    return s
  }

  /// Infusing, then HR critical (150) confirmed by two samples: interlock-stopped.
  static func interlocked() -> Bench {
    var b = Bench.infusing()
    b.run(.seconds(3))
    b.send(.vitals(withHR(150)))
    b.send(.vitals(withHR(150)), after: .seconds(1))
    return b
  }

  @Test(
    "REQ-SAFE-LATCH-01: after an interlock stop, acknowledge → stop → program → start does not infuse without a clinician reset"
  )
  func latchBypass() {
    var b = Self.interlocked()
    #expect(b.mode == .interlockStopped)
    b.run(.seconds(10))  // HR back to normal: the condition is gone, the latch holds
    #expect(b.send(.acknowledgeAlarms) == nil)
    #expect(b.send(.stop) == nil)
    #expect(b.send(.program(standardRx)) == nil)
    #expect(b.send(.start) == .interlockConditionPresent)
    #expect(!b.mode.mayDeliver)
    let latched = b.active(.vitalsInterlock)
    #expect(latched)
    b.run(.minutes(1))
    #expect(b.pump.commandedRate == .zero)
    // A power cycle does not clear the latch either.
    b.rig.powerLost(at: b.now + .seconds(1))
    b.rig.powerRestored(at: b.now + .seconds(2))
    b.run(.seconds(2))
    #expect(b.send(.start) == .interlockConditionPresent)
    // The reset (condition gone) releases it; a start is still needed.
    #expect(b.send(.clinicianReset) == nil)
    #expect(!b.mode.mayDeliver)
    let stillLatched = b.active(.vitalsInterlock)
    #expect(!stillLatched)
    #expect(b.send(.start) == nil)
    #expect(b.mode.mayDeliver)
  }

  @Test(
    "REQ-VITALS-STALE-02: a critical vital whose lead drops out stays critical: the reset is refused"
  )
  func staleMasksCritical() {
    var b = Self.interlocked()
    #expect(b.mode == .interlockStopped)
    b.run(.seconds(10), vitals: Self.withHR(nil))  // HR lead off: last confirmed level critical
    let stale = b.active(.vitalsStale)
    #expect(stale)
    #expect(b.send(.clinicianReset) == .interlockConditionPresent)
    #expect(b.mode == .interlockStopped)
    // A confirmed normal HR releases it.
    b.run(.seconds(3))
    #expect(b.send(.clinicianReset) == nil)
  }

  @Test(
    "REQ-SENSOR-PLAUSIBLE-01: an implausible reading confirmed by the next one raises sensor failure (motor off)"
  )
  func implausibleSensor() {
    var b = Bench.infusing()
    b.run(.seconds(2))
    b.rig.hardware.setDownstreamPressure(.psi(5000))
    b.run(.seconds(1))  // first implausible reading: rejected, re-read at the next tick
    b.run(.milliseconds(10))
    #expect(b.mode == .fault(.sensor))
    let failed = b.active(.sensorFailure)
    #expect(failed)
    #expect(b.pump.commandedRate == .zero)

    var c = Bench.infusing()
    #expect(c.send(.sensor(.reservoir(Microliters(-5)))) == .invalidValue)
    #expect(c.mode == .infusing(.basal))  // one reading: not yet confirmed
    #expect(c.send(.sensor(.reservoir(Microliters(-5)))) == .invalidValue)
    #expect(c.mode == .fault(.sensor))
  }

  @Test(
    "REQ-RX-BOUNDS-01: every prescription field has one bound; any value within it is honoured exactly (100 boluses per hour)"
  )
  func boundsHonoured() {
    var e = acuteEntry
    e.maxBolusesPerHour = g(1, 1, 999, 999)
    e.lockout = g(0, 0, 3_600_000, 3_600_000)
    let f = Formulary(
      entries: [e], acutePostOp: .ketamineDefault, chronicPain: .ketamineDefault,
      paediatric: .ketamineDefault)
    var rx = standardRx
    rx.basalRate = .zero
    rx.bolusDose = Micrograms(10)
    rx.bolusRate = .millilitersPerHour(200)
    rx.lockout = .seconds(1)
    rx.maxBolusesPerHour = 100
    var b = Bench(formulary: f)
    b.send(.selfTestResult(passed: true))
    b.send(.vitals(calmVitals))
    #expect(b.send(.program(rx)) == nil)
    b.send(.confirmSoftLimits)
    #expect(b.send(.start) == nil)
    for _ in 0..<100 {
      b.run(.seconds(20))
      b.send(.patientBolusRequest)
    }
    #expect(b.pump.bolusGrants == 100)
    b.run(.seconds(20))
    b.clearEffects()
    b.send(.patientBolusRequest)
    #expect(b.effects.contains(.bolusDenied(.maxPerHour, lockoutRemaining: .zero)))
    // Outside the bound: rejected with the field, by the core as by the codec and library.
    rx.maxBolusesPerHour = PrescriptionField.maxBolusesPerHour.bounds.upperBound + 1
    #expect(
      PrescriptionCheck.check(rx, against: e, profile: testProfile)
        == .rejected(.invalidValue, .maxBolusesPerHour))
    for field in PrescriptionField.allCases {
      #expect(field.bounds.lowerBound >= 0)
    }
  }

  @Test(
    "REQ-RX-RATE-INCREASE-02: a re-programmed basal increase inside the rate-increase interval is rejected with its reason, not dropped"
  )
  func unappliedIncrease() {
    var b = Bench.infusing()
    b.run(.minutes(10))
    #expect(b.send(.pause) == nil)
    var rx = standardRx
    rx.basalRate = .milligramsPerHour(8)
    #expect(b.send(.program(rx)) == .rateIncreaseTooSoon)
    #expect(b.pump.basalRate == .milligramsPerHour(5))
    #expect(b.pump.prescription?.basalRate == .milligramsPerHour(5))
    #expect(b.pump.status.basalRate == .milligramsPerHour(5))
    b.run(.minutes(51))
    #expect(b.send(.program(rx)) == nil)
    #expect(b.pump.basalRate == .milligramsPerHour(8))
  }

  @Test(
    "REQ-RX-RATE-INCREASE-03: stop, program a higher basal and start inside the interval is refused at start (nothing delivered); the same rate (a syringe change) starts; after the interval the increase starts"
  )
  func stopProgramStartKeepsInterval() {
    var b = Bench.infusing()
    b.run(.minutes(10))
    #expect(b.send(.stop) == nil)
    var rx = standardRx
    rx.basalRate = .milligramsPerHour(10)
    #expect(b.send(.program(rx)) == nil)
    let delivered = b.pump.ledger.totalPicograms
    #expect(b.send(.start) == .rateIncreaseTooSoon)
    #expect(b.mode == .programmed)
    b.run(.minutes(1))
    #expect(b.pump.ledger.totalPicograms == delivered)
    // The same rate as the last therapy is no increase: a syringe change starts at once.
    #expect(b.send(.program(standardRx)) == nil)
    #expect(b.send(.start) == nil)
    #expect(b.pump.basalRate == .milligramsPerHour(5))
    // An hour after the first start, the higher therapy starts, and it counts as the increase.
    b.run(.minutes(49))
    #expect(b.send(.stop) == nil)
    #expect(b.send(.program(rx)) == nil)
    #expect(b.send(.start) == nil)
    #expect(b.pump.basalRate == .milligramsPerHour(10))
    var higher = rx
    higher.basalRate = .milligramsPerHour(12)
    #expect(b.send(.changeBasalRate(.milligramsPerHour(12))) == .rateIncreaseTooSoon)
    #expect(b.send(.stop) == nil)
    #expect(b.send(.program(higher)) == nil)
    #expect(b.send(.start) == .rateIncreaseTooSoon)
  }

  @Test(
    "REQ-RX-RATE-INCREASE-03: the interval and the last rate survive a snapshot (power cycle); a fresh pump starts any basal at once"
  )
  func rateIntervalSurvivesSnapshot() throws {
    var b = Bench.infusing()
    b.run(.minutes(5))
    #expect(b.send(.stop) == nil)
    var c = try PumpController(
      restoring: b.pump.snapshot(), profile: testProfile, formulary: testFormulary)
    var rx = standardRx
    rx.basalRate = .milligramsPerHour(10)
    _ = c.handle(.program(rx), now: c.now + .seconds(1))
    #expect(c.handle(.start, now: c.now + .seconds(1)) == .rateIncreaseTooSoon)
    var fresh = Bench()
    fresh.send(.selfTestResult(passed: true))
    fresh.send(.vitals(calmVitals))
    #expect(fresh.send(.program(rx)) == nil)
    #expect(fresh.send(.start) == nil)
  }

  @Test(
    "REQ-RX-RATE-INCREASE-03: a higher basal programmed after a stop and then faulted comes back programmed after the power cycle, not paused: resume cannot deliver it, start refuses it inside the interval"
  )
  func faultDoesNotSmuggleAnIncrease() {
    var b = Bench.infusing()
    b.run(.minutes(5))
    #expect(b.send(.stop) == nil)
    var rx = standardRx
    rx.basalRate = .milligramsPerHour(10)
    #expect(b.send(.program(rx)) == nil)
    b.send(.fault(.watchdog))
    b.rig.powerLost(at: b.now)
    b.rig.powerRestored(at: b.now + .seconds(1))
    #expect(b.mode == .programmed)
    #expect(b.send(.resume) == .notAllowedInMode)
    #expect(b.send(.start) == .rateIncreaseTooSoon)
    // At the rate last in force, a faulted therapy still comes back paused (REQ-MODE-POWER-*).
    var f = Bench.infusing()
    f.send(.fault(.watchdog))
    f.rig.powerLost(at: f.now)
    f.rig.powerRestored(at: f.now + .seconds(1))
    #expect(f.mode == .paused(.powerCycle))
  }

  @Test(
    "REQ-RX-RATE-INCREASE-03, REQ-EXPLORE-BROKEN-01: with start forgetting the interval again, the safety invariant names the increase"
  )
  func brokenRateIntervalCaught() {
    func run(_ broken: DebugBrokenRule?) -> SafetyInvariants.Violation? {
      var b = Bench()
      b.rig.controller.debugBrokenRule = broken
      var inv = SafetyInvariants()
      var rx = standardRx
      rx.basalRate = .milligramsPerHour(10)
      var found: SafetyInvariants.Violation? = nil
      let events: [PumpEvent] = [
        .selfTestResult(passed: true), .vitals(calmVitals), .program(standardRx), .start, .stop,
        .program(rx), .start,
      ]
      for e in events {
        if e == .stop { b.run(.minutes(10)) }
        let r = b.send(e)
        var pump = b.pump
        found = found ?? inv.afterEvent(e, rejection: r, &pump)
      }
      #expect(b.mode == (broken == nil ? .programmed : .infusing(.basal)))
      return found
    }
    #expect(run(nil) == nil)
    #expect(run(.startForgetsRateInterval)?.rule == .rateIncreaseInterval)
  }

  @Test(
    "REQ-ALARM-BREAKTHROUGH-02: a new alarm of the same priority as the silenced one breaks the audio pause"
  )
  func equalPriorityBreaks() {
    var b = Bench.infusing()
    b.rig.hardware.setDownstreamPressure(.psi(12))
    b.run(.milliseconds(10))
    #expect(b.send(.audioPause) == nil)
    b.clearEffects()
    b.rig.hardware.doorOpen = true
    b.run(.milliseconds(10))
    #expect(b.effects.contains(.audioPauseBroken(by: .doorOpen)))
    #expect(b.pump.alarms.audible(now: b.now))
  }

  @Test("REQ-ALARM-SLOTS-01: the alarm table has a slot for every code, sized from the codes")
  func slots() {
    let a = AlarmSystem()
    let maxCode = AlarmCode.allCases.map { Int($0.rawValue) }.max() ?? 0
    #expect(a.slots.count == maxCode + 1)
    // The active and condition masks have one bit per slot.
    #expect(a.slots.count <= 64)
    for c in AlarmCode.allCases { #expect(!a.isActive(c)) }
  }

  @Test(
    "REQ-ALARM-SLOTS-01: the alarm queries (kept as masks beside the table) agree with the table through raise, acknowledge and clear"
  )
  func slotQueries() {
    var c = PumpController(profile: testProfile, formulary: testFormulary, now: .zero)
    func agree() -> Bool {
      let a = c.alarms
      let fromTable = AlarmCode.allCases.filter { a.slots[Int($0.rawValue)].active }
      let actions: [AlarmAction] = [.warn, .kvo, .stop, .fault]
      return a.activeCodes == fromTable
        && actions.allSatisfy { x in a.anyActive(action: x) == fromTable.contains { $0.action == x }
        }
        && (a.highestActive == nil) == fromTable.isEmpty
    }
    var t = Milliseconds.zero
    let events: [PumpEvent] = [
      .selfTestResult(passed: true), .hostLink(connected: false), .linkSecurity(alert: true),
      .sensor(.door(open: true)), .acknowledgeAlarms, .hostLink(connected: true),
      .sensor(.door(open: false)), .linkSecurity(alert: false), .sensor(.door(open: true)),
      .sensor(.door(open: false)), .acknowledgeAlarms,
    ]
    for e in events {
      t = t + Milliseconds(1000)
      c.handle(e, now: t)
      #expect(agree(), "after \(e)")
    }
    #expect(c.alarms.activeCodes.isEmpty)
  }

  @Test(
    "REQ-UNITS-ROUND-01, REQ-BOLUS-EXACT-01: a bolus delivers its dose rounded toward less drug, never a tick more",
    arguments: [(Int64(60), Int64(2000)), (120, 500), (200, 1234), (37, 777)])
  func bolusExact(rateMlH: Int64, doseUg: Int64) {
    var rx = standardRx
    rx.basalRate = .zero
    rx.bolusRate = .millilitersPerHour(rateMlH)
    rx.bolusDose = Micrograms(doseUg)
    var b = Bench(start: .zero)
    b.send(.selfTestResult(passed: true))
    b.send(.vitals(calmVitals))
    b.send(.program(rx))
    b.send(.confirmSoftLimits)
    b.send(.start)
    b.run(.seconds(1))
    b.send(.patientBolusRequest)
    b.run(.minutes(3))
    #expect(b.effects.contains(.bolusCompleted(.patientBolus)))
    let pg = b.pump.ledger.totalPicograms
    #expect(pg <= Micrograms(doseUg).picograms, "delivered \(pg) pg for \(doseUg) µg")
    #expect(pg >= Micrograms(doseUg).picograms - b.pump.ledger.stepPicograms)
  }

  @Test(
    "REQ-HW-RESERVOIR-03: time left is judged at the programmed rate: a bolus does not raise the low-reservoir alarm"
  )
  func noNuisanceLowReservoir() {
    var b = Bench.infusing()
    b.rig.hardware.loadReservoir(.milliliters(20))
    b.run(.seconds(5))
    b.send(.patientBolusRequest)
    #expect(b.mode == .infusing(.patientBolus))
    b.run(.seconds(30))
    let nuisance = b.raised(.reservoirLow)
    #expect(!nuisance)
    // At the programmed basal it still warns when < 30 min remain.
    // 1.2 mL at 1 mL/h basal + 4 × 0.4 mL boluses per hour (2.6 mL/h): 27 min left.
    b.rig.hardware.loadReservoir(Microliters(1200))
    b.run(.seconds(2))
    let low = b.active(.reservoirLow)
    #expect(low)
  }

  @Test(
    "REQ-HW-IDLE-02: an acknowledged interlock stop reminds after the idle limit, as paused does")
  func interlockReminder() {
    var b = Self.interlocked()
    b.run(.seconds(10))
    b.send(.acknowledgeAlarms)
    #expect(!b.pump.alarms.audible(now: b.now))
    b.run(.minutes(16))
    #expect(b.mode == .interlockStopped)
    let reminder = b.active(.pausedTooLong)
    #expect(reminder)
  }

  @Test(
    "REQ-HW-OCCLUSION-03: the volume pushed into an occluded line is measured and reported in status when the occlusion clears"
  )
  func occlusionReleaseBolus() {
    var b = Bench.infusing()
    b.run(.seconds(5))
    b.rig.hardware.downstreamOccluded = true
    b.run(.minutes(2))  // 1 mL/h builds 10 psi (≈ 10 µL) in about 36 s: alarm, stop
    let alarmed = b.active(.occlusionDownstream)
    #expect(alarmed)
    #expect(b.pump.status.occlusionRelease == .zero)  // nothing released yet
    b.rig.hardware.downstreamOccluded = false
    b.rig.hardware.setDownstreamPressure(.zero)
    b.run(.seconds(1))
    let released = b.pump.status.occlusionRelease
    // 10 psi at 1 milli-psi per nL: ≈ 10 µL stored; counted above 10 % of the limit (≥ 9 µL).
    #expect(released >= Microliters(9) && released <= Microliters(12), "\(released.rawValue) µL")
    #expect(b.pump.status.occlusionReleaseAt != nil)
    // Reported once as an effect (the firmware's EVT OCCLREL and its log line).
    let reports = b.effects.filter { if case .occlusionReleased = $0 { true } else { false } }
    #expect(reports == [.occlusionReleased(released)])
    #expect(b.pump.log.entries.contains { $0.effect == .occlusionReleased(released) })
  }
}
