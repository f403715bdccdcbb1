import PumpCore

extension TraceParser {
  static let expectations =
    "alarm, no, mode, bolus, delivered, motor, accepted, rejected, audio-pause, value, logged"

  /// `expect …` at line time `t`; returns the expectation and the index of the word after it.
  func expectation(at t: Milliseconds) throws(TraceError) -> (Expectation, Int) {
    let w = lexer
    let what = try token(2, expected: "an expectation (\(Self.expectations))")
    if w.is(what, "alarm") {
      let n = try token(3, expected: "an alarm name (\(TraceNames.list(TraceNames.alarms)))")
      let code = try name(n, TraceNames.alarms, what: "an alarm name")
      var i = 4
      var priority: AlarmPriority? = nil
      if i < w.tokens.count, w.is(w.tokens[i], "priority") {
        let p = try token(i + 1, expected: "a priority (high, medium, low, info)")
        priority = try name(p, TraceNames.priorities, what: "a priority")
        i += 2
      }
      var cleared = false
      if i < w.tokens.count, w.is(w.tokens[i], "cleared") {
        cleared = true
        i += 1
      }
      if !cleared, i < w.tokens.count,
        w.is(w.tokens[i], "acknowledged") || w.is(w.tokens[i], "annunciated")
      {
        if priority != nil {
          throw error(at: w.tokens[4], "expected no priority on 'alarm … \(w.text(w.tokens[i]))'")
        }
        let claim: StateClaim =
          w.is(w.tokens[i], "acknowledged") ? .alarmAcknowledged(code) : .alarmAnnunciated(code)
        let (span, next) = try claimSpan(i + 1, at: t)
        return (.state(claim, span), next)
      }
      if !cleared, i < w.tokens.count,
        w.is(w.tokens[i], "throughout") || w.is(w.tokens[i], "never")
      {
        if priority != nil {
          throw error(at: w.tokens[4], "expected no priority on 'alarm … \(w.text(w.tokens[i]))'")
        }
        let (span, next) = try claimSpan(i, at: t)
        return (.state(.alarm(code), span), next)
      }
      let (within, next) = try optionalWithin(i)
      if cleared {
        if priority != nil {
          throw error(at: w.tokens[4], "expected no priority on 'alarm … cleared'")
        }
        return (.alarmCleared(code, within: within), next)
      }
      return (.alarm(code, priority: priority, within: within), next)
    }
    if w.is(what, "no") {
      let a = try token(3, expected: "'alarm'")
      guard w.is(a, "alarm") else { throw error(at: a, "expected 'alarm', found '\(w.text(a))'") }
      var i = 4
      var code: AlarmCode? = nil
      let n = try token(i, expected: "an alarm name or 'until'")
      if !w.is(n, "until") {
        code = try name(n, TraceNames.alarms, what: "an alarm name")
        i += 1
      }
      let u = try token(i, expected: "'until'")
      guard w.is(u, "until") else { throw error(at: u, "expected 'until', found '\(w.text(u))'") }
      let endToken = try token(i + 1, expected: "a time (12.5s, 3min, 01:02:03.250, +5s)")
      let until = try time(endToken, relativeTo: t)
      guard until >= t else {
        throw error(
          at: endToken,
          "expected a time at or after the line's \(TraceTime.format(t)), found '\(w.text(endToken))'"
        )
      }
      return (.noAlarm(code, until: until), i + 2)
    }
    if w.is(what, "mode") {
      let m = try token(3, expected: "a mode")
      let pattern = try mode(m)
      var at = t
      var next = 4
      if next < w.tokens.count, w.is(w.tokens[next], "within") {
        let (within, n) = try optionalWithin(next)
        return (.modeWithin(pattern, within: within), n)
      }
      if next < w.tokens.count, w.is(w.tokens[next], "throughout") || w.is(w.tokens[next], "never")
      {
        let (span, n) = try claimSpan(next, at: t)
        return (.state(.mode(pattern), span), n)
      }
      if next < w.tokens.count, w.is(w.tokens[next], "at") {
        at = try time(try token(next + 1, expected: "a time"), relativeTo: t)
        next += 2
      } else if next < w.tokens.count, !w.is(w.tokens[next], "of") {
        let x = w.tokens[next]
        throw error(
          at: x,
          "expected 'at <time>', 'within <duration>', 'throughout …', 'never …' or the end of the line, found '\(w.text(x))'"
        )
      }
      return (.mode(pattern, at: at), next)
    }
    if w.is(what, "bolus") {
      let g = try token(3, expected: "'granted' or 'denied'")
      let (head, inner, innerStart) = try parenthesized(g)
      let lower = head.lowercased()
      var x: (Bool, BolusDenial?)
      if lower == "granted" && inner == nil {
        x = (true, nil)
      } else if lower == "denied" {
        x = (
          false,
          try inner.map { s throws(TraceError) in
            try name(s, at: innerStart, TraceNames.denials, what: "a denial reason")
          }
        )
      } else {
        throw error(at: g, "expected 'granted' or 'denied(reason)', found '\(w.text(g))'")
      }
      if 4 < w.tokens.count, w.is(w.tokens[4], "for") {
        let l = try labelled(5, .press(ordinal: 0), what: "a 'press' line")
        var ordinal = 0
        if case .press(let n) = l.kind { ordinal = n }
        return (.bolusOf(pressTime: l.time, ordinal: ordinal, granted: x.0, denial: x.1), 6)
      }
      // Unlabelled: the decision on the nearest press line above (issue 14: an expectation
      // names the line it judges, never "the first press in a window").
      if 4 < w.tokens.count {
        let k = w.tokens[4]
        throw error(
          at: k,
          "expected 'for <label>' or the end of the line (a bolus decision belongs to one press line: the labelled one, or the nearest press above), found '\(w.text(k))'"
        )
      }
      guard let p = lastPress else {
        throw error(
          at: what,
          "expected a 'press' line above this expectation (an unlabelled 'expect bolus' judges the nearest press above), found none"
        )
      }
      var ordinal = 0
      if case .press(let n) = p.kind { ordinal = n }
      return (.bolusOf(pressTime: p.time, ordinal: ordinal, granted: x.0, denial: x.1), 4)
    }
    if w.is(what, "value") {
      return try valueExpectation(at: t)
    }
    if w.is(what, "logged") {
      let k = try token(3, expected: "a log entry kind (\(TraceNames.list(LoggedKind.table)))")
      let kind = try name(k, LoggedKind.table, what: "a log entry kind")
      let (within, next) = try optionalWithin(4)
      return (.logged(kind, within: within), next)
    }
    if w.is(what, "delivered") {
      var cmp = try comparison(3)
      let (amount, afterAmount) = try quantity(4, .mass)
      var i = afterAmount
      if case .approximately = cmp {
        let pm = try token(i, expected: "'± <tolerance>' (ASCII '+- <tolerance>')")
        guard w.text(pm) == "±" || w.text(pm) == "+-" else {
          throw error(
            at: pm, "expected '± <tolerance>' (ASCII '+- <tolerance>'), found '\(w.text(pm))'")
        }
        let (tol, j) = try quantity(i + 1, .mass)
        cmp = .approximately(tolerance: Micrograms(tol))
        i = j
      }
      let s = try token(i, expected: "'in window', 'in last' or 'total'")
      if w.is(s, "total") { return (.delivered(cmp, Micrograms(amount), scope: .total), i + 1) }
      guard w.is(s, "in") else {
        throw error(at: s, "expected 'in window', 'in last' or 'total', found '\(w.text(s))'")
      }
      let k = try token(i + 1, expected: "'window' or 'last'")
      guard w.is(k, "window") || w.is(k, "last") else {
        throw error(at: k, "expected 'window' or 'last', found '\(w.text(k))'")
      }
      let d = try duration(try token(i + 2, expected: "a window length (1h, 4h)"))
      guard d.rawValue > 0 else {
        throw error(
          at: w.tokens[i + 2],
          "expected a window length above 0, found '\(w.text(w.tokens[i + 2]))'")
      }
      return (
        .delivered(cmp, Micrograms(amount), scope: w.is(k, "window") ? .window(d) : .last(d)), i + 3
      )
    }
    if w.is(what, "motor") {
      let s = try token(3, expected: "'stopped' or 'running'")
      guard w.is(s, "stopped") || w.is(s, "running") else {
        throw error(at: s, "expected 'stopped' or 'running', found '\(w.text(s))'")
      }
      if 4 < w.tokens.count, w.is(w.tokens[4], "throughout") || w.is(w.tokens[4], "never") {
        let (span, next) = try claimSpan(4, at: t)
        return (.state(w.is(s, "stopped") ? .motorStopped : .motorRunning, span), next)
      }
      let (within, next) = try optionalWithin(4)
      return (
        w.is(s, "stopped") ? .motorStopped(within: within) : .motorRunning(within: within), next
      )
    }
    /// `for <label>` after an outcome: the labelled command line.
    func target() throws(TraceError) -> Int? {
      guard 3 < w.tokens.count, w.is(w.tokens[3], "for") else { return nil }
      return try labelled(4, .command, what: "a clinician command, 'inject fault' or 'link' line")
        .line
    }
    /// Unlabelled: the nearest command line above (issue 14).
    func nearest() throws(TraceError) -> Int {
      guard let c = lastCommand else {
        throw error(
          at: what,
          "expected a clinician command, 'inject fault' or 'link' line above this expectation (an unlabelled 'expect \(w.text(what))' judges the nearest one above), found none"
        )
      }
      return c.line
    }
    if w.is(what, "accepted") {
      if let line = try target() {
        return (.commandOf(line: line, accepted: true, rejection: nil), 5)
      }
      return (.commandOf(line: try nearest(), accepted: true, rejection: nil), 3)
    }
    let (head, inner, innerStart) = try parenthesized(what)
    if head.lowercased() == "rejected", let i = inner, TraceNames.fold(i) == "roleforbidden" {
      if let line = try target() { return (.forbiddenOf(line: line), 5) }
      return (.forbiddenOf(line: try nearest()), 3)
    }
    if head.lowercased() == "rejected" {
      let r = try inner.map { s throws(TraceError) in
        try name(s, at: innerStart, TraceNames.rejections, what: "a rejection reason")
      }
      if let line = try target() {
        return (.commandOf(line: line, accepted: false, rejection: r), 5)
      }
      return (.commandOf(line: try nearest(), accepted: false, rejection: r), 3)
    }
    if w.is(what, "audio-pause") {
      let b = try token(3, expected: "'broken'")
      guard w.is(b, "broken") else { throw error(at: b, "expected 'broken', found '\(w.text(b))'") }
      var i = 4
      var by: AlarmCode? = nil
      if i < w.tokens.count, w.is(w.tokens[i], "by") {
        by = try name(
          try token(i + 1, expected: "an alarm name"), TraceNames.alarms, what: "an alarm name")
        i += 2
      }
      let (within, next) = try optionalWithin(i)
      return (.audioPauseBroken(by: by, within: within), next)
    }
    throw error(at: what, "expected an expectation (\(Self.expectations)), found '\(w.text(what))'")
  }

