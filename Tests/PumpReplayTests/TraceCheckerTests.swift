import PumpCore
import PumpReplay
import PumpTrace
import Testing

/// The checker reads only an observation stream: these logs are written by hand, as an online
/// driver would write them from protocol events.
@Suite struct TraceCheckerTests {
  static func log(_ items: [(Int64, ObservedEvent)]) -> ObservationLog {
    var l = ObservationLog()
    for (t, e) in items { l.append(e, at: Milliseconds(t)) }
    return l
  }

  static let stream = log([
    (0, .mode(.infusing(.basal), .command)), (0, .motor(MicrolitersPerHour(1000))),
    (0, .delivered(.zero)), (60_000, .bolusGranted(.milligrams(2))),
    (90_000, .bolusDenied(.lockout)), (100_000, .alarmRaised(.doorOpen, .high)),
    (100_000, .mode(.paused(.alarm), .alarm)), (100_000, .motor(.zero)),
    (100_000, .delivered(Micrograms(2500))),
    (120_000, .command(line: 9, rejection: .alarmConditionPresent)),
    (150_000, .alarmCleared(.doorOpen)), (3_700_000, .delivered(Micrograms(2500))),
  ])

  static let cases: [(String, String?)] = [
    ("100s expect alarm door-open priority high", nil),
    ("90s expect alarm door-open within 10s", nil),
    (
      "90s expect alarm door-open within 9s",
      "expected alarm door-open within 9s of 00:01:30.000, actual: not active (next raised at 00:01:40.000)"
    ),
    (
      "100s expect alarm door-open priority medium",
      "expected alarm door-open with priority medium, actual: priority high (raised at 00:01:40.000)"
    ),
    ("0s expect no alarm until 99s", nil),
    (
      "0s expect no alarm door-open until 100s",
      "expected no alarm door-open from 00:00:00.000 until 00:01:40.000, actual: raised at 00:01:40.000"
    ),
    (
      "120s expect no alarm until 130s",
      "expected no alarm door-open from 00:02:00.000 until 00:02:10.000, actual: active since 00:01:40.000"
    ),
    ("120s expect alarm door-open cleared within 30s", nil),
    (
      "120s expect alarm door-open cleared within 29s",
      "expected alarm door-open cleared within 29s of 00:02:00.000, actual: active from 00:01:40.000 through 00:02:29.000"
    ),
    ("50s expect mode infusing", nil),
    ("50s expect mode paused at 100s", nil),
    (
      "50s expect mode kvo",
      "expected mode kvo at 00:00:50.000, actual: infusing(basal) since 00:00:00.000"
    ),
    ("60s press\n60s expect bolus granted", nil),
    ("90s press\n90s expect bolus denied(lockout)", nil),
    (
      "90s press\n90s expect bolus granted",
      "expected bolus granted for the press at 00:01:30.000, actual: denied(lockout)"
    ),
    (
      "61s press\n61s expect bolus granted",
      "expected bolus granted for the press at 00:01:01.000, actual: no bolus decision at that instant"
    ),
    ("50s expect motor stopped within 50s", nil),
    (
      "50s expect motor stopped within 49s",
      "expected motor stopped within 49s of 00:00:50.000, actual: 1000 µL/h through 00:01:39.000"
    ),
    (
      "110s expect motor running",
      "expected motor running at 00:01:50.000, actual: 0 µL/h through 00:01:50.000"
    ),
    ("50s expect delivered ≥ 1.25 mg total", nil),
    (
      "50s expect delivered > 1.25 mg total",
      "expected delivered > 1.250 mg in total up to 00:00:50.000, actual: 1.250 mg"
    ),
    ("1h2min expect delivered ≤ 2.5 mg in window 1h", nil),
    (
      "1h2min expect delivered < 2.5 mg in window 1h",
      "expected delivered < 2.500 mg in any 1h window up to 01:02:00.000 (largest ends at 00:01:40.000), actual: 2.500 mg"
    ),
    ("1h2min expect delivered ≤ 0 mg in last 1h", nil),
    (
      "100s pause\n100s expect accepted",
      "expected the command on line 2 accepted, actual: no outcome (not sent)"
    ),
  ]

