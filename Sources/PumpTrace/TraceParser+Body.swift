import PumpCore
import PumpHardware
import PumpProtocol

extension TraceParser {
  static let verbs =
    "vitals, press, program, confirm, start, pause, resume, stop, rate, clinician-bolus, ack, "
    + "silence, reset, inject, power, link, clock, raw, disconnect, expect"

  /// `<time> <verb> …`.
  mutating func bodyLine() throws(TraceError) {
    // `<time> <label>: <action>`: the label is taken off, the action parsed as usual.
    var label: (name: String, token: Token)? = nil
    if lexer.tokens.count > 1 {
      let l = lexer.tokens[1]
      if lexer.bytes[l.end - 1] == 0x3A, isLetter(lexer.bytes[l.start]) {
        guard isLabel(l.start, l.end - 1) else {
          throw error(
            at: l,
            "expected a label (a letter, then letters, digits, '-' or '_') before ':', found '\(lexer.text(l))'"
          )
        }
        let name = lexer.text(from: l.start, to: l.end - 1)
        if let old = labels[name] {
          throw error(at: l, "label '\(name)' already names line \(old.line)")
        }
        label = (name, l)
        lexer.tokens.remove(at: 1)
      }
    }
    // `… as <role>`: the action goes out in that role (issue 14); not on vitals, expect,
    // raw or disconnect lines (disconnect names its role this way itself).
    var role: Role? = nil
    if lexer.tokens.count >= 4, lexer.is(lexer.tokens[lexer.tokens.count - 2], "as") {
      let v = lexer.tokens[1]
      let r = lexer.tokens[lexer.tokens.count - 1]
      guard !lexer.is(v, "expect"), !lexer.is(v, "vitals"), !lexer.is(v, "raw"),
        !lexer.is(v, "clock")
      else {
        throw error(
          at: lexer.tokens[lexer.tokens.count - 2],
          "expected the end of the line ('as <role>' goes on a command, press, inject, power, link or disconnect line), found 'as'"
        )
      }
      role = try name(r, Self.roles, what: "a role")
      lexer.tokens.removeLast(2)
    }
    let toks = lexer.tokens
    let t = try time(toks[0], relativeTo: cursor)
    if t < cursor {
      throw error(
        at: toks[0],
        "expected a time at or after the previous line's \(TraceTime.format(cursor)), found '\(lexer.text(toks[0]))'"
      )
    }
    cursor = t
    let verb = try token(1, expected: "an action (\(Self.verbs))")
    func add(_ action: TraceAction, _ next: Int) throws(TraceError) {
      try end(next)
      var a = action
      if let role, !lexer.is(verb, "disconnect") { a = .asRole(action, role) }
      steps.append(TraceStep(time: t, line: lexer.lineNumber, kind: .action(a)))
      var kind = TraceLabel.Kind.other
      switch a {
      case .asRole: kind = .command  // Its outcome: accepted, rejected or role-forbidden.
      case .press:
        if t == pressInstant {
          pressesAtInstant += 1
        } else {
          pressInstant = t
          pressesAtInstant = 0
        }
        kind = .press(ordinal: pressesAtInstant)
      case .clinician, .inject(.fault), .hostLink: kind = .command
      default: break
      }
      let here = TraceLabel(line: lexer.lineNumber, time: t, kind: kind)
      if case .press = kind { lastPress = here }
      if case .command = kind { lastCommand = here }
      if let label { labels[label.name] = here }
    }
    func clinician(_ c: ClinicianCommand) throws(TraceError) { try add(.clinician(c), 2) }
    let w = lexer
    if w.is(verb, "vitals") {
      try vitalsLine(t)
      if let label {
        labels[label.name] = TraceLabel(line: lexer.lineNumber, time: t, kind: .other)
      }
    } else if w.is(verb, "press") {
      try add(.press, 2)
    } else if w.is(verb, "program") {
      if toks.count > 2 {
        try add(.clinician(.reprogram(try prescriptionChanges(from: 2))), toks.count)
      } else {
        try clinician(.program)
      }
    } else if w.is(verb, "confirm") {
      try clinician(.confirm)
    } else if w.is(verb, "start") {
      try clinician(.start)
    } else if w.is(verb, "pause") {
      try clinician(.pause)
    } else if w.is(verb, "resume") {
      try clinician(.resume)
    } else if w.is(verb, "stop") {
      try clinician(.stop)
    } else if w.is(verb, "ack") || w.is(verb, "acknowledge") {
      try clinician(.acknowledge)
    } else if w.is(verb, "silence") || w.is(verb, "audio-pause") {
      try clinician(.audioPause)
    } else if w.is(verb, "reset") {
      try clinician(.reset)
    } else if w.is(verb, "rate") {
      let (v, next) = try quantity(2, .massRate)
      try add(.clinician(.rate(MicrogramsPerHour(v))), next)
    } else if w.is(verb, "clinician-bolus") {
      let (v, next) = try quantity(2, .mass)
      try add(.clinician(.bolus(Micrograms(v))), next)
    } else if w.is(verb, "inject") {
      let (a, next) = try injection()
      try add(.inject(a), next)
    } else if w.is(verb, "power") {
      let what = try token(2, expected: "'lost' or 'restored'")
      if w.is(what, "lost") || w.is(what, "off") {
        try add(.powerLost, 3)
      } else if w.is(what, "restored") || w.is(what, "on") {
        var passed = true
        var next = 3
        if next < toks.count {
          guard w.is(toks[next], "self-test") else {
            throw error(
              at: toks[next],
              "expected 'self-test pass|fail' or the end of the line, found '\(w.text(toks[next]))'"
            )
          }
          let r = try token(next + 1, expected: "'pass' or 'fail'")
          guard w.is(r, "pass") || w.is(r, "fail") else {
            throw error(at: r, "expected 'pass' or 'fail', found '\(w.text(r))'")
          }
          passed = w.is(r, "pass")
          next += 2
        }
        try add(.powerRestored(selfTestPassed: passed), next)
      } else {
        throw error(at: what, "expected 'lost' or 'restored', found '\(w.text(what))'")
      }
    } else if w.is(verb, "link") {
      let s = try token(2, expected: "'down' or 'up'")
      guard w.is(s, "down") || w.is(s, "up") else {
        throw error(at: s, "expected 'down' or 'up', found '\(w.text(s))'")
      }
      try add(.hostLink(connected: w.is(s, "up")), 3)
    } else if w.is(verb, "clock") {
      let a = try token(2, expected: "'advance'")
      guard w.is(a, "advance") else {
        throw error(at: a, "expected 'advance', found '\(w.text(a))'")
      }
      let d = try duration(try token(3, expected: "a duration (250ms, 12.5s, 3min, 2h, 1d)"))
      try add(.clockAdvance(d), 4)
      cursor = t + d
    } else if w.is(verb, "raw") {
      try add(.raw(try rawBytes()), toks.count)
    } else if w.is(verb, "disconnect") {
      try add(.disconnect(role ?? .clinician), 2)
    } else if w.is(verb, "expect") {
      if let label {
        throw error(at: label.token, "expected a label on an action line, not on 'expect'")
      }
      var (x, next) = try expectation(at: t)
      let ticks = try self.ticks()
      if next < toks.count, w.is(toks[next], "of") {
        guard x.isWindowed else {
          throw error(
            at: toks[next],
            "expected the end of the line ('of …' anchors only alarm, alarm … cleared, motor, mode … within, value … within, logged and audio-pause expectations), found 'of'"
          )
        }
        if let (anchor, n) = try observationAnchor(next + 1) {
          x = .observed(x, anchor: anchor, ticks: ticks?.0)
          next = n
        } else {
          if let (_, tick) = ticks {
            throw error(
              at: tick,
              "expected a duration (250ms, 12.5s, 3min): 'tick' windows start at an observation ('of alarm X', 'of mode M', 'of bolus granted')"
            )
          }
          let l = try labelled(next + 1, nil, what: "any action line")
          x = .anchored(x, at: l.time, line: l.line)
          next += 2
        }
      } else if let (_, tick) = ticks {
        throw error(
          at: tick,
          "expected a duration (250ms, 12.5s, 3min): 'tick' windows start at an observation ('of alarm X', 'of mode M', 'of bolus granted')"
        )
      }
      try end(next)
      let text = lexer.text(from: verb.start, to: toks[toks.count - 1].end)
      steps.append(TraceStep(time: t, line: lexer.lineNumber, kind: .expectation(x, text: text)))
    } else {
      throw error(at: verb, "expected an action (\(Self.verbs)), found '\(w.text(verb))'")
    }
  }

