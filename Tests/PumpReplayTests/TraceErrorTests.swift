import KetaPumpTestSupport
import PumpCore
import PumpReplay
import PumpTrace
import Testing

/// Every malformed line kind, with its exact message: file:line:column, what was expected, what
/// was found. Body lines are on line 2 (after `profile:`).
@Suite struct TraceErrorTests {
  static let body: [(String, String)] = [
    ("12x press", "bad.trace:2:1: expected a time (12.5s, 3min, 01:02:03.250, +5s), found '12x'"),
    (
      "1.0001s press",
      "bad.trace:2:1: expected a time (12.5s, 3min, 01:02:03.250, +5s), found '1.0001s'"
    ),
    (
      "01:61:00 press",
      "bad.trace:2:1: expected a time (12.5s, 3min, 01:02:03.250, +5s), found '01:61:00'"
    ),
    (
      "5s",
      "bad.trace:2:3: expected an action (vitals, press, program, confirm, start, pause, resume, stop, rate, clinician-bolus, ack, silence, reset, inject, power, link, clock, raw, disconnect, expect), found the end of the line"
    ),
    (
      "5s dance",
      "bad.trace:2:4: expected an action (vitals, press, program, confirm, start, pause, resume, stop, rate, clinician-bolus, ack, silence, reset, inject, power, link, clock, raw, disconnect, expect), found 'dance'"
    ),
    ("5s press twice", "bad.trace:2:10: expected the end of the line, found 'twice'"),
    (
      "5s vitals BPM=80",
      "bad.trace:2:11: expected a vital name (SBP, DBP, HR, SpO2, RR), found 'BPM'"
    ),
    ("5s vitals SBP=high", "bad.trace:2:15: expected a whole number 0…999 for SBP, found 'high'"),
    ("5s vitals SBP=1000", "bad.trace:2:15: expected a whole number 0…999 for SBP, found '1000'"),
    ("5s vitals SBP", "bad.trace:2:11: expected a vital as NAME=value (SBP=125), found 'SBP'"),
    ("5s vitals SBP=120 sbp=121", "bad.trace:2:19: SBP given twice on one line"),
    (
      "5s vitals",
      "bad.trace:2:10: expected vitals (SBP=…, DBP=…, HR=…, SpO2=…, RR=…), 'every' or 'csv', found the end of the line"
    ),
    (
      "5s vitals HR=-",
      "bad.trace:2:11: expected at least one vital value ('-' marks a missing vital only in 'vitals every' lines)"
    ),
    ("0s vitals every 0s until 1h SBP=1", "bad.trace:2:17: expected a period above 0, found '0s'"),
    ("0s vitals every 1s SBP=1", "bad.trace:2:20: expected 'until', found 'SBP=1'"),
    (
      "9s vitals every 1s until 5s SBP=1",
      "bad.trace:2:26: expected an end time after the line's 00:00:09.000, found '5s'"
    ),
    (
      "0s vitals every 1s until 1h",
      "bad.trace:2:28: expected at least one vital (SBP=…, DBP=…, HR=…, SpO2=…, RR=…), found the end of the line"
    ),
    (
      "0s vitals every 1s until 1h SBP=1 jitter 500",
      "bad.trace:2:42: expected a jitter amplitude 0…100, found '500'"
    ),
    (
      "0s vitals csv nowhere.csv",
      "bad.trace:2:15: expected a readable CSV file, cannot read 'nowhere.csv'"
    ),
    ("5s rate fast", "bad.trace:2:9: expected a mass rate (µg/h, mg/h), found 'fast'"),
    ("5s rate 5 mL/h", "bad.trace:2:9: expected a mass rate (µg/h, mg/h), found '5 mL/h'"),
    (
      "5s clinician-bolus", "bad.trace:2:19: expected a mass (µg, mg, g), found the end of the line"
    ),
    (
      "5s inject laser on",
      "bad.trace:2:11: expected a hardware injection (occlusion, pressure, air, door, mains, battery, motor, sensor-failure, reservoir, fault), found 'laser'"
    ),
    (
      "5s inject occlusion sideways on",
      "bad.trace:2:21: expected 'downstream' or 'upstream', found 'sideways'"
    ),
    ("5s inject mains maybe", "bad.trace:2:17: expected 'on' or 'off', found 'maybe'"),
    ("5s inject door ajar", "bad.trace:2:16: expected 'open' or 'closed', found 'ajar'"),
    ("5s inject motor spin on", "bad.trace:2:17: expected 'stall' or 'runaway', found 'spin'"),
    (
      "5s inject fault gremlin",
      "bad.trace:2:17: expected a fault (self-test, watchdog, software, sensor, journal, motor), found 'gremlin'"
    ),
    ("5s inject air lots", "bad.trace:2:15: expected a volume (µL, mL, L), found 'lots'"),
    ("5s power flicker", "bad.trace:2:10: expected 'lost' or 'restored', found 'flicker'"),
    (
      "5s power restored self-test maybe",
      "bad.trace:2:29: expected 'pass' or 'fail', found 'maybe'"
    ),
    ("5s link sideways", "bad.trace:2:9: expected 'down' or 'up', found 'sideways'"),
    ("5s clock back 1h", "bad.trace:2:10: expected 'advance', found 'back'"),
    (
      "5s clock advance soon",
      "bad.trace:2:18: expected a duration (250ms, 12.5s, 3min, 2h, 1d), found 'soon'"
    ),
    (
      "5s expect rain",
      "bad.trace:2:11: expected an expectation (alarm, no, mode, bolus, delivered, motor, accepted, rejected, audio-pause, value, logged), found 'rain'"
    ),
    (
      "5s expect alarm fire",
      "bad.trace:2:17: expected an alarm name (vitals-warning, vitals-interlock, vitals-stale, occlusion-downstream, occlusion-upstream, air-in-line, door-open, reservoir-low, reservoir-empty, battery-low, battery-depleted, over-infusion, under-infusion, dose-limit, paused-too-long, infusion-complete, host-link-lost, link-security, self-test-failure, watchdog, software-fault, sensor-failure), found 'fire'"
    ),
    (
      "5s expect alarm door-open priority urgent",
      "bad.trace:2:36: expected a priority (high, medium, low, info), found 'urgent'"
    ),
    (
      "5s expect alarm door-open soon",
      "bad.trace:2:27: expected 'within <duration>' or the end of the line, found 'soon'"
    ),
    (
      "5s expect alarm door-open within",
      "bad.trace:2:33: expected a duration (250ms, 12.5s, 3min, 2h, 1d), found the end of the line"
    ),
    ("5s expect no alarm door-open", "bad.trace:2:29: expected 'until', found the end of the line"),
    (
      "5s expect no alarm door-open until 1s",
      "bad.trace:2:36: expected a time at or after the line's 00:00:05.000, found '1s'"
    ),
    (
      "5s expect mode sleeping",
      "bad.trace:2:16: expected a mode (self-test, idle, programmed, infusing[(phase)], paused[(reason)], kvo, complete, interlock-stopped, fault[(code)]), found 'sleeping'"
    ),
    (
      "5s expect mode paused(tired)",
      "bad.trace:2:23: expected a pause reason (clinician, alarm, power-cycle, interlock-reset), found 'tired'"
    ),
    (
      "5s expect mode paused(alarm",
      "bad.trace:2:16: expected 'word(reason)' with a closing ')', found 'paused(alarm'"
    ),
    (
      "5s expect bolus maybe",
      "bad.trace:2:17: expected 'granted' or 'denied(reason)', found 'maybe'"
    ),
    (
      "5s expect bolus denied(bored)",
      "bad.trace:2:24: expected a denial reason (not-infusing, lockout, max-per-hour, vitals-warning, limit-1h, limit-4h, bolus-in-progress, no-bolus-programmed, reservoir), found 'bored'"
    ),
    (
      "5s expect delivered about 5 mg total",
      "bad.trace:2:21: expected a comparison (≤, <, ≥, >, ≈), found 'about'"
    ),
    (
      "5s expect delivered ≤ 5 mL total",
      "bad.trace:2:23: expected a mass (µg, mg, g), found '5 mL'"
    ),
    (
      "5s expect delivered ≤ 5 mg in hour",
      "bad.trace:2:31: expected 'window' or 'last', found 'hour'"
    ),
    (
      "5s expect delivered ≤ 5 mg in window 0s",
      "bad.trace:2:38: expected a window length above 0, found '0s'"
    ),
    (
      "5s expect delivered ≤ 5 mg",
      "bad.trace:2:27: expected 'in window', 'in last' or 'total', found the end of the line"
    ),
    (
      "5s expect motor spinning",
      "bad.trace:2:17: expected 'stopped' or 'running', found 'spinning'"
    ),
    (
      "5s expect rejected(grumpy)",
      "bad.trace:2:20: expected a rejection reason (not-allowed-in-mode, hard-limit, no-pending-confirmation, soft-limit-unconfirmed, invalid-value, alarm-condition-present, interlock-condition-present, not-silenceable, nothing-to-acknowledge, rate-increase-too-soon, dose-limit, vitals-stale, faulted, unknown-drug-entry, care-area-mismatch, bolus-in-progress, nothing-to-reset), found 'grumpy'"
    ),
    ("5s expect audio-pause quiet", "bad.trace:2:23: expected 'broken', found 'quiet'"),
  ]

