import PumpCore
import Testing

@Suite("Modes and transitions")
struct ModeTests {
  @Test("REQ-MODE-SELFTEST-01: power-on self-test, pass → idle, fail → fault")
  func selfTest() {
    var b = Bench()
    #expect(b.mode == .selfTest)
    #expect(b.send(.program(standardRx)) == .notAllowedInMode)
    b.send(.selfTestResult(passed: true))
    #expect(b.mode == .idle)
    #expect(b.effects.contains(.modeChanged(from: .selfTest, to: .idle, reason: .selfTestPassed)))

    var f = Bench()
    f.send(.selfTestResult(passed: false))
    #expect(f.mode == .fault(.selfTest))
    #expect(f.active(.selfTestFailure))
  }

  @Test("REQ-MODE-FLOW-01: idle → programmed → infusing ⇄ paused → idle")
  func happyPath() {
    var b = Bench.infusing()
    #expect(b.mode == .infusing(.basal))
    #expect(b.pump.commandedRate == .millilitersPerHour(1))
    #expect(b.send(.pause) == nil)
    #expect(b.mode == .paused(.clinician))
    #expect(b.pump.commandedRate == .zero)
    #expect(b.send(.resume) == nil)
    #expect(b.mode == .infusing(.basal))
    #expect(b.send(.stop) == nil)
    #expect(b.mode == .idle)
    #expect(b.pump.commandedRate == .zero)
  }

  @Test("REQ-MODE-LOG-01: every transition is logged with its reason")
  func transitionsLogged() {
    let b = Bench.infusing()
    let changes = b.pump.log.entries.compactMap { e -> ModeReason? in
      if case .modeChanged(_, _, let r) = e.effect { return r } else { return nil }
    }
    #expect(changes == [.selfTestPassed, .command, .command])
  }

  @Test(
    "REQ-MODE-REJECT-01: illegal events are rejected with a reason and change nothing",
    arguments: [
      (PumpEvent.start, Rejection.notAllowedInMode), (.resume, .notAllowedInMode),
      (.pause, .notAllowedInMode), (.confirmSoftLimits, .noPendingConfirmation),
      (.clinicianReset, .nothingToReset), (.acknowledgeAlarms, .nothingToAcknowledge),
      (.audioPause, .nothingToAcknowledge), (.clinicianBolus(.milligrams(1)), .notAllowedInMode),
      (.changeBasalRate(.milligramsPerHour(1)), .notAllowedInMode),
      (.selfTestResult(passed: true), .notAllowedInMode),
    ])
  func illegalInIdle(event: PumpEvent, expected: Rejection) {
    var b = Bench()
    b.send(.selfTestResult(passed: true))
    let before = b.pump.status
    #expect(b.send(event) == expected)
    #expect(b.pump.status == before)
    #expect(b.pump.effects == [.rejected(EventKind(event), expected)])
    #expect(b.pump.log.entries.last?.effect == .rejected(EventKind(event), expected))
  }

  @Test("REQ-MODE-FAULT-01: a fault stops the motor and refuses therapy until power cycle")
  func fault() {
    var b = Bench.infusing()
    b.send(.fault(.watchdog))
    #expect(b.mode == .fault(.watchdog))
    #expect(b.pump.commandedRate == .zero)
    #expect(b.active(.watchdog))
    for e in [
      PumpEvent.resume, .start, .program(standardRx), .patientBolusRequest, .clinicianReset,
    ] {
      #expect(b.send(e) == .faulted)
    }
    #expect(b.send(.audioPause) == .notSilenceable)
    b.run(.minutes(10))
    #expect(b.mode == .fault(.watchdog))
    #expect(b.pump.ledger.totalSteps == b.rig.hardware.totalSteps)
  }

  @Test("REQ-MODE-COMPLETE-01: VTBI reached → complete, motor off, low-priority alarm")
  func complete() {
    var rx = standardRx
    rx.vtbi = .milliliters(1)
    var b = Bench.infusing(rx)
    b.run(.minutes(61))
    #expect(b.mode == .complete)
    #expect(b.pump.commandedRate == .zero)
    #expect(b.active(.infusionComplete))
    #expect(b.pump.ledger.totalNanoliters >= 1_000_000)
    #expect(b.pump.ledger.totalNanoliters < 1_000_000 + 1000)
  }

  @Test("REQ-MODE-PAUSE-01: nothing is delivered while paused")
  func pausedDeliversNothing() {
    var b = Bench.infusing()
    b.run(.minutes(1))
    b.send(.pause)
    let steps = b.rig.hardware.totalSteps
    b.run(.minutes(10))
    #expect(b.rig.hardware.totalSteps == steps)
  }

  @Test("REQ-MODE-STOP-01: stop ends the therapy but keeps dose history and lockout")
  func stopKeepsHistory() {
    var b = Bench.infusing()
    b.run(.seconds(30))
    #expect(b.send(.patientBolusRequest) == nil)
    b.run(.minutes(1))
    let delivered = b.pump.ledger.delivered1h
    b.send(.stop)
    b.send(.program(standardRx))
    b.send(.start)
    #expect(b.pump.ledger.delivered1h == delivered)
    b.send(.patientBolusRequest)
    #expect(b.effects.last == .bolusDenied(.lockout, lockoutRemaining: b.pump.lockoutRemaining))
    #expect(b.pump.lockoutRemaining > .minutes(8))
  }
}