  @Test(
    "REQ-TRACE-CHECK-01: each expectation kind against a hand-written observation stream",
    arguments: cases)
  func expectation(line: String, failure: String?) throws {
    let t = try TraceParser.parse(minimalHeader + line + "\n")
    let r = TraceChecker.check(t, log: Self.stream)
    #expect(r.count == 1)
    #expect(r[0].passed == (failure == nil))
    #expect(r[0].message == (failure ?? ""))
    if failure != nil { #expect(!r[0].context.isEmpty) }
  }

  static let language2Cases: [(String, String?)] = [
    ("50s expect delivered ≈ 1.25 mg ± 0 µg total", nil),
    ("50s expect delivered ~ 1.3 mg +- 50 ug total", nil),
    (
      "50s expect delivered ≈ 1.3 mg ± 49 µg total",
      "expected delivered ≈ 1.300 mg ± 0.049 mg in total up to 00:00:50.000, actual: 1.250 mg"
    ),
    ("90s expect mode paused(alarm) within 10s", nil),
    (
      "90s expect mode paused within 9s",
      "expected mode paused within 9s of 00:01:30.000, actual: infusing(basal) since 00:00:00.000, infusing(basal) at 00:01:39.000"
    ),
  ]

  @Test(
    "REQ-TRACE-LANG-02: tolerances on amounts and windows on modes against a hand-written stream",
    arguments: language2Cases)
  func language2(line: String, failure: String?) throws {
    try expectation(line: line, failure: failure)
  }

  @Test("REQ-TRACE-LANG-01: a labelled command's outcome is judged by label, at any later time")
  func labelledCommands() throws {
    let t = try TraceParser.parse(
      minimalHeader + String(repeating: "# pad\n", count: 7)
        + "120s r: resume\n130s expect rejected(alarm-condition-present) for r\n"
        + "140s expect accepted for r\n")
    let r = TraceChecker.check(t, log: Self.stream)
    #expect(r.map(\.passed) == [true, false])
    #expect(
      r[1].message
        == "expected the command on line 9 accepted, actual: rejected(alarm-condition-present)")
  }

  @Test("REQ-TRACE-LANG-01: a labelled press's decision is judged by label, at any later time")
  func labelledPresses() throws {
    let t = try TraceParser.parse(
      minimalHeader
        + "60s a: press\n90s b: press\n95s c: press\n100s expect bolus granted for a\n"
        + "100s expect bolus denied(lockout) for b\n100s expect bolus granted for b\n"
        + "100s expect bolus denied for c\n")
    let r = TraceChecker.check(t, log: Self.stream)
    #expect(r.map(\.passed) == [true, true, false, false])
    #expect(
      r[2].message
        == "expected bolus granted for the press at 00:01:30.000, actual: denied(lockout)")
    #expect(
      r[3].message
        == "expected bolus denied for the press at 00:01:35.000, actual: no bolus decision at that instant"
    )
  }

  @Test("REQ-TRACE-LANG-03: a window anchored to a labelled line starts at that line's time")
  func anchored() throws {
    let t = try TraceParser.parse(
      minimalHeader
        + "95s d: inject door open\n200s expect alarm door-open priority high within 5s of d\n"
        + "200s expect alarm door-open within 4s of d\n200s expect motor stopped within 5s of d\n"
        + "200s expect mode paused(alarm) within 5s of d\n")
    let r = TraceChecker.check(t, log: Self.stream)
    #expect(r.map(\.passed) == [true, false, true, true])
    #expect(
      r[1].message
        == "expected alarm door-open within 4s of 00:01:35.000, actual: not active (next raised at 00:01:40.000)"
    )
  }

  @Test("REQ-TRACE-CHECK-01: command outcomes are matched to the line before the expectation")
  func commands() throws {
    let t = try TraceParser.parse(
      minimalHeader + String(repeating: "# pad\n", count: 7)
        + "120s resume\n120s expect rejected(alarm-condition-present)\n120s expect accepted\n")
    let r = TraceChecker.check(t, log: Self.stream)
    #expect(r.map(\.passed) == [true, false])
    #expect(
      r[1].message
        == "expected the command on line 9 accepted, actual: rejected(alarm-condition-present)")
    #expect(
      r[1].context.contains("00:02:00.000  command on line 9 rejected(alarm-condition-present)"))
  }
}
