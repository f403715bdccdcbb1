import PumpCore
import PumpPatient
import PumpProtocol
import PumpReplay
import PumpTrace
import Testing

/// Trace language 2 (issue 14): windows anchored to observations, `throughout` / `never`,
/// values. Parse errors name file:line:column; the checker is fed hand-written streams.
@Suite struct TraceLanguage2Tests {
  static let parseErrors: [(String, String)] = [
    (
      "5s expect motor stopped throughout soon",
      "bad.trace:2:36: expected '[<from>, <to>]', 'until <time>', 'for <duration>' or the end of the line, found 'soon'"
    ),
    (
      "5s expect mode idle throughout [1s 2s]",
      "bad.trace:2:32: expected '[<from>, <to>]' (two times, e.g. [1min, 5min] or [+0s, +30s]), found no ','"
    ),
    (
      "5s expect mode idle throughout [1s, 2s",
      "bad.trace:2:32: expected '[<from>, <to>]' (two times, e.g. [1min, 5min] or [+0s, +30s]), found no ']'"
    ),
    (
      "5s expect mode idle throughout [3s, 2s]",
      "bad.trace:2:37: expected an end at or after the start 00:00:03.000, found '2s'"
    ),
    (
      "5s expect mode idle throughout [, 2s]",
      "bad.trace:2:33: expected '[<from>, <to>]' (two times, e.g. [1min, 5min] or [+0s, +30s]), found no start time"
    ),
    (
      "5s expect mode idle throughout until 1s",
      "bad.trace:2:38: expected a time at or after the line's 00:00:05.000, found '1s'"
    ),
    (
      "5s expect alarm door-open never for soon",
      "bad.trace:2:37: expected a duration (250ms, 12.5s, 3min, 2h, 1d), found 'soon'"
    ),
    (
      "5s expect alarm door-open priority high never",
      "bad.trace:2:27: expected no priority on 'alarm … never'"
    ),
    (
      "5s expect alarm door-open priority high acknowledged",
      "bad.trace:2:27: expected no priority on 'alarm … acknowledged'"
    ),
    (
      "5s expect value colour ≤ 1 mg",
      "bad.trace:2:17: expected a value name (lockout-remaining, reservoir, pressure-downstream, pressure-upstream, vitals-age, delivered-1h, delivered-4h, audio-pause-remaining, basal-rate, plasma-concentration, effect-concentration, pain), found 'colour'"
    ),
    (
      "5s expect value reservoir is 1 mL",
      "bad.trace:2:27: expected a comparison (≤, <, ≥, >, ≈), found 'is'"
    ),
    (
      "5s expect value reservoir ≥ 1 mg",
      "bad.trace:2:29: expected a volume (µL, mL, L), found '1 mg'"
    ),
    (
      "5s expect value lockout-remaining ≈ 5min",
      "bad.trace:2:41: expected '± <tolerance>' (ASCII '+- <tolerance>'), found the end of the line"
    ),
    (
      "5s expect value pain ≤ 3.5555",
      "bad.trace:2:24: expected a number with up to 3 decimals, found '3.5555'"
    ),
    (
      "5s expect value plasma-concentration ≤ 3 mg/mL",
      "bad.trace:2:42: expected the unit ng/mL, found 'mg/mL'"
    ),
    (
      "5s expect value reservoir ≥ 1 mL sometimes",
      "bad.trace:2:34: expected 'at <time>', 'within <duration>', 'throughout [<from>, <to>]|until <time>|for <duration>', 'never [until <time>|for <duration>|[<from>, <to>]]' or the end of the line, found 'sometimes'"
    ),
    (
      "5s expect motor stopped within 1 tick",
      "bad.trace:2:34: expected a duration (250ms, 12.5s, 3min): 'tick' windows start at an observation ('of alarm X', 'of mode M', 'of bolus granted')"
    ),
    (
      "5s p: press\n6s expect motor stopped within 1 tick of p",
      "bad.trace:3:34: expected a duration (250ms, 12.5s, 3min): 'tick' windows start at an observation ('of alarm X', 'of mode M', 'of bolus granted')"
    ),
    (
      "5s expect motor stopped within 0 ticks of alarm door-open",
      "bad.trace:2:32: expected a whole number of ticks 1…1000000, found '0'"
    ),
    (
      "5s expect motor stopped within 1s of alarm door-shut",
      "bad.trace:2:44: expected an alarm name (vitals-warning, vitals-interlock, vitals-stale, occlusion-downstream, occlusion-upstream, air-in-line, door-open, reservoir-low, reservoir-empty, battery-low, battery-depleted, over-infusion, under-infusion, dose-limit, paused-too-long, infusion-complete, host-link-lost, link-security, self-test-failure, watchdog, software-fault, sensor-failure), found 'door-shut'"
    ),
    (
      "5s expect motor stopped within 1s of mode sleeping",
      "bad.trace:2:43: expected a mode (self-test, idle, programmed, infusing[(phase)], paused[(reason)], kvo, complete, interlock-stopped, fault[(code)]), found 'sleeping'"
    ),
    (
      "5s expect motor stopped within 1s of bolus maybe",
      "bad.trace:2:44: expected 'granted' or 'denied(reason)', found 'maybe'"
    ),
    (
      "5s expect mode idle throughout for 1s of alarm door-open",
      "bad.trace:2:39: expected the end of the line ('of …' anchors only alarm, alarm … cleared, motor, mode … within, value … within, logged and audio-pause expectations), found 'of'"
    ),
  ]