  /// Issue 14's constructs (labels, tolerances, windows on modes).
  static let language2Cases: [(String, String)] = [
    (
      "5s expect delivered ≈ 5 mg total",
      "bad.trace:2:28: expected '± <tolerance>' (ASCII '+- <tolerance>'), found 'total'"
    ),
    (
      "5s expect delivered ≈ 5 mg",
      "bad.trace:2:27: expected '± <tolerance>' (ASCII '+- <tolerance>'), found the end of the line"
    ),
    (
      "5s expect delivered ~ 5 mg +- 2 mL total",
      "bad.trace:2:31: expected a mass (µg, mg, g), found '2 mL'"
    ),
    (
      "5s expect mode idle soon",
      "bad.trace:2:21: expected 'at <time>', 'within <duration>', 'throughout …', 'never …' or the end of the line, found 'soon'"
    ),
    (
      "5s expect mode idle within soon",
      "bad.trace:2:28: expected a duration (250ms, 12.5s, 3min, 2h, 1d), found 'soon'"
    ),
    (
      "5s expect accepted for nobody",
      "bad.trace:2:24: expected a label of an earlier line (a clinician command, 'inject fault' or 'link' line; none defined yet), found 'nobody'"
    ),
    (
      "5s expect accepted for later\n6s later: pause",
      "bad.trace:2:24: expected a label of an earlier line (a clinician command, 'inject fault' or 'link' line; none defined yet), found 'later'"
    ),
    (
      "5s p1: press\n6s expect accepted for p1",
      "bad.trace:3:24: expected a label of a clinician command, 'inject fault' or 'link' line, found 'p1' (line 2)"
    ),
    ("5s p1: press\n6s p1: press", "bad.trace:3:4: label 'p1' already names line 2"),
    (
      "5s p.1: press",
      "bad.trace:2:4: expected a label (a letter, then letters, digits, '-' or '_') before ':', found 'p.1:'"
    ),
    (
      "5s p1: expect accepted",
      "bad.trace:2:4: expected a label on an action line, not on 'expect'"
    ),
    (
      "5s expect bolus granted for",
      "bad.trace:2:28: expected a label of an earlier line (a 'press' line), found the end of the line"
    ),
    (
      "5s go: pause\n6s expect bolus granted for go",
      "bad.trace:3:29: expected a label of a 'press' line, found 'go' (line 2)"
    ),
    (
      "5s expect alarm door-open within 1s of nowhere",
      "bad.trace:2:40: expected a label of an earlier line (any action line; none defined yet), found 'nowhere'"
    ),
    (
      "5s p: press\n6s expect mode idle of p",
      "bad.trace:3:21: expected the end of the line ('of …' anchors only alarm, alarm … cleared, motor, mode … within, value … within, logged and audio-pause expectations), found 'of'"
    ),
    (
      "5s p: press\n6s expect alarm door-open of",
      "bad.trace:3:29: expected a label of an earlier line (any action line), found the end of the line"
    ),
    (
      "5s program basal",
      "bad.trace:2:12: expected a prescription field as key=value (drug-entry, care-area, weight, concentration, basal, loading, bolus, bolus-rate, lockout, max-boluses-per-hour, limit-1h, limit-4h, vtbi, kvo, rate-increase-interval), found 'basal'"
    ),
    (
      "5s program colour=red",
      "bad.trace:2:12: expected a prescription field (drug-entry, care-area, weight, concentration, basal, loading, bolus, bolus-rate, lockout, max-boluses-per-hour, limit-1h, limit-4h, vtbi, kvo, rate-increase-interval), found 'colour'"
    ),
    (
      "5s program basal=5mL/h",
      "bad.trace:2:18: expected a mass rate (µg/h, mg/h) or a dose rate per kg (µg/kg/h, mg/kg/h) for 'basal', found '5mL/h'"
    ),
    (
      "5s program bolus=1mg lockout=soon",
      "bad.trace:2:30: expected a duration (250ms, 12.5s, 3min, 2h, 1d) for 'lockout', found 'soon'"
    ),
    ("5s program bolus=1mg bolus=2mg", "bad.trace:2:22: 'bolus' given twice"),
    (
      "5s program weight=heavy",
      "bad.trace:2:19: expected a weight (g, kg) for 'weight', found 'heavy'"
    ),
  ]

