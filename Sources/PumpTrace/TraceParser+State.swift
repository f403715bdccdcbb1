import PumpCore
import PumpProtocol

/// Trace language 2 (issue 14): spans (`throughout …`, `never …`), values (`expect value …`)
/// and windows anchored to observations (`… within W of alarm X`). docs/TRACES.md.
extension TraceParser {
  static let spans =
    "'at <time>', 'within <duration>', 'throughout [<from>, <to>]|until <time>|for <duration>', 'never [until <time>|for <duration>|[<from>, <to>]]'"

  /// An optional span at word `i` for a state claim made on a line at `t` (default: at `t`).
  func claimSpan(_ i: Int, at t: Milliseconds) throws(TraceError) -> (ClaimSpan, Int) {
    let w = lexer
    guard i < w.tokens.count, !w.is(w.tokens[i], "of") else { return (.at(t), i) }
    let k = w.tokens[i]
    if w.is(k, "at") {
      return (.at(try time(try token(i + 1, expected: "a time"), relativeTo: t)), i + 2)
    }
    if w.is(k, "within") {
      let (d, next) = try optionalWithin(i)
      return (.within(d), next)
    }
    let never = w.is(k, "never")
    guard never || w.is(k, "throughout") else {
      throw error(at: k, "expected \(Self.spans) or the end of the line, found '\(w.text(k))'")
    }
    func make(_ from: Milliseconds, _ to: Milliseconds?) -> ClaimSpan {
      never ? .never(from: from, to: to) : .throughout(from: from, to: to)
    }
    guard i + 1 < w.tokens.count, !w.is(w.tokens[i + 1], "of") else {
      return (make(t, nil), i + 1)  // to the end of the run
    }
    let n = w.tokens[i + 1]
    if w.is(n, "until") {
      let e = try token(i + 2, expected: "a time (12.5s, 3min, 01:02:03.250, +5s)")
      let until = try time(e, relativeTo: t)
      guard until >= t else {
        throw error(
          at: e,
          "expected a time at or after the line's \(TraceTime.format(t)), found '\(w.text(e))'")
      }
      return (make(t, until), i + 3)
    }
    if w.is(n, "for") {
      let d = try duration(try token(i + 2, expected: "a duration (250ms, 12.5s, 3min, 2h, 1d)"))
      return (make(t, t + d), i + 3)
    }
    if w.bytes[n.start] == 0x5B {  // '['
      let (from, to, next) = try bracket(i + 1, at: t)
      return (make(from, to), next)
    }
    throw error(
      at: n,
      "expected '[<from>, <to>]', 'until <time>', 'for <duration>' or the end of the line, found '\(w.text(n))'"
    )
  }

  /// `[<from>, <to>]` starting at word `i` (one to three words; times absolute or `+D` from
  /// the line's time); returns both ends and the index of the word after `]`.
  func bracket(_ i: Int, at t: Milliseconds) throws(TraceError) -> (
    Milliseconds, Milliseconds, Int
  ) {
    let w = lexer
    let open = w.tokens[i]
    let bad = "expected '[<from>, <to>]' (two times, e.g. [1min, 5min] or [+0s, +30s])"
    var close = -1
    var j = i
    while j < w.tokens.count && j < i + 3 {
      if w.bytes[w.tokens[j].end - 1] == 0x5D { close = j }
      if close >= 0 { break }
      j += 1
    }
    guard close >= 0 else { throw error(at: open, "\(bad), found no ']'") }
    let a = open.start + 1
    let b = w.tokens[close].end - 1
    guard let comma = w.bytes[a..<b].firstIndex(of: 0x2C) else {
      throw error(at: open, "\(bad), found no ','")
    }
    func trimmed(_ s: Int, _ e: Int) -> Token {
      var s = s
      var e = e
      while s < e && (w.bytes[s] == 0x20 || w.bytes[s] == 0x09) { s += 1 }
      while e > s && (w.bytes[e - 1] == 0x20 || w.bytes[e - 1] == 0x09) { e -= 1 }
      return Token(start: s, end: e)
    }
    let ta = trimmed(a, comma)
    let tb = trimmed(comma + 1, b)
    guard ta.end > ta.start else { throw error(atByte: a, "\(bad), found no start time") }
    guard tb.end > tb.start else { throw error(atByte: comma, "\(bad), found no end time") }
    let from = try time(ta, relativeTo: t)
    let to = try time(tb, relativeTo: t)
    guard to >= from else {
      throw error(
        at: tb,
        "expected an end at or after the start \(TraceTime.format(from)), found '\(w.text(tb))'")
    }
    return (from, to, close + 1)
  }

  /// `expect value <name> <cmp> <quantity> [± <tolerance>] [<span>]`.
  func valueExpectation(at t: Milliseconds) throws(TraceError) -> (Expectation, Int) {
    let names = TraceNames.list(ValueName.table)
    let n = try token(3, expected: "a value name (\(names))")
    let name = try self.name(n, ValueName.table, what: "a value name")
    var cmp = try comparison(4)
    let (limit, afterLimit) = try amount(5, name)
    var i = afterLimit
    if case .approximately = cmp {
      let pm = try token(i, expected: "'± <tolerance>' (ASCII '+- <tolerance>')")
      guard lexer.text(pm) == "±" || lexer.text(pm) == "+-" else {
        throw error(
          at: pm, "expected '± <tolerance>' (ASCII '+- <tolerance>'), found '\(lexer.text(pm))'")
      }
      let (tol, j) = try amount(i + 1, name)
      cmp = .approximately(tolerance: Micrograms(tol))
      i = j
    }
    let (span, next) = try claimSpan(i, at: t)
    return (.state(.value(name, cmp, limit), span), next)
  }

