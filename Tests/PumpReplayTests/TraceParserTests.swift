import KetaPumpTestSupport
import PumpCore
import PumpHardware
import PumpReplay
import PumpTrace
import Testing

@Suite struct TraceParserTests {
  @Test("REQ-TRACE-FORMAT-01: header fields, per-kg prescription, times and comments")
  func header() throws {
    let t = try TraceParser.parse(
      """
      # A comment line, and a comment after a value.
      name: example   # display name
      description: a trace that shows the header
      profile: syringe-pca-60ml
      drug-entry: 1
      care-area: acute-post-op
      weight: 80 kg
      concentration: 2 mg/mL
      basal: 0.05 mg/kg/h
      bolus: 0.025 mg/kg
      bolus-rate: 30 mL/h
      lockout: 8 min
      max-boluses-per-hour: 3
      limit-1h: 12 mg
      limit-4h: 0.5 mg/kg
      vtbi: 50 mL
      kvo: 0.2 mL/h
      rate-increase-interval: 2h
      seed: 42
      requirements: REQ-VITALS-BANDS-01, REQ-BOLUS-LOCKOUT-01
      expect-verdict: fail
      start: programmed
      end: 2h
      vitals-stale-after: 30s
      12.5s start
      """, file: "x.trace")
    let h = t.header
    #expect(h.name == "example")
    #expect(h.profile == "syringe-pca-60ml")
    #expect(h.careArea == .acutePostOp)
    #expect(h.weight == .kilograms(80))
    #expect(h.seed == 42)
    #expect(h.requirements == ["REQ-VITALS-BANDS-01", "REQ-BOLUS-LOCKOUT-01"])
    #expect(h.expectedVerdict == .fail)
    #expect(h.start == .programmed)
    #expect(h.end == .hours(2))
    #expect(h.staleAfter == .seconds(30))
    #expect(h.locations["profile"] == SourceLocation(line: 4, column: 10))
    // Per-kg values resolve with the weight, rounded down.
    let rx = h.prescription.prescription(
      entry: DrugEntryID(1), careArea: .acutePostOp, weight: h.weight,
      profile: shippedConfiguration.model(id: "syringe-pca-60ml")!.profile)
    #expect(rx.basalRate == .milligramsPerHour(4))
    #expect(rx.bolusDose == .milligrams(2))
    #expect(rx.limit4h == .milligrams(40))
    #expect(rx.limit1h == .milligrams(12))
    #expect(rx.lockout == .minutes(8))
    #expect(rx.rateIncreaseInterval == .hours(2))
    #expect(rx.vtbi == .milliliters(50))
    #expect(rx.kvoRate == MicrolitersPerHour(200))
    #expect(
      t.steps == [
        TraceStep(time: Milliseconds(12_500), line: 25, kind: .action(.clinician(.start)))
      ])
  }

  @Test(
    "REQ-TRACE-FORMAT-01: time forms: units, decimals, compound, clock, relative",
    arguments: [
      ("250ms", 250), ("12.5s", 12_500), ("3min", 180_000), ("2h", 7_200_000), ("1d", 86_400_000),
      ("1h30min", 5_400_000), ("01:02:03.250", 3_723_250), ("144:00:00", 518_400_000),
      ("00:00:01.5", 1500), ("1.5h", 5_400_000),
    ])
  func times(text: String, ms: Int64) throws {
    let t = try TraceParser.parse(minimalHeader + "0s press\n\(text) press\n")
    #expect(t.steps[1].time == Milliseconds(ms))
    let r = try TraceParser.parse(minimalHeader + "1s press\n+\(text) press\n")
    #expect(r.steps[1].time == Milliseconds(1000 + ms))
  }

  @Test("REQ-TRACE-FORMAT-01: every action kind")
  func actions() throws {
    let t = try TraceParser.parse(
      minimalHeader + """
        0s vitals SBP=120 DBP=80 HR=70 SpO2=97 RR=12
        0s vitals hr=70
        1s press
        1s program
        1s confirm
        1s start
        1s pause
        1s resume
        1s stop
        1s rate 6 mg/h
        1s clinician-bolus 2mg
        1s ack
        1s silence
        1s reset
        2s inject occlusion downstream on
        2s inject occlusion upstream off
        2s inject pressure downstream 12 psi
        2s inject air 60 µL
        2s inject door open
        2s inject mains off
        2s inject battery 10min
        2s inject motor stall on
        2s inject motor runaway off
        2s inject sensor-failure on
        2s inject reservoir 1.5 mL
        2s inject fault watchdog
        3s power lost
        4s power restored self-test fail
        5s link down
        6s clock advance 1h
        """)
    let actions: [TraceAction] = t.steps.compactMap {
      if case .action(let a) = $0.kind { return a }
      return nil
    }
    #expect(
      actions == [
        .vitals(VitalsSample(sbp: 120, dbp: 80, hr: 70, spo2: 97, rr: 12)),
        .vitals(VitalsSample(hr: 70)), .press, .clinician(.program), .clinician(.confirm),
        .clinician(.start), .clinician(.pause), .clinician(.resume), .clinician(.stop),
        .clinician(.rate(.milligramsPerHour(6))), .clinician(.bolus(.milligrams(2))),
        .clinician(.acknowledge), .clinician(.audioPause), .clinician(.reset),
        .inject(.occlusion(downstream: true, on: true)),
        .inject(.occlusion(downstream: false, on: false)),
        .inject(.pressure(downstream: true, .psi(12))), .inject(.air(Microliters(60))),
        .inject(.door(open: true)), .inject(.mains(on: false)), .inject(.battery(.minutes(10))),
        .inject(.motorStall(true)), .inject(.motorRunaway(false)), .inject(.sensorFailure(true)),
        .inject(.reservoir(Microliters(1500))), .inject(.fault(.watchdog)), .powerLost,
        .powerRestored(selfTestPassed: false), .hostLink(connected: false),
        .clockAdvance(.hours(1)),
      ])
    // The clock jump moves the cursor: relative times count from its end.
    let r = try TraceParser.parse(minimalHeader + "6s clock advance 1h\n+1s press\n")
    #expect(r.steps[1].time == Milliseconds(3_607_000))
  }

  @Test("REQ-TRACE-FORMAT-01: every expectation kind")
  func expectations() throws {
    let t = try TraceParser.parse(
      minimalHeader + """
        10s expect alarm door-open priority high within 1s
        10s expect alarm DoorOpen
        10s expect no alarm vitals-warning until +5min
        10s expect no alarm until 1h
        10s expect alarm door_open cleared within 2s
        10s expect mode infusing
        10s expect mode paused(alarm) at +1s
        10s expect mode fault(watchdog)
        10s press
        10s expect bolus granted
        10s expect bolus denied(lockout)
        10s expect bolus denied
        10s expect delivered ≤ 15 mg in window 1h
        10s expect delivered >= 1 mg in last 10min
        10s expect delivered < 100 mg total
        10s expect motor stopped within 1s
        10s expect motor running
        10s ack
        10s expect accepted
        10s expect rejected(not-silenceable)
        10s expect rejected
        10s expect audio-pause broken by door-open within 1s
        """)
    let s = Milliseconds(10_000)
    #expect(
      t.expectations.map(\.expectation) == [
        .alarm(.doorOpen, priority: .high, within: .seconds(1)),
        .alarm(.doorOpen, priority: nil, within: .zero),
        .noAlarm(.vitalsWarning, until: s + .minutes(5)), .noAlarm(nil, until: .hours(1)),
        .alarmCleared(.doorOpen, within: .seconds(2)), .mode(.infusing(nil), at: s),
        .mode(.paused(.alarm), at: s + .seconds(1)), .mode(.fault(.watchdog), at: s),
        .bolusOf(pressTime: s, ordinal: 0, granted: true, denial: nil),
        .bolusOf(pressTime: s, ordinal: 0, granted: false, denial: .lockout),
        .bolusOf(pressTime: s, ordinal: 0, granted: false, denial: nil),
        .delivered(.atMost, .milligrams(15), scope: .window(.hours(1))),
        .delivered(.atLeast, .milligrams(1), scope: .last(.minutes(10))),
        .delivered(.below, .milligrams(100), scope: .total), .motorStopped(within: .seconds(1)),
        .motorRunning(within: .zero), .commandOf(line: 19, accepted: true, rejection: nil),
        .commandOf(line: 19, accepted: false, rejection: .notSilenceable),
        .commandOf(line: 19, accepted: false, rejection: nil),
        .audioPauseBroken(by: .doorOpen, within: .seconds(1)),
      ])
    #expect(t.expectations[0].text == "expect alarm door-open priority high within 1s")
  }

  @Test("REQ-TRACE-LANG-01: labels name action lines; 'for <label>' addresses them")
  func labels() throws {
    let t = try TraceParser.parse(
      minimalHeader + """
        10s p1: press
        10s p2: press
        20s rx-2: rate 4 mg/h
        30s expect bolus granted for p1
        30s expect bolus denied(lockout) for p2
        30s expect accepted for rx-2
        30s expect rejected(rate-increase-too-soon) for rx-2
        """)
    #expect(t.steps[0].kind == .action(.press))
    #expect(t.steps[2].kind == .action(.clinician(.rate(.milligramsPerHour(4)))))
    #expect(
      t.expectations.map(\.expectation) == [
        .bolusOf(pressTime: .seconds(10), ordinal: 0, granted: true, denial: nil),
        .bolusOf(pressTime: .seconds(10), ordinal: 1, granted: false, denial: .lockout),
        .commandOf(line: 4, accepted: true, rejection: nil),
        .commandOf(line: 4, accepted: false, rejection: .rateIncreaseTooSoon),
      ])
  }

  @Test("REQ-TRACE-LANG-03: 'within W of <label>' anchors a window to a labelled earlier line")
  func anchoredWindows() throws {
    let t = try TraceParser.parse(
      minimalHeader + """
        10s d: inject door open
        20s expect alarm door-open priority high within 1s of d
        20s expect motor stopped of d
        20s expect mode paused within 2s of d
        """)
    #expect(
      t.expectations.map(\.expectation) == [
        .anchored(
          .alarm(.doorOpen, priority: .high, within: .seconds(1)), at: .seconds(10), line: 2),
        .anchored(.motorStopped(within: .zero), at: .seconds(10), line: 2),
        .anchored(.modeWithin(.paused(nil), within: .seconds(2)), at: .seconds(10), line: 2),
      ])
    #expect(t.end == .seconds(20))
    let v = try TraceParser.parse(
      minimalHeader
        + "5s spike: vitals SBP=190\n9s expect alarm vitals-warning within 3s of spike\n")
    #expect(
      v.expectations.map(\.expectation) == [
        .anchored(
          .alarm(.vitalsWarning, priority: nil, within: .seconds(3)), at: .seconds(5), line: 2)
      ])
  }

  @Test("REQ-TRACE-LANG-04: 'program key=value…' re-programs any field, per-kg values too")
  func reprogram() throws {
    let t = try TraceParser.parse(
      minimalHeader + """
        10s program weight=80kg basal=0.05mg/kg/h bolus=0.02mg/kg lockout=15min max-boluses-per-hour=3 care-area=chronic-pain vtbi=20mL
        """)
    let changes: [PrescriptionChange] = [
      .weight(.kilograms(80)), .basal(.perKg(MicrogramsPerKilogramHour(50))),
      .bolus(.perKg(MicrogramsPerKilogram(20))), .lockout(.minutes(15)), .maxBolusesPerHour(3),
      .careArea(.chronicPain), .vtbi(Microliters(20_000)),
    ]
    #expect(t.steps[0].kind == .action(.clinician(.reprogram(changes))))
    guard
      case .program(let p)? = TraceAction.clinician(.reprogram(changes)).hostRequest(
        prescription: wardRx)
    else {
      Issue.record("not a PROGRAM request")
      return
    }
    var want = wardRx
    want.patientWeight = .kilograms(80)
    want.basalRate = .milligramsPerHour(4)  // 0.05 mg/kg/h x 80 kg
    want.bolusDose = .milligrams(1) + Micrograms(600)  // 0.02 mg/kg x 80 kg
    want.lockout = .minutes(15)
    want.maxBolusesPerHour = 3
    want.careArea = .chronicPain
    want.vtbi = Microliters(20_000)
    #expect(p == want)
  }

  @Test(
    "REQ-TRACE-LANG-04: the recorder's re-programming line parses back to the same prescription")
  func recordedReprogram() throws {
    var p = wardRx
    p.basalRate = .milligramsPerHour(4)
    p.lockout = .minutes(15)
    p.careArea = .chronicPain
    let line = TraceText.program(p, from: wardRx)
    #expect(line == "program care-area=chronic-pain basal=4mg/h lockout=15min")
    #expect(TraceText.program(wardRx, from: wardRx) == "program")
    let t = try TraceParser.parse(minimalHeader + "10s \(line)\n")
    guard case .action(let a) = t.steps[0].kind,
      case .program(let back)? = a.hostRequest(prescription: wardRx)
    else {
      Issue.record("not a PROGRAM")
      return
    }
    #expect(back == p)
  }

  @Test("REQ-TRACE-LANG-02: tolerances (Unicode and ASCII) and a window on a mode")
  func tolerancesAndWindows() throws {
    let t = try TraceParser.parse(
      minimalHeader + """
        10s expect delivered ≈ 5 mg ± 2 µg total
        10s expect delivered ~ 5 mg +- 2 ug in last 1h
        10s expect mode paused(alarm) within 2s
        """)
    #expect(
      t.expectations.map(\.expectation) == [
        .delivered(.approximately(tolerance: Micrograms(2)), .milligrams(5), scope: .total),
        .delivered(
          .approximately(tolerance: Micrograms(2)), .milligrams(5), scope: .last(.hours(1))),
        .modeWithin(.paused(.alarm), within: .seconds(2)),
      ])
  }

  @Test("REQ-TRACE-FORMAT-02: a generator line is one step; '-' marks a missing vital")
  func generator() throws {
    let t = try TraceParser.parse(
      minimalHeader + "seed: 5\n0s vitals every 1s until 7d SBP=125 DBP=75 HR=- jitter 3\n")
    guard case .action(.vitalsSeries(let s)) = t.steps[0].kind else {
      Issue.record("not a series")
      return
    }
    #expect(s.count == 604_800)
    #expect(s.vitals == Vital.sbp.bit | Vital.dbp.bit | Vital.hr.bit)
    #expect(
      s.source
        == .generator(
          base: VitalsSample(sbp: 125, dbp: 75), period: .seconds(1), end: .hours(168),
          jitter: 3))
    #expect(t.end == .hours(168))
  }

  @Test("REQ-TRACE-FORMAT-02: CSV vitals resolve relative to the trace and overlay the line")
  func csv() throws {
    let csv =
      "Time,Solar8000/NIBP_SBP,NIBP_DIA,Pulse,SpO2,Resp,Other\n0,120,80,70.6,97,,x\n2.5,121,,71,,12,y\n"
    var asked: [String] = []
    let t = try TraceParser.parse(minimalHeader + "1min vitals csv monitor.csv\n") { path in
      asked.append(path)
      return Array(csv.utf8)
    }
    #expect(asked == ["monitor.csv"])
    guard case .action(.vitalsSeries(let s)) = t.steps[0].kind else {
      Issue.record("not a series")
      return
    }
    #expect(
      s.source
        == .table(
          times: [.minutes(1), Milliseconds(62_500)],
          samples: [
            VitalsSample(sbp: 120, dbp: 80, hr: 71, spo2: 97),
            VitalsSample(sbp: 121, hr: 71, rr: 12),
          ]))
  }
}