  @Test(
    "REQ-TRACE-LANG-05, REQ-TRACE-LANG-06, REQ-TRACE-LANG-07: malformed spans, values and observation anchors name file:line:column",
    arguments: parseErrors)
  func parseError(line: String, message: String) {
    #expect(PumpReplayTests.parseError(minimalHeader + line + "\n") == message)
  }
}

extension TraceLanguage2Tests {
  /// `TraceCheckerTests.stream` (door opened at 100 s, motor stopped there, cleared at 150 s)
  /// with pump-value samples at 0, 60 and 100 s.
  static let stream: ObservationLog = {
    var l = ObservationLog()
    for o in TraceCheckerTests.stream.records { l.append(o.event, at: o.time) }
    func values(_ lockout: Int64, _ reservoir: Int64, alarm: AlarmCode?) -> ObservedEvent {
      .pumpValues(
        PumpValues(
          Telemetry(
            mode: .idle, lockoutRemaining: Milliseconds(lockout),
            reservoir: Microliters(reservoir),
            alarms: alarm.map {
              [AlarmStatus(code: $0, acknowledged: false, audioPauseRemaining: .zero)]
            }
              ?? [])))
    }
    var merged = l.records
    merged.append(Observation(time: .zero, event: values(0, 60_000, alarm: nil)))
    merged.append(
      Observation(time: Milliseconds(60_000), event: values(600_000, 59_000, alarm: nil)))
    merged.append(
      Observation(time: Milliseconds(100_000), event: values(560_000, 58_000, alarm: .doorOpen)))
    merged.sort { $0.time < $1.time }
    var out = ObservationLog()
    for o in merged { out.append(o.event, at: o.time) }
    return out
  }()

  static let checks: [(String, String?)] = [
    ("0s expect mode infusing throughout [0s, 99s]", nil),
    (
      "0s expect mode infusing throughout [0s, 100s]",
      "expected mode infusing throughout [00:00:00.000, 00:01:40.000], actual: mode paused(alarm) at 00:01:40.000"
    ),
    ("0s expect motor running throughout until 99s", nil),
    ("10s expect motor stopped never for 89s", nil),
    (
      "10s expect motor stopped never for 90s",
      "expected motor stopped never in [00:00:10.000, 00:01:40.000], actual: motor 0 µL/h at 00:01:40.000"
    ),
    ("0s expect alarm door-open never until 99s", nil),
    (
      "0s expect alarm door-open never until 100s",
      "expected alarm door-open active never in [00:00:00.000, 00:01:40.000], actual: door-open active at 00:01:40.000"
    ),
    ("120s expect alarm door-open throughout for 29s", nil),
    (
      "120s expect alarm door-open throughout for 30s",
      "expected alarm door-open active throughout [00:02:00.000, 00:02:30.000], actual: door-open not active at 00:02:30.000"
    ),
    ("0s expect motor stopped within 1 tick of alarm door-open", nil),
    ("0s expect mode paused(alarm) within 1 tick of alarm door-open priority high", nil),
    (
      "0s expect motor stopped within 1s of bolus granted",
      "expected motor stopped within 1s of 00:01:00.000, actual: 1000 µL/h through 00:01:01.000 (window from bolus granted at 00:01:00.000)"
    ),
    ("0s expect alarm door-open within 40s of bolus denied(lockout)", nil),
    (
      "110s expect motor stopped within 1s of alarm door-open",
      "expected alarm door-open at or after 00:01:50.000 to start the window, actual: no alarm door-open observed by the end of the run (00:01:51.000)"
    ),
    ("0s expect motor stopped of mode paused", nil),
    ("0s expect value reservoir ≥ 58 mL throughout [0s, 100s]", nil),
    (
      "0s expect value reservoir ≥ 59 mL throughout [0s, 100s]",
      "expected value reservoir ≥ 59000 µL throughout [00:00:00.000, 00:01:40.000], actual: 58000 µL at 00:01:40.000"
    ),
    ("60s expect value lockout-remaining ≈ 10min ± 0s", nil),
    ("90s expect value lockout-remaining ≈ 9min20s ± 0s within 10s", nil),
    (
      "90s expect value lockout-remaining ≈ 9min20s ± 0s within 9s",
      "expected value lockout-remaining ≈ 9min20s ± 0s within 9s of 00:01:30.000, actual: 10min at 00:01:30.000, 10min at 00:01:39.000"
    ),
    ("100s expect alarm door-open annunciated", nil),
    (
      "60s expect alarm door-open annunciated",
      "expected alarm door-open annunciated at 00:01:00.000, actual: no alarm annunciated"
    ),
    (
      "100s expect alarm door-open acknowledged",
      "expected alarm door-open acknowledged at 00:01:40.000, actual: door-open active, not acknowledged"
    ),
    (
      "0s expect value pain ≤ 5",
      "expected value pain ≤ 5.000, actual: no patient samples (the trace names no patient)"
    ),
  ]

