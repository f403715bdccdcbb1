import PumpCore

/// The verdict on one expectation.
public struct ExpectationResult: Hashable, Sendable {
  /// Trace line and time of the expectation.
  public var line: Int
  public var time: Milliseconds
  /// The expectation as written (`expect alarm door-open within 1s`).
  public var text: String
  public var passed: Bool
  /// "expected …, actual: …" (empty when passed).
  public var message: String
  /// Observation log lines around the time, for failures.
  public var context: [String]
}

/// Checks a trace's expectations against an observation stream, after the run. Knows nothing
/// about how the observations were made (offline or online).
public enum TraceChecker {
  /// Checks every expectation of `trace` against `log`.
  ///
  /// - Parameter controlTick: the profile's control period (`within 1 tick of …` windows).
  public static func check(
    _ trace: Trace, log: ObservationLog, controlTick: Milliseconds = Milliseconds(10)
  ) -> [ExpectationResult] {
    var tl = Timeline(log)
    let end = trace.end
    // The largest-window amounts, all found in one sweep per window length.
    var windows: [(length: Int64, upTo: Int64)] = []
    for x in trace.expectations {
      var e = x.expectation
      var t = x.time
      if case .anchored(let inner, let at, _) = e { (e, t) = (inner, at) }
      if case .delivered(_, _, .window(let w)) = e { windows.append((w.rawValue, t.rawValue)) }
    }
    if windows.count > 1 { tl.precomputeWindows(windows) }
    return trace.expectations.map { x in
      let msg = failure(
        x.expectation, at: x.time, line: x.line, tl, end: end, tick: controlTick)
      return ExpectationResult(
        line: x.line, time: x.time, text: x.text, passed: msg == nil, message: msg ?? "",
        context: msg == nil
          ? [] : context(tl, from: x.time, to: x.expectation.horizon(from: x.time)))
    }
  }

  static func mg(_ ug: Int64) -> String {
    let sign = ug < 0 ? "-" : ""
    let a = abs(ug)
    let f = a % 1000
    return "\(sign)\(a / 1000).\(f < 10 ? "00" : f < 100 ? "0" : "")\(f) mg"
  }

  static func window(_ t: Milliseconds, _ w: Milliseconds) -> String {
    w == .zero
      ? "at \(TraceTime.format(t))"
      : "within \(TraceTime.formatDuration(w)) of \(TraceTime.format(t))"
  }