  @Test(
    "REQ-TRACE-LANG-01, REQ-TRACE-LANG-02, REQ-TRACE-LANG-03, REQ-TRACE-LANG-04: malformed labels, tolerances, windows and anchors name file:line:column",
    arguments: language2Cases)
  func language2Line(line: String, message: String) {
    #expect(parseError(minimalHeader + line + "\n") == message)
  }

  @Test("REQ-TRACE-PARSE-01: every malformed body line kind has its exact message", arguments: body)
  func bodyLine(line: String, message: String) {
    #expect(parseError(minimalHeader + line + "\n") == message)
  }

  static let header: [(String, String)] = [
    (
      "colour: red",
      "bad.trace:2:1: expected a header field (name, description, profile, drug-entry, care-area, weight, concentration, basal, loading, bolus, bolus-rate, lockout, max-boluses-per-hour, limit-1h, limit-4h, vtbi, kvo, rate-increase-interval, seed, requirements, expect-verdict, start, end, vitals-stale-after, patient, patient-seed, patient-monitor), found 'colour'"
    ),
    ("profile: other", "bad.trace:2:1: header field 'profile' given twice"),
    ("seed:", "bad.trace:2:6: expected a value for 'seed', found the end of the line"),
    ("seed: -1", "bad.trace:2:7: expected a seed 0…18446744073709551615, found '-1'"),
    ("weight: heavy", "bad.trace:2:9: expected a weight (g, kg), found 'heavy'"),
    (
      "bolus: 2 mL",
      "bad.trace:2:8: expected a mass (µg, mg, g) or a dose per kg (µg/kg, mg/kg), found '2 mL'"
    ),
    (
      "basal: 5 mL/h",
      "bad.trace:2:8: expected a mass rate (µg/h, mg/h) or a dose rate per kg (µg/kg/h, mg/kg/h), found '5 mL/h'"
    ),
    (
      "concentration: 5 mg", "bad.trace:2:16: expected a concentration (µg/mL, mg/mL), found '5 mg'"
    ),
    (
      "lockout: soon",
      "bad.trace:2:10: expected a duration (250ms, 12.5s, 3min, 2h, 1d), found 'soon'"
    ),
    ("drug-entry: one", "bad.trace:2:13: expected a drug-library entry id 0…65535, found 'one'"),
    (
      "care-area: icu",
      "bad.trace:2:12: expected a care area (acute-post-op, chronic-pain, paediatric), found 'icu'"
    ),
    ("max-boluses-per-hour: lots", "bad.trace:2:23: expected a whole number 0…1000, found 'lots'"),
    (
      "requirements: REQ-1, SAFETY",
      "bad.trace:2:15: expected a requirement ID like REQ-VITALS-BANDS-01, found 'REQ-1'"
    ),
    ("expect-verdict: maybe", "bad.trace:2:17: expected 'pass' or 'fail', found 'maybe'"),
    (
      "start: running",
      "bad.trace:2:8: expected a start state (self-test, idle, programmed, infusing), found 'running'"
    ),
    ("vitals-stale-after: 0s", "bad.trace:2:21: expected a duration above 0, found '0s'"),
    (
      "hello world",
      "bad.trace:2:1: expected a header field 'key: value' or a time (12.5s, 3min, 01:02:03.250, +5s), found 'hello'"
    ),
  ]