  @Test(
    "REQ-TRACE-LANG-05, REQ-TRACE-LANG-06, REQ-TRACE-LANG-07: observation anchors, throughout/never and values against a hand-written stream",
    arguments: checks)
  func check(line: String, failure: String?) throws {
    let t = try TraceParser.parse(minimalHeader + line + "\n")
    let r = TraceChecker.check(t, log: Self.stream)
    #expect(r.count == 1)
    #expect(r[0].passed == (failure == nil))
    #expect(r[0].message == (failure ?? ""))
  }

  /// `throughout` and `never` are duals: a motor is stopped throughout a span exactly when it
  /// is never running in it, for any motor history and any span (seeded random streams).
  @Test("REQ-TRACE-LANG-06: 'stopped throughout' holds exactly when 'running never' holds")
  func throughoutNeverDual() throws {
    var rng = SplitMix64(seed: 14)
    for _ in 0..<300 {
      var l = ObservationLog()
      var t: Int64 = 0
      for _ in 0..<Int(rng.next() % 8) {
        t += Int64(rng.next() % 5_000)
        l.append(.motor(MicrolitersPerHour(Int64(rng.next() % 2) * 1000)), at: Milliseconds(t))
      }
      let a = Int64(rng.next() % 20_000)
      let b = a + Int64(rng.next() % 10_000)
      let text =
        "\(a)ms expect motor stopped throughout [\(a)ms, \(b)ms]\n\(a)ms expect motor running never [\(a)ms, \(b)ms]\n"
      let trace = try TraceParser.parse(minimalHeader + text)
      let r = TraceChecker.check(trace, log: l)
      #expect(r[0].passed == r[1].passed, "\(text)")
    }
  }

  /// An anchor never seen fails, whatever the inner expectation (no vacuous pass).
  @Test("REQ-TRACE-LANG-05: a window from an observation never seen fails, never passes vacuously")
  func missingAnchorFails() throws {
    for inner in [
      "motor stopped", "motor running", "mode idle within 1h", "alarm door-open within 1d",
    ] {
      let t = try TraceParser.parse(
        minimalHeader + "0s expect \(inner) of alarm occlusion-downstream\n")
      let r = TraceChecker.check(t, log: Self.stream)
      #expect(!r[0].passed)
      #expect(r[0].message.contains("no alarm occlusion-downstream observed"))
    }
  }

  @Test("REQ-TRACE-LANG-06: spans are instants of interest (both drivers sample there)")
  func spanInstants() throws {
    let t = try TraceParser.parse(
      minimalHeader
        + "10s expect mode infusing throughout [20s, 30s]\n10s expect value reservoir ≥ 1 mL at 45s\n"
    )
    let i = Set(t.instants.map(\.rawValue))
    #expect(i.isSuperset(of: [10_000, 19_999, 20_000, 30_000, 45_000]))
    #expect(t.samplesValues && t.needsExactTimes)
    let plain = try TraceParser.parse(minimalHeader + "10s expect mode infusing\n")
    #expect(!plain.samplesValues && !plain.needsExactTimes)
  }
}