  /// A comparison word at `i` (`≤ < ≥ > ≈`, ASCII `<= >= ~`).
  func comparison(_ i: Int) throws(TraceError) -> Comparison {
    let c = try token(i, expected: "a comparison (≤, <, ≥, >, ≈)")
    switch lexer.text(c) {
    case "≤", "<=": return .atMost
    case "<": return .below
    case "≥", ">=": return .atLeast
    case ">": return .above
    case "≈", "~": return .approximately(tolerance: .zero)
    default:
      throw error(at: c, "expected a comparison (≤, <, ≥, >, ≈), found '\(lexer.text(c))'")
    }
  }

  /// An optional `within <duration>` at word `i` (default 0: at the line's time); `within N
  /// tick(s)` reads as 0 here, the caller resolves the ticks (`ticks(in:)`).
  func optionalWithin(_ i: Int) throws(TraceError) -> (Milliseconds, Int) {
    guard i < lexer.tokens.count else { return (.zero, i) }
    let t = lexer.tokens[i]
    if lexer.is(t, "of") { return (.zero, i) }  // `of <label>` follows (an instant window)
    if lexer.is(t, "within"), i + 2 < lexer.tokens.count,
      lexer.is(lexer.tokens[i + 2], "tick") || lexer.is(lexer.tokens[i + 2], "ticks")
    {
      return (.zero, i + 3)
    }
    guard lexer.is(t, "within") else {
      throw error(
        at: t, "expected 'within <duration>' or the end of the line, found '\(lexer.text(t))'")
    }
    return (
      try duration(try token(i + 1, expected: "a duration (250ms, 12.5s, 3min, 2h, 1d)")), i + 2
    )
  }