  /// Nil when the expectation holds, else "expected …, actual: …".
  static func failure(
    _ x: Expectation, at t: Milliseconds, line: Int, _ tl: Timeline,
    end: Milliseconds = .zero, tick: Milliseconds = Milliseconds(10)
  ) -> String? {
    switch x {
    case .observed(let inner, let anchor, let ticks):
      // An anchor is never a delivered sample: the first match is among the other records.
      guard let a = tl.others.first(where: { $0.time >= t && anchor.matches($0.event) }) else {
        return
          "expected \(anchor.text) at or after \(TraceTime.format(t)) to start the window, actual: no \(anchor.text) observed by the end of the run (\(TraceTime.format(max(end, t))))"
      }
      let x = ticks.map { inner.withWindow(Milliseconds(Int64($0) * tick.rawValue)) } ?? inner
      return failure(x, at: a.time, line: line, tl, end: end, tick: tick).map {
        "\($0) (window from \(anchor.text) at \(TraceTime.format(a.time)))"
      }
    case .state(let claim, let span):
      return stateFailure(claim, span, at: t, tl, end: end)
    case .logged(let kind, let w):
      if tl.logged.contains(where: { $0.0 >= t && $0.0 <= t + w && $0.1 == kind }) { return nil }
      let next = tl.logged.first(where: { $0.0 >= t && $0.1 == kind }).map {
        "next at \(TraceTime.format($0.0))"
      }
      let last = tl.logged.last(where: { $0.0 < t && $0.1 == kind }).map {
        "last at \(TraceTime.format($0.0))"
      }
      let note = [last, next].compactMap { $0 }.joined(separator: ", ")
      return
        "expected logged \(kind.rawValue) \(window(t, w)), actual: none\(note.isEmpty ? " in the log" : " (\(note))")"
    case .forbiddenOf(let target):
      if tl.forbidden.contains(target) { return nil }
      let got =
        tl.commands.first(where: { $0.1 == target }).map {
          $0.2.map { "rejected(\(TraceNames.name($0)))" } ?? "accepted"
        } ?? "no outcome"
      return "expected the command on line \(target) rejected(role-forbidden), actual: \(got)"
    case .alarm(let code, let priority, let w):
      let name = TraceNames.name(code)
      let changes = tl.alarmChanges[code] ?? []
      var raise: (Milliseconds, AlarmPriority?)? = nil
      if let since = tl.alarmActive(code, at: t) {
        raise = (since, changes.last(where: { $0.0 <= t && $0.1 })?.2)
      } else if let r = changes.first(where: { $0.1 && $0.0 >= t && $0.0 <= t + w }) {
        raise = (r.0, r.2)
      }
      guard let (at, p) = raise else {
        let last = changes.last(where: { $0.1 && $0.0 < t }).map {
          "last raised at \(TraceTime.format($0.0))"
        }
        let next = changes.first(where: { $0.1 && $0.0 > t + w }).map {
          "next raised at \(TraceTime.format($0.0))"
        }
        let note = [last, next].compactMap { $0 }.joined(separator: ", ")
        return
          "expected alarm \(name) \(window(t, w)), actual: not active\(note.isEmpty ? " (never raised)" : " (\(note))")"
      }
      if let want = priority, let got = p, want != got {
        return
          "expected alarm \(name) with priority \(TraceNames.name(want)), actual: priority \(TraceNames.name(got)) (raised at \(TraceTime.format(at)))"
      }
      return nil
    case .noAlarm(let code, let until):
      let codes = code.map { [$0] } ?? AlarmCode.allCases
      for c in codes {
        if let since = tl.alarmActive(c, at: t) {
          return
            "expected no alarm \(TraceNames.name(c)) from \(TraceTime.format(t)) until \(TraceTime.format(until)), actual: active since \(TraceTime.format(since))"
        }
        if let r = (tl.alarmChanges[c] ?? []).first(where: { $0.1 && $0.0 >= t && $0.0 <= until }) {
          return
            "expected no alarm \(TraceNames.name(c)) from \(TraceTime.format(t)) until \(TraceTime.format(until)), actual: raised at \(TraceTime.format(r.0))"
        }
      }
      return nil
    case .alarmCleared(let code, let w):
      if tl.alarmActive(code, at: t) == nil { return nil }
      if (tl.alarmChanges[code] ?? []).contains(where: { !$0.1 && $0.0 > t && $0.0 <= t + w }) {
        return nil
      }
      return
        "expected alarm \(TraceNames.name(code)) cleared \(window(t, w)), actual: active from \(TraceTime.format(tl.alarmActive(code, at: t) ?? t)) through \(TraceTime.format(t + w))"
    case .mode(let pattern, let at):
      guard let (m, since) = tl.mode(at: at) else {
        return
          "expected mode \(TraceNames.name(pattern)) at \(TraceTime.format(at)), actual: no mode observed"
      }
      if pattern.matches(m) { return nil }
      return
        "expected mode \(TraceNames.name(pattern)) at \(TraceTime.format(at)), actual: \(TraceNames.name(m)) since \(TraceTime.format(since))"
    case .bolus(let granted, let denial, let w):
      let want = granted ? "granted" : "denied" + (denial.map { "(\(TraceNames.name($0)))" } ?? "")
      guard let d = tl.boluses.first(where: { $0.0 >= t && $0.0 <= t + w }) else {
        return "expected bolus \(want) \(window(t, w)), actual: no bolus decision"
      }
      let got = d.1.map { "denied(\(TraceNames.name($0)))" } ?? "granted"
      let ok = granted ? d.1 == nil : (d.1 != nil && (denial == nil || denial == d.1))
      return ok
        ? nil : "expected bolus \(want) \(window(t, w)), actual: \(got) at \(TraceTime.format(d.0))"
    case .delivered(let cmp, let limit, let scope):
      // The amount first; the words for a failure only when it fails.
      let actual: Int64
      var windowEnd: Int64 = 0
      switch scope {
      case .total:
        actual = tl.delivered(at: t.rawValue)
      case .last(let w):
        actual = tl.delivered(at: t.rawValue) - tl.delivered(at: (t - w).rawValue)
      case .window(let w):
        (actual, windowEnd) = tl.maxWindow(w.rawValue, upTo: t.rawValue)
      }
      if cmp.holds(actual, limit.rawValue) { return nil }
      let what: String
      switch scope {
      case .total:
        what = "in total up to \(TraceTime.format(t))"
      case .last(let w):
        what = "in the last \(TraceTime.formatDuration(w)) before \(TraceTime.format(t))"
      case .window(let w):
        what =
          "in any \(TraceTime.formatDuration(w)) window up to \(TraceTime.format(t)) (largest ends at \(TraceTime.format(Milliseconds(windowEnd))))"
      }
      return
        "expected delivered \(cmp.describe(mg(limit.rawValue), tolerance: { mg($0.rawValue) })) \(what), actual: \(mg(actual))"
    case .motorStopped(let w), .motorRunning(let w):
      let stopped: Bool
      if case .motorStopped = x { stopped = true } else { stopped = false }
      let matches = { (r: MicrolitersPerHour) in stopped ? r.rawValue == 0 : r.rawValue > 0 }
      if matches(tl.rate(at: t)) { return nil }
      if tl.motor.contains(where: { $0.0 > t && $0.0 <= t + w && matches($0.1) }) { return nil }
      return
        "expected motor \(stopped ? "stopped" : "running") \(window(t, w)), actual: \(tl.rate(at: t).rawValue) µL/h through \(TraceTime.format(t + w))"
    case .command(let accepted, let rejection):
      let want =
        accepted ? "accepted" : "rejected" + (rejection.map { "(\(TraceNames.name($0)))" } ?? "")
      guard let c = tl.commands.last(where: { $0.0 == t && $0.1 < line }) else {
        return
          "expected the command on an earlier line at \(TraceTime.format(t)) \(want), actual: no command at that time"
      }
      let got = c.2.map { "rejected(\(TraceNames.name($0)))" } ?? "accepted"
      let ok = accepted ? c.2 == nil : (c.2 != nil && (rejection == nil || rejection == c.2))
      return ok ? nil : "expected the command on line \(c.1) \(want), actual: \(got)"
    case .modeWithin(let pattern, let w):
      guard let (m, since) = tl.mode(at: t) else {
        return
          "expected mode \(TraceNames.name(pattern)) \(window(t, w)), actual: no mode observed"
      }
      if pattern.matches(m) { return nil }
      if tl.modes.contains(where: { $0.0 > t && $0.0 <= t + w && pattern.matches($0.1) }) {
        return nil
      }
      let last = tl.mode(at: t + w).map { TraceNames.name($0.0) } ?? TraceNames.name(m)
      return
        "expected mode \(TraceNames.name(pattern)) \(window(t, w)), actual: \(TraceNames.name(m)) since \(TraceTime.format(since)), \(last) at \(TraceTime.format(t + w))"
    case .commandOf(let target, let accepted, let rejection):
      let want =
        accepted ? "accepted" : "rejected" + (rejection.map { "(\(TraceNames.name($0)))" } ?? "")
      guard let c = tl.commands.first(where: { $0.1 == target }) else {
        if tl.forbidden.contains(target) {
          return "expected the command on line \(target) \(want), actual: rejected(role-forbidden)"
        }
        return "expected the command on line \(target) \(want), actual: no outcome (not sent)"
      }
      let got = c.2.map { "rejected(\(TraceNames.name($0)))" } ?? "accepted"
      let ok = accepted ? c.2 == nil : (c.2 != nil && (rejection == nil || rejection == c.2))
      return ok ? nil : "expected the command on line \(target) \(want), actual: \(got)"
    case .bolusOf(let at, let ordinal, let granted, let denial):
      let want = granted ? "granted" : "denied" + (denial.map { "(\(TraceNames.name($0)))" } ?? "")
      let atPress = tl.boluses.filter { $0.0 == at }
      guard ordinal < atPress.count else {
        return
          "expected bolus \(want) for the press at \(TraceTime.format(at)), actual: no bolus decision at that instant"
      }
      let d = atPress[ordinal]
      let got = d.1.map { "denied(\(TraceNames.name($0)))" } ?? "granted"
      let ok = granted ? d.1 == nil : (d.1 != nil && (denial == nil || denial == d.1))
      return ok
        ? nil : "expected bolus \(want) for the press at \(TraceTime.format(at)), actual: \(got)"
    case .anchored(let inner, let at, _):
      return failure(inner, at: at, line: line, tl, end: end, tick: tick)
    case .audioPauseBroken(let by, let w):
      if tl.audioBreaks.contains(where: { $0.0 >= t && $0.0 <= t + w && (by == nil || by == $0.1) })
      {
        return nil
      }
      let want = by.map { " by \(TraceNames.name($0))" } ?? ""
      let got =
        tl.audioBreaks.first(where: { $0.0 >= t }).map {
          "broken by \(TraceNames.name($0.1)) at \(TraceTime.format($0.0))"
        } ?? "not broken"
      return "expected audio pause broken\(want) \(window(t, w)), actual: \(got)"
    }
  }

  /// Up to 4 log lines before `from` and 8 from `from` to `to` (delivered samples left out).
  static func context(_ tl: Timeline, from: Milliseconds, to: Milliseconds) -> [String] {
    let rs = tl.others.filter {
      if case .pumpValues = $0.event { return false }
      return true
    }
    let before = rs.filter { $0.time < from }.suffix(4)
    let during = rs.filter { $0.time >= from && $0.time <= to }.prefix(8)
    return (before + during).map(ObservationLog.describe)
  }
}
