import PumpCore
import Testing

@Suite("Event log")
struct LogTests {
  @Test("REQ-LOG-RING-01: bounded rings of 1500 events and 150 faults, no growth once running")
  func ring() {
    var b = Bench.infusing()
    #expect(b.pump.log.capacity == 1500)
    #expect(b.pump.faultLog.capacity == 150)
    for _ in 0..<2000 { b.send(.patientBolusRequest, after: Milliseconds(1)) }
    #expect(b.pump.log.count == 1500)
    #expect(b.pump.log.capacity == 1500)
    #expect(b.pump.log.total > 2000)
  }

  @Test("REQ-LOG-SEQ-01: entries carry increasing sequence numbers and timestamps")
  func sequence() {
    var b = Bench.infusing()
    b.run(.seconds(5))
    b.send(.patientBolusRequest)
    let e = b.pump.log.entries
    for i in 1..<e.count {
      #expect(e[i].sequence == e[i - 1].sequence &+ 1)
      #expect(e[i].time >= e[i - 1].time)
    }
  }

  @Test("REQ-LOG-FAULT-01: faults and high-priority alarms go to the fault log")
  func faults() {
    var b = Bench.infusing()
    b.rig.hardware.doorOpen = true
    b.run(.milliseconds(10))
    #expect(b.pump.faultLog.entries.contains { $0.effect == .alarmRaised(.doorOpen) })
    b.send(.fault(.software))
    #expect(
      b.pump.faultLog.entries.contains {
        if case .modeChanged(_, .fault, _) = $0.effect { true } else { false }
      })
  }

  @Test("REQ-LOG-EFFECTS-01: each call's effects are exactly its new log entries")
  func effectsMatchLog() {
    var b = Bench.infusing()
    let before = b.pump.log.total
    b.send(.patientBolusRequest)
    let added = Int(b.pump.log.total - before)
    let tail = b.pump.log.entries.suffix(added).map(\.effect)
    #expect(tail == b.pump.effects)
  }
}

@Suite("Determinism")
struct DeterminismTests {
  /// A scripted course; returns effects with times relative to `start`.
  func course(start: Milliseconds) -> [String] {
    var b = Bench.infusing(start: start)
    b.run(.minutes(3))
    b.send(.patientBolusRequest)
    b.run(.minutes(2))
    b.send(.patientBolusRequest)
    var s = calmVitals
    s.sbp = 185
    b.run(.seconds(3), vitals: s)
    b.run(.seconds(3))
    b.send(.clinicianReset)
    b.send(.resume)
    b.run(.minutes(10))
    return b.pump.log.entries.map { "\(($0.time - start).rawValue) \($0.effect)" }
  }

  @Test("REQ-CORE-DETERMINISM-01: shifting the start time changes nothing")
  func shifted() {
    let a = course(start: .zero)
    let b = course(start: Milliseconds(987_654_321))
    #expect(a == b)
    #expect(a.count > 10)
  }

  @Test("REQ-CORE-DETERMINISM-02: event-driven jumps and 10-ms ticks give the same course")
  func jumpsVsTicks() {
    var coarse = Bench.infusing()
    coarse.rig.advance(to: .minutes(4))
    var fine = Bench.infusing()
    var t: Int64 = 0
    while t < 240_000 {
      t += 10
      fine.rig.step(at: Milliseconds(t))
    }
    // Both without vitals after the first: both go stale → interlock at the same instant.
    #expect(coarse.mode == fine.mode)
    let c = coarse.pump.log.entries.map { "\($0.time.rawValue) \($0.effect)" }
    let f = fine.pump.log.entries.map { "\($0.time.rawValue) \($0.effect)" }
    #expect(c == f)
    #expect(abs(coarse.pump.ledger.totalSteps - fine.pump.ledger.totalSteps) <= 1)
  }
}