  static let modeNames =
    "self-test, idle, programmed, infusing[(phase)], paused[(reason)], kvo, complete, interlock-stopped, fault[(code)]"

  /// A mode pattern: `infusing`, `infusing(basal)`, `paused(alarm)`, `kvo`…
  func mode(_ t: Token) throws(TraceError) -> ModePattern {
    let (head, inner, innerStart) = try parenthesized(t)
    switch TraceNames.fold(head) {
    case "selftest" where inner == nil: return .selfTest
    case "idle" where inner == nil: return .idle
    case "programmed" where inner == nil: return .programmed
    case "kvo" where inner == nil: return .kvo
    case "complete" where inner == nil: return .complete
    case "interlockstopped" where inner == nil: return .interlockStopped
    case "infusing":
      return .infusing(
        try inner.map { s throws(TraceError) in
          try name(s, at: innerStart, TraceNames.phases, what: "an infusion phase")
        })
    case "paused":
      return .paused(
        try inner.map { s throws(TraceError) in
          try name(s, at: innerStart, TraceNames.pauseReasons, what: "a pause reason")
        })
    case "fault":
      return .fault(
        try inner.map { s throws(TraceError) in
          try name(s, at: innerStart, TraceNames.allFaults, what: "a fault")
        })
    default:
      throw error(at: t, "expected a mode (\(Self.modeNames)), found '\(lexer.text(t))'")
    }
  }
}
