import PumpCore

extension TraceChecker {
  /// A claim's truth over time: its value before any observation (nil: unknown, a sampled
  /// value before its first sample) and its changes, time-ordered.
  struct Truth {
    var initial: Bool?
    var changes: [(Milliseconds, Bool)]

    /// The truth after everything at or before `t`.
    func at(_ t: Milliseconds) -> Bool? {
      var v = initial
      for (tm, b) in changes {
        if tm > t { break }
        v = b
      }
      return v
    }
  }

  static func truth(_ c: StateClaim, _ tl: Timeline) -> Truth {
    switch c {
    case .mode(let p):
      return Truth(initial: false, changes: tl.modes.map { ($0.0, p.matches($0.1)) })
    case .motorStopped:
      return Truth(initial: true, changes: tl.motor.map { ($0.0, $0.1.rawValue == 0) })
    case .motorRunning:
      return Truth(initial: false, changes: tl.motor.map { ($0.0, $0.1.rawValue > 0) })
    case .alarm(let a):
      return Truth(initial: false, changes: (tl.alarmChanges[a] ?? []).map { ($0.0, $0.1) })
    case .alarmAcknowledged(let a): return Truth(initial: false, changes: tl.acks[a] ?? [])
    case .alarmAnnunciated(let a):
      return Truth(initial: nil, changes: tl.values.map { ($0.0, $0.1.annunciated == a) })
    case .value(let n, let cmp, let limit):
      if n.isPatient {
        return Truth(
          initial: nil,
          changes: tl.patients.map { ($0.0, n.read($0.1).map { cmp.holds($0, limit) } ?? false) })
      }
      return Truth(
        initial: nil,
        changes: tl.values.map { ($0.0, n.read($0.1).map { cmp.holds($0, limit) } ?? false) })
    }
  }

  /// The claim as the trace states it (`mode infusing`, `value reservoir ≥ 10000 µL`).
  static func describe(_ c: StateClaim) -> String {
    switch c {
    case .mode(let p): "mode \(TraceNames.name(p))"
    case .motorStopped: "motor stopped"
    case .motorRunning: "motor running"
    case .alarm(let a): "alarm \(TraceNames.name(a)) active"
    case .alarmAcknowledged(let a): "alarm \(TraceNames.name(a)) acknowledged"
    case .alarmAnnunciated(let a): "alarm \(TraceNames.name(a)) annunciated"
    case .value(let n, let cmp, let limit):
      "value \(n.rawValue) \(cmp.describe(n.format(limit), tolerance: { n.format($0.rawValue) }))"
    }
  }

  /// What was seen at `t` for the claim's subject (`mode paused(alarm)`, `12000 µL`).
  static func actual(_ c: StateClaim, at t: Milliseconds, _ tl: Timeline) -> String {
    switch c {
    case .mode: return tl.mode(at: t).map { "mode \(TraceNames.name($0.0))" } ?? "no mode observed"
    case .motorStopped, .motorRunning: return "motor \(tl.rate(at: t).rawValue) µL/h"
    case .alarm(let a):
      return tl.alarmActive(a, at: t) == nil
        ? "\(TraceNames.name(a)) not active" : "\(TraceNames.name(a)) active"
    case .alarmAcknowledged(let a):
      if tl.alarmActive(a, at: t) == nil { return "\(TraceNames.name(a)) not active" }
      return truth(c, tl).at(t) == true
        ? "acknowledged" : "\(TraceNames.name(a)) active, not acknowledged"
    case .alarmAnnunciated:
      guard let v = tl.values.last(where: { $0.0 <= t })?.1 else { return "no sample" }
      return v.annunciated.map { "annunciated \(TraceNames.name($0))" } ?? "no alarm annunciated"
    case .value(let n, _, _):
      if n.isPatient {
        guard let p = tl.patients.last(where: { $0.0 <= t })?.1 else { return "no patient sample" }
        return n.read(p).map(n.format) ?? "not sampled"
      }
      guard let v = tl.values.last(where: { $0.0 <= t })?.1 else { return "no sample" }
      return n.read(v).map(n.format) ?? "not reported"
    }
  }

  /// Nil when the claim holds over the span, else "expected …, actual: …".
  static func stateFailure(
    _ c: StateClaim, _ span: ClaimSpan, at t: Milliseconds, _ tl: Timeline, end: Milliseconds
  ) -> String? {
    if case .value(let n, _, _) = c, n.isPatient, tl.patients.isEmpty {
      return "expected \(describe(c)), actual: no patient samples (the trace names no patient)"
    }
    let truth = truth(c, tl)
    let want = describe(c)
    let f = TraceTime.format
    switch span {
    case .at(let at):
      if truth.at(at) == true { return nil }
      return "expected \(want) at \(f(at)), actual: \(actual(c, at: at, tl))"
    case .within(let w):
      if truth.at(t) == true { return nil }
      if truth.changes.contains(where: { $0.0 > t && $0.0 <= t + w && $0.1 }) { return nil }
      return
        "expected \(want) \(window(t, w)), actual: \(actual(c, at: t, tl)) at \(f(t)), \(actual(c, at: t + w, tl)) at \(f(t + w))"
    case .throughout(let from, let to):
      let b = max(to ?? end, from)
      let span = "throughout [\(f(from)), \(f(b))]"
      guard truth.at(from) == true else {
        return "expected \(want) \(span), actual: \(actual(c, at: from, tl)) at \(f(from))"
      }
      if let bad = truth.changes.first(where: { $0.0 > from && $0.0 <= b && !$0.1 }) {
        return "expected \(want) \(span), actual: \(actual(c, at: bad.0, tl)) at \(f(bad.0))"
      }
      return nil
    case .never(let from, let to):
      let b = max(to ?? end, from)
      let span = "never in [\(f(from)), \(f(b))]"
      if truth.at(from) == true {
        return "expected \(want) \(span), actual: \(actual(c, at: from, tl)) at \(f(from))"
      }
      if let bad = truth.changes.first(where: { $0.0 >= from && $0.0 <= b && $0.1 }) {
        return "expected \(want) \(span), actual: \(actual(c, at: bad.0, tl)) at \(f(bad.0))"
      }
      return nil
    }
  }
}