  /// An amount in `name`'s unit at word `i`, in its base unit (thousandths for decimals).
  func amount(_ i: Int, _ name: ValueName) throws(TraceError) -> (Int64, Int) {
    switch name.unit {
    case .duration:
      let d = try duration(try token(i, expected: "a duration (250ms, 12.5s, 3min, 2h, 1d)"))
      return (d.rawValue, i + 1)
    case .quantity(let dim):
      return try quantity(i, dim)
    case .decimal(let suffix):
      let what = "a number with up to 3 decimals" + (suffix.map { " (\($0))" } ?? "")
      let tk = try token(i, expected: what)
      var e = tk.start
      while e < tk.end, TraceLexer.isDigit(lexer.bytes[e]) || lexer.bytes[e] == 0x2E { e += 1 }
      guard let v = Self.thousandths(lexer.bytes, tk.start, e) else {
        throw error(at: tk, "expected \(what), found '\(lexer.text(tk))'")
      }
      var next = i + 1
      let rest = lexer.text(from: e, to: tk.end)
      if let suffix {
        if !rest.isEmpty {
          guard rest.lowercased() == suffix.lowercased() else {
            throw error(at: tk, "expected \(what), found '\(lexer.text(tk))'")
          }
        } else if next < lexer.tokens.count,
          lexer.text(lexer.tokens[next]).lowercased() == suffix.lowercased()
        {
          next += 1
        } else if next < lexer.tokens.count, lexer.text(lexer.tokens[next]).contains("/") {
          let u = lexer.tokens[next]
          throw error(at: u, "expected the unit \(suffix), found '\(lexer.text(u))'")
        }
      } else if !rest.isEmpty {
        throw error(at: tk, "expected \(what), found '\(lexer.text(tk))'")
      }
      return (v, next)
    }
  }

  /// `12`, `1.5`, `0.125` as thousandths; nil when not such a number.
  static func thousandths(_ b: [UInt8], _ s: Int, _ e: Int) -> Int64? {
    guard s < e else { return nil }
    var whole: Int64 = 0
    var frac: Int64 = 0
    var decimals = -1
    for i in s..<e {
      let c = b[i]
      if c == 0x2E {
        guard decimals < 0 else { return nil }
        decimals = 0
        continue
      }
      guard TraceLexer.isDigit(c) else { return nil }
      if decimals < 0 {
        guard whole < 1_000_000_000 else { return nil }
        whole = whole * 10 + Int64(c - 0x30)
      } else {
        decimals += 1
        guard decimals <= 3 else { return nil }
        frac = frac * 10 + Int64(c - 0x30)
      }
    }
    if decimals == 0 { return nil }
    var f = frac
    for _ in 0..<(3 - max(decimals, 0)) { f *= 10 }
    return whole * 1000 + f
  }

  /// An observation anchor after `of` at word `i` (`alarm X [priority P]`, `mode M`,
  /// `bolus granted|denied[(reason)]`), or nil when word `i` starts none (a label follows).
  func observationAnchor(_ i: Int) throws(TraceError) -> (ObservationAnchor, Int)? {
    let w = lexer
    guard i + 1 < w.tokens.count else { return nil }
    let k = w.tokens[i]
    if w.is(k, "alarm") {
      let code = try name(w.tokens[i + 1], TraceNames.alarms, what: "an alarm name")
      if i + 2 < w.tokens.count, w.is(w.tokens[i + 2], "priority") {
        let p = try token(i + 3, expected: "a priority (high, medium, low, info)")
        return (
          .alarm(code, priority: try name(p, TraceNames.priorities, what: "a priority")), i + 4
        )
      }
      return (.alarm(code, priority: nil), i + 2)
    }
    if w.is(k, "mode") { return (.mode(try mode(w.tokens[i + 1])), i + 2) }
    if w.is(k, "bolus") {
      let g = w.tokens[i + 1]
      let (head, inner, innerStart) = try parenthesized(g)
      if head.lowercased() == "granted" && inner == nil {
        return (.bolus(granted: true, denial: nil), i + 2)
      }
      if head.lowercased() == "denied" {
        let d = try inner.map { s throws(TraceError) in
          try name(s, at: innerStart, TraceNames.denials, what: "a denial reason")
        }
        return (.bolus(granted: false, denial: d), i + 2)
      }
      throw error(at: g, "expected 'granted' or 'denied(reason)', found '\(w.text(g))'")
    }
    return nil
  }

  /// `within N tick(s)` on the line: N (≥ 1) and the 'tick' word, or nil.
  func ticks() throws(TraceError) -> (Int, Token)? {
    let toks = lexer.tokens
    var i = 0
    while i + 2 < toks.count {
      if lexer.is(toks[i], "within"),
        lexer.is(toks[i + 2], "tick") || lexer.is(toks[i + 2], "ticks")
      {
        let n = toks[i + 1]
        guard let v = Int(lexer.text(n)), v >= 1, v <= 1_000_000 else {
          throw error(at: n, "expected a whole number of ticks 1…1000000, found '\(lexer.text(n))'")
        }
        return (v, toks[i + 2])
      }
      i += 1
    }
    return nil
  }
}