extension TraceLanguage2Tests {
  static let nearestLineErrors: [(String, String)] = [
    (
      "5s expect accepted",
      "bad.trace:2:11: expected a clinician command, 'inject fault' or 'link' line above this expectation (an unlabelled 'expect accepted' judges the nearest one above), found none"
    ),
    (
      "5s press\n5s expect rejected(faulted)",
      "bad.trace:3:11: expected a clinician command, 'inject fault' or 'link' line above this expectation (an unlabelled 'expect rejected(faulted)' judges the nearest one above), found none"
    ),
    (
      "5s ack\n5s expect bolus granted",
      "bad.trace:3:11: expected a 'press' line above this expectation (an unlabelled 'expect bolus' judges the nearest press above), found none"
    ),
    (
      "5s press\n5s expect bolus granted within 2s",
      "bad.trace:3:25: expected 'for <label>' or the end of the line (a bolus decision belongs to one press line: the labelled one, or the nearest press above), found 'within'"
    ),
  ]

  @Test(
    "REQ-TRACE-LANG-08: an unlabelled outcome with no line of its kind above, or a bolus window, is a parse error at file:line:column",
    arguments: nearestLineErrors)
  func nearestLineError(line: String, message: String) {
    #expect(PumpReplayTests.parseError(minimalHeader + line + "\n") == message)
  }

  @Test(
    "REQ-TRACE-LANG-08: unlabelled 'expect accepted/rejected' and 'expect bolus' judge the nearest line of their kind above, by file position, at any time"
  )
  func nearestLine() throws {
    let t = try TraceParser.parse(
      minimalHeader
        + "5s pause\n6s press\n7s vitals HR=80\n8s expect accepted\n8s expect bolus granted\n"
        + "9s press\n9s press\n9s expect bolus denied\n")
    #expect(
      t.expectations.map(\.expectation) == [
        .commandOf(line: 2, accepted: true, rejection: nil),
        .bolusOf(pressTime: .seconds(6), ordinal: 0, granted: true, denial: nil),
        .bolusOf(pressTime: .seconds(9), ordinal: 1, granted: false, denial: nil),
      ])
  }
}

extension TraceLanguage2Tests {
  static let roleErrors: [(String, String)] = [
    (
      "5s pause as nobody",
      "bad.trace:2:13: expected a role (patient, vitals, clinician, service), found 'nobody'"
    ),
    (
      "5s vitals HR=80 as vitals",
      "bad.trace:2:17: expected the end of the line ('as <role>' goes on a command, press, inject, power, link or disconnect line), found 'as'"
    ),
    (
      "5s clock advance 1s as service",
      "bad.trace:2:21: expected the end of the line ('as <role>' goes on a command, press, inject, power, link or disconnect line), found 'as'"
    ),
    (
      "5s raw garbage",
      "bad.trace:2:8: expected quoted bytes (raw \"$STATUS,1*0000\\r\\n\"; escapes \\r \\n \\t \\\\ \\\" \\xHH), found 'garbage'"
    ),
    (
      "5s raw \"a\\qb\"",
      "bad.trace:2:10: expected quoted bytes (raw \"$STATUS,1*0000\\r\\n\"; escapes \\r \\n \\t \\\\ \\\" \\xHH), found '\\q'"
    ),
    (
      "5s raw \"\"",
      "bad.trace:2:8: expected 1…4096 bytes between the quotes, found 0"
    ),
    (
      "5s raw \"ab\\x4\"",
      "bad.trace:2:11: expected quoted bytes (raw \"$STATUS,1*0000\\r\\n\"; escapes \\r \\n \\t \\\\ \\\" \\xHH), found a bad \\x escape"
    ),
    (
      "5s disconnect as nobody",
      "bad.trace:2:18: expected a role (patient, vitals, clinician, service), found 'nobody'"
    ),
  ]

  @Test(
    "REQ-TRACE-LANG-09: malformed roles, raw bytes and disconnects name file:line:column",
    arguments: roleErrors)
  func roleError(line: String, message: String) {
    #expect(PumpReplayTests.parseError(minimalHeader + line + "\n") == message)
  }

