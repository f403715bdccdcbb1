import PumpCore
import PumpHardware
import Testing

@Suite("Dose accounting and rolling limits")
struct DoseTests {
  @Test(
    "REQ-DOSE-DRIFT-01: a 7-day run drifts < 1 µg from exact rational arithmetic",
    arguments: [Int64(100), 1000, 1700, 3300, 25_000, 200_000])
  func drift(rate: Int64) {
    let conc: Int64 = 5000
    var ledger = DoseLedger(stepsPerMilliliter: 4800, now: .zero)
    ledger.setConcentration(MicrogramsPerMilliliter(conc))
    var hw = SimulatedHardware(profile: testProfile, now: .zero)
    hw.loadReservoir(.milliliters(60))
    var big = testProfile
    big.reservoirVolume = .milliliters(100_000)
    hw = SimulatedHardware(profile: big, now: .zero)
    hw.loadReservoir(big.reservoirVolume)
    hw.command(MicrolitersPerHour(rate))
    var out: [SensorReading] = []
    var t: Int64 = 0
    let end: Int64 = 7 * 86_400_000
    // Irregular report intervals (1 ms to 10 s): rounding must not depend on them.
    var k: Int64 = 0
    while t < end {
      k += 1
      t = min(t + 1 + (k * 7919) % 10_000, end)
      hw.advance(to: Milliseconds(t))
      hw.readings(into: &out)
      if case .motorSteps(let n) = out[0] { ledger.record(steps: n, now: Milliseconds(t)) }
    }
    // Exact: steps × 10⁶ × c / 4800 pg; exact steps: ⌊rate × t × 4800 / 3.6e9⌋.
    let exactSteps = rate * end / 1000 * 4800 / 3_600_000
    #expect(ledger.totalSteps == exactSteps)
    let exactPgTimes4800 = ledger.totalSteps * 1_000_000 * conc
    let diffPg = ledger.totalPicograms * 4800 - exactPgTimes4800
    #expect(diffPg >= 0)  // never under-counted
    #expect(diffPg < 4800 * 1_000_000)  // < 1 µg
  }

  @Test("REQ-DOSE-MEASURED-01: delivered drug comes from motor feedback, not from the command")
  func measured() {
    var b = Bench.infusing()
    b.rig.hardware.motorStalled = true
    b.run(.minutes(2))
    #expect(b.pump.ledger.deliveredTotal == .zero)
    b.rig.hardware.motorStalled = false
    b.run(.minutes(60))
    let mg = b.pump.ledger.deliveredTotal.rawValue
    #expect(mg >= 5000 && mg <= 5005)  // 60 min at 5 mg/h
  }

  @Test("REQ-DOSE-KVO-01: basal that would cross a window limit → KVO with a medium alarm")
  func kvo() {
    var rx = standardRx
    rx.limit1h = .milligrams(6)
    rx.bolusDose = .milligrams(2)
    rx.lockout = .minutes(6)
    var b = Bench.infusing(rx)
    b.run(.minutes(30))
    b.send(.patientBolusRequest)
    b.run(.minutes(30))
    #expect(b.mode == .kvo)
    #expect(b.raised(.doseLimit))
    #expect(AlarmCode.doseLimit.priority == .medium)
    #expect(b.pump.commandedRate == MicrolitersPerHour(100))
    #expect(b.pump.ledger.delivered1h <= .milligrams(6))
  }

  @Test("REQ-DOSE-KVO-02: back to basal when the window allows; the alarm clears")
  func kvoBack() {
    var rx = standardRx
    rx.limit1h = .milligrams(6)
    rx.lockout = .minutes(6)
    var b = Bench.infusing(rx)
    b.run(.minutes(30))
    b.send(.patientBolusRequest)
    b.run(.minutes(40))
    #expect(b.mode == .kvo)
    b.run(.minutes(40))
    #expect(b.mode == .infusing(.basal))
    #expect(!b.active(.doseLimit))
    #expect(
      b.effects.contains(.modeChanged(from: .kvo, to: .infusing(.basal), reason: .doseLimitCleared))
    )
  }

  @Test("REQ-DOSE-KVO-03: when even KVO would break a window, the motor is held at zero")
  func kvoHeld() {
    var rx = standardRx
    rx.limit1h = .milligrams(5)
    rx.limit4h = .milligrams(5)
    rx.basalRate = .milligramsPerHour(5)
    var b = Bench.infusing(rx)
    b.run(.minutes(90))
    #expect(b.mode == .kvo)
    #expect(b.pump.ledger.delivered4h <= .milligrams(5))
    #expect(b.pump.kvoHeld)
    #expect(b.pump.commandedRate == .zero)
  }

  @Test("REQ-DOSE-WINDOW-01: delivery in any 60-min window never exceeds the 1-h limit")
  func windowExact() {
    var rx = standardRx
    rx.limit1h = .milligrams(7)
    rx.lockout = .minutes(6)
    rx.maxBolusesPerHour = 6
    var b = Bench.infusing(rx)
    var times: [(Int64, Int64)] = []  // (time, cumulative pg)
    for _ in 0..<40 {
      b.run(.minutes(6))
      b.send(.patientBolusRequest)
      times.append((b.now.rawValue, b.pump.ledger.totalPicograms))
    }
    // Sample every 10 ms of a 4-h run on a finer rig and check every window.
    var fine = Bench.infusing(rx)
    var cum: [Int64] = [0]
    for i in 1...(4 * 360_000) {
      fine.rig.step(at: Milliseconds(Int64(i) * 10))
      if i % 100 == 0 { _ = fine.rig.controller.handle(.vitals(calmVitals), now: fine.now) }
      if i % 36_000 == 0 { _ = fine.rig.send(.patientBolusRequest, at: fine.now) }
      cum.append(fine.pump.ledger.totalPicograms)
    }
    let w = 360_000
    var worst: Int64 = 0
    for i in w..<cum.count { worst = max(worst, cum[i] - cum[i - w]) }
    #expect(worst <= rx.limit1h.picograms)
    #expect(times.last!.1 > 0)
  }

  @Test("REQ-DOSE-HISTORY-01: reprogramming never resets the dose windows")
  func history() {
    var b = Bench.infusing()
    b.run(.minutes(30))
    let d = b.pump.ledger.delivered1h
    b.send(.pause)
    b.send(.program(standardRx))
    #expect(b.pump.ledger.delivered1h == d)
    #expect(b.send(.resume) == nil)
  }
}