  static let roles: [(String, Role)] = [
    ("patient", .patient), ("vitals", .vitals), ("clinician", .clinician), ("service", .service),
  ]

  /// `raw "…"`: the bytes between the quotes, with `\r`, `\n`, `\t`, `\\`, `\"` and `\xHH`.
  func rawBytes() throws(TraceError) -> [UInt8] {
    let toks = lexer.tokens
    let bad =
      "expected quoted bytes (raw \"$STATUS,1*0000\\r\\n\"; escapes \\r \\n \\t \\\\ \\\" \\xHH)"
    guard toks.count > 2 else { throw errorAtEnd("\(bad), found the end of the line") }
    let a = toks[2].start
    let b = toks[toks.count - 1].end
    let bytes = lexer.bytes
    guard b - a >= 2, bytes[a] == 0x22, bytes[b - 1] == 0x22 else {
      throw error(at: toks[2], "\(bad), found '\(lexer.text(from: a, to: b))'")
    }
    var out: [UInt8] = []
    var i = a + 1
    while i < b - 1 {
      let c = bytes[i]
      if c == 0x22 { throw error(atByte: i, "\(bad), found a '\"' inside (write \\\")") }
      guard c == 0x5C else {
        out.append(c)
        i += 1
        continue
      }
      guard i + 1 < b - 1 else { throw error(atByte: i, "\(bad), found a lone '\\'") }
      switch bytes[i + 1] {
      case 0x72: out.append(0x0D)
      case 0x6E: out.append(0x0A)
      case 0x74: out.append(0x09)
      case 0x5C: out.append(0x5C)
      case 0x22: out.append(0x22)
      case 0x78:
        guard i + 3 < b - 1, let v = UInt8(lexer.text(from: i + 2, to: i + 4), radix: 16) else {
          throw error(atByte: i, "\(bad), found a bad \\x escape")
        }
        out.append(v)
        i += 2
      default:
        throw error(atByte: i, "\(bad), found '\\\(lexer.text(from: i + 1, to: i + 2))'")
      }
      i += 2
    }
    guard !out.isEmpty, out.count <= 4096 else {
      throw error(at: toks[2], "expected 1…4096 bytes between the quotes, found \(out.count)")
    }
    return out
  }