  @Test(
    "REQ-TRACE-PARSE-01: every malformed header line kind has its exact message", arguments: header)
  func headerLine(line: String, message: String) {
    #expect(parseError(minimalHeader + line + "\n") == message)
  }

  @Test("REQ-TRACE-PARSE-01: order, missing profile, header after the timeline, CSV errors")
  func structure() {
    #expect(
      parseError(minimalHeader + "10s press\n5s press\n")
        == "bad.trace:3:1: expected a time at or after the previous line's 00:00:10.000, found '5s'"
    )
    #expect(
      parseError("seed: 1\n\n1s press\n")
        == "bad.trace:3:1: expected a 'profile:' header field naming the hardware profile")
    #expect(
      parseError(minimalHeader + "1s press\nseed: 2\n")
        == "bad.trace:3:1: expected a time (12.5s, 3min, 01:02:03.250, +5s): header fields go before the first timed line, found 'seed:'"
    )
    let csv: (String) -> String? = { body in
      do {
        _ = try TraceParser.parse(minimalHeader + "0s vitals csv m.csv\n", file: "bad.trace") { _ in
          Array(body.utf8)
        }
        return nil
      } catch let e as TraceError { return e.description } catch { return "\(error)" }
    }
    #expect(
      csv("a,b\n1,2\n")
        == "m.csv:1:1: expected a header row with a time column (time, t, timestamp, elapsed)")
    #expect(
      csv("time,x\n1,2\n")
        == "m.csv:1:1: expected a header row with at least one vital column (SBP, DBP, HR, SpO2, RR)"
    )
    #expect(
      csv("time,HR\nsoon,80\n")
        == "m.csv:2:1: expected a time in seconds (12.5) or a trace time (12.5s, 00:01:00), found 'soon'"
    )
    #expect(
      csv("time,HR\n1,80\n1,81\n")
        == "m.csv:3:1: expected times in ascending order, found '1' after 00:00:01.000")
    #expect(csv("time,HR\n1,fast\n") == "m.csv:2:3: expected a number 0…999 for HR, found 'fast'")
    #expect(
      csv("time,HR\n") == "bad.trace:2:15: expected at least one sample row in 'm.csv', found none")
  }

  @Test("REQ-TRACE-BIND-01: unknown profile and drug entry are named at the header value")
  func binding() throws {
    let unknown = try TraceParser.parse("# x\nprofile: pump-9000\n1s press\n", file: "u.trace")
    #expect(
      throws: TraceError(
        file: "u.trace", line: 2, column: 10,
        message:
          "expected a hardware profile (ambulatory-cassette-100ml, large-volume-1000ml, syringe-pca-60ml), found 'pump-9000'"
      )
    ) {
      try TraceSetup.bind(unknown, to: shippedConfiguration)
    }
    let entry = try TraceParser.parse(minimalHeader + "drug-entry: 77\n", file: "e.trace")
    #expect(
      throws: TraceError(
        file: "e.trace", line: 2, column: 13,
        message: "expected a drug-library entry id (1, 2, 3, 10, 20), found '77'")
    ) {
      try TraceSetup.bind(entry, to: shippedConfiguration)
    }
  }

  @Test("REQ-TRACE-PARSE-01: expectations naming unknown alarms are rejected at parse time")
  func unknownAlarm() {
    #expect(
      parseError(minimalHeader + "5s expect no alarm occlusion-sideways until 1h\n")?.hasPrefix(
        "bad.trace:2:20: expected an alarm name (vitals-warning,") == true)
    #expect(
      parseError(minimalHeader + "5s expect audio-pause broken by thunder\n")?.hasSuffix(
        "found 'thunder'") == true)
  }
}