  @Test("REQ-TRACE-LANG-09: roles, raw bytes and disconnects parse to their actions")
  func roleActions() throws {
    let t = try TraceParser.parse(
      minimalHeader
        + "5s a: resume as patient\n5s expect rejected(role-forbidden) for a\n"
        + "6s raw \"$X,1*00\\r\\n\\x41\"\n7s disconnect\n8s disconnect as vitals\n")
    let actions = t.steps.compactMap { s -> TraceAction? in
      if case .action(let a) = s.kind { return a }
      return nil
    }
    #expect(
      actions == [
        .asRole(.clinician(.resume), .patient), .raw(Array("$X,1*00\r\nA".utf8)),
        .disconnect(.clinician), .disconnect(.vitals),
      ])
    #expect(t.expectations.map(\.expectation) == [.forbiddenOf(line: 2)])
  }

  /// A command the role may not send changes nothing: the run is the run without that line,
  /// observation for observation (but the refusal itself and the extra delivered sample), for
  /// every clinician command and every role the table refuses it to.
  @Test("REQ-TRACE-LANG-09: a role-forbidden line never changes the pump (offline)")
  func forbiddenChangesNothing() throws {
    let base =
      minimalHeader + "0s vitals every 1s until 3min SBP=125 DBP=75 HR=80 SpO2=97 RR=14\n"
    let plain = try replay(base + "2min expect mode infusing\n")
    for cmd in ["resume", "start", "confirm", "ack", "silence", "reset", "rate 4 mg/h", "press"] {
      for role in ["patient", "vitals", "service", "clinician"] {
        let forbidden = (cmd == "press") ? role != "patient" : role != "clinician"
        guard forbidden else { continue }
        let r = try replay(base + "1min \(cmd) as \(role)\n2min expect mode infusing\n")
        // What the pump did (samples of the delivered total are readings, taken at every
        // line: the refused line adds one).
        func did(_ r: TraceResult) -> [Observation] {
          (r.log?.records ?? []).filter {
            switch $0.event {
            case .roleForbidden, .delivered: return false
            default: return true
            }
          }
        }
        #expect(did(r) == did(plain), "\(cmd) as \(role)")
        #expect(
          (r.log?.records ?? []).contains { $0.event == .roleForbidden(line: 3) },
          "\(cmd) as \(role)")
      }
    }
  }

  @Test(
    "REQ-TRACE-LANG-09: offline, raw and disconnect lines are skipped with the reason, in the result"
  )
  func skippedOffline() throws {
    let r = try replay(
      minimalHeader + "0s vitals every 1s until 1min HR=80\n10s raw \"x\\r\\n\"\n20s disconnect\n")
    #expect(r.notes.count == 2)
    #expect(r.notes[0].contains("line 3: raw bytes go to the serial line only"))
    #expect(r.notes[1].contains("line 4: a session disconnect exists only on the serial line"))
    #expect(SummaryReport.details(r).contains("skipped offline"))
    #expect(JSONReport.line(r).contains("\"notes\":[\"t.trace: line 3: raw bytes"))
    #expect(r.asExpected)
  }
}

extension TraceLanguage2Tests {
  @Test("REQ-TRACE-LANG-10: a malformed 'expect logged' names file:line:column")
  func loggedErrors() {
    #expect(
      PumpReplayTests.parseError(minimalHeader + "5s expect logged nothing\n")
        == "bad.trace:2:18: expected a log entry kind (\(LoggedKind.allCases.map(\.rawValue).joined(separator: ", "))), found 'nothing'"
    )
    #expect(
      PumpReplayTests.parseError(minimalHeader + "5s expect logged motor within soon\n")
        == "bad.trace:2:31: expected a duration (250ms, 12.5s, 3min, 2h, 1d), found 'soon'")
  }

  @Test(
    "REQ-TRACE-LANG-10: 'expect logged <kind> [within W]' looks for an entry of that kind in [t, t + W]"
  )
  func logged() throws {
    var l = ObservationLog()
    l.append(.logged(.programAccepted), at: .zero)
    l.append(.logged(.bolusStarted), at: .seconds(60))
    l.append(.logged(.bolusCompleted), at: .seconds(84))
    let t = try TraceParser.parse(
      minimalHeader
        + "0s expect logged program-accepted\n50s expect logged bolus-started within 10s\n"
        + "50s expect logged bolus-started within 9s\n85s expect logged bolus-completed within 1h\n"
    )
    let r = TraceChecker.check(t, log: l)
    #expect(r.map(\.passed) == [true, true, false, false])
    #expect(
      r[2].message
        == "expected logged bolus-started within 9s of 00:00:50.000, actual: none (next at 00:01:00.000)"
    )
    #expect(
      r[3].message
        == "expected logged bolus-completed within 1h of 00:01:25.000, actual: none (last at 00:01:24.000)"
    )
    #expect(t.readsLog)
  }

  /// Every controller effect has a kind, and the kinds' log prefixes tell entries apart: no
  /// prefix is the start of another kind's (so reading `LOG` text back is unambiguous).
  @Test("REQ-TRACE-LANG-10: log entry kinds have distinct, non-overlapping prefixes")
  func loggedPrefixes() {
    for a in LoggedKind.allCases {
      for b in LoggedKind.allCases where a != b {
        #expect(!a.logPrefix.hasPrefix(b.logPrefix), "\(a) / \(b)")
      }
      #expect(LoggedKind(logText: a.logPrefix + "x") == a)
    }
  }
}