  static let injections =
    "occlusion, pressure, air, door, mains, battery, motor, sensor-failure, reservoir, fault"

  /// `inject …`: the word after `inject` names the hardware.
  func injection() throws(TraceError) -> (HardwareInjection, Int) {
    let w = lexer
    let what = try token(2, expected: "a hardware injection (\(Self.injections))")
    func onOff(_ i: Int) throws(TraceError) -> Bool {
      let t = try token(i, expected: "'on' or 'off'")
      guard w.is(t, "on") || w.is(t, "off") else {
        throw error(at: t, "expected 'on' or 'off', found '\(w.text(t))'")
      }
      return w.is(t, "on")
    }
    func line(_ i: Int) throws(TraceError) -> Bool {
      let t = try token(i, expected: "'downstream' or 'upstream'")
      guard w.is(t, "downstream") || w.is(t, "upstream") else {
        throw error(at: t, "expected 'downstream' or 'upstream', found '\(w.text(t))'")
      }
      return w.is(t, "downstream")
    }
    if w.is(what, "occlusion") {
      let down = try line(3)
      return (.occlusion(downstream: down, on: try onOff(4)), 5)
    } else if w.is(what, "pressure") {
      let down = try line(3)
      let (v, next) = try quantity(4, .pressure)
      return (.pressure(downstream: down, MilliPSI(v)), next)
    } else if w.is(what, "air") {
      let (v, next) = try quantity(3, .volume)
      return (.air(Microliters(v)), next)
    } else if w.is(what, "door") {
      let t = try token(3, expected: "'open' or 'closed'")
      guard w.is(t, "open") || w.is(t, "closed") else {
        throw error(at: t, "expected 'open' or 'closed', found '\(w.text(t))'")
      }
      return (.door(open: w.is(t, "open")), 4)
    } else if w.is(what, "mains") {
      return (.mains(on: try onOff(3)), 4)
    } else if w.is(what, "battery") {
      let d = try duration(try token(3, expected: "a duration (250ms, 12.5s, 3min, 2h, 1d)"))
      return (.battery(d), 4)
    } else if w.is(what, "motor") {
      let t = try token(3, expected: "'stall' or 'runaway'")
      if w.is(t, "stall") { return (.motorStall(try onOff(4)), 5) }
      if w.is(t, "runaway") { return (.motorRunaway(try onOff(4)), 5) }
      throw error(at: t, "expected 'stall' or 'runaway', found '\(w.text(t))'")
    } else if w.is(what, "sensor-failure") {
      return (.sensorFailure(try onOff(3)), 4)
    } else if w.is(what, "reservoir") {
      let (v, next) = try quantity(3, .volume)
      return (.reservoir(Microliters(v)), next)
    } else if w.is(what, "fault") {
      let t = try token(3, expected: "a fault (\(TraceNames.list(TraceNames.faults)))")
      return (.fault(try name(t, TraceNames.faults, what: "a fault")), 4)
    }
    throw error(
      at: what, "expected a hardware injection (\(Self.injections)), found '\(w.text(what))'")
  }
}
