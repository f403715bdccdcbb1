import PumpCore
import PumpHardware
import Testing

@Suite("Power cycle")
struct PowerCycleTests {
  @Test("REQ-MODE-POWER-01: after a power cycle a therapy comes back paused, history intact")
  func pausedWithHistory() {
    var b = Bench.infusing()
    b.run(.minutes(5))
    #expect(b.send(.patientBolusRequest) == nil)
    #expect(b.mode == .infusing(.patientBolus))
    b.run(.seconds(5))
    let delivered = b.pump.ledger.totalPicograms
    let grants = b.pump.bolusGrants
    b.rig.powerLost(at: b.now)
    b.rig.powerRestored(at: b.now + .minutes(2))
    #expect(b.mode == .paused(.powerCycle))
    #expect(b.pump.commandedRate == .zero)
    #expect(b.pump.ledger.totalPicograms == delivered)
    #expect(b.pump.bolusGrants == grants)
    #expect(b.pump.prescription == standardRx)
    // The lockout survives: a press after resume is still denied with the time left.
    #expect(b.send(.resume) == nil)
    b.clearEffects()
    b.send(.patientBolusRequest)
    #expect(
      b.effects.last
        == .bolusDenied(.lockout, lockoutRemaining: .minutes(10) - .seconds(5) - .minutes(2)))
  }

  @Test("REQ-MODE-POWER-02: a power cycle aborts a bolus and logs the restart")
  func abortsBolus() {
    var b = Bench.infusing()
    b.send(.patientBolusRequest)
    b.run(.seconds(2))
    var effects: [Effect] = []
    b.rig.powerLost(at: b.now)
    b.rig.powerRestored(at: b.now + .seconds(1)) { effects += $0.effects }
    #expect(
      effects.contains { if case .bolusAborted(.patientBolus, _) = $0 { true } else { false } })
    #expect(
      effects.contains(
        .modeChanged(from: .infusing(.patientBolus), to: .selfTest, reason: .restored)))
    #expect(
      effects.contains(.modeChanged(from: .selfTest, to: .paused(.powerCycle), reason: .restored)))
  }

  @Test("REQ-MODE-POWER-03: an interlock stop stays latched; a fault is cleared by the cycle")
  func interlockAndFault() {
    var b = Bench.infusing()
    b.send(.vitals(VitalsSample(sbp: 190, dbp: 80, hr: 80)))
    b.send(.vitals(VitalsSample(sbp: 190, dbp: 80, hr: 80)), after: .seconds(1))
    #expect(b.mode == .interlockStopped)
    b.rig.powerLost(at: b.now)
    b.rig.powerRestored(at: b.now + .seconds(30))
    #expect(b.mode == .interlockStopped)

    var f = Bench.infusing()
    f.send(.fault(.watchdog))
    #expect(f.mode == .fault(.watchdog))
    f.rig.powerLost(at: f.now)
    f.rig.powerRestored(at: f.now + .seconds(1))
    #expect(f.mode == .paused(.powerCycle))
    #expect(!f.active(.watchdog))
  }

  @Test("REQ-MODE-POWER-04: a failed self-test after the cycle faults the pump")
  func failedSelfTest() {
    var b = Bench.infusing()
    b.rig.powerLost(at: b.now + .seconds(1))
    b.rig.powerRestored(at: b.now + .seconds(2), selfTestPassed: false)
    #expect(b.mode == .fault(.selfTest))
    #expect(b.pump.commandedRate == .zero)
  }
}
