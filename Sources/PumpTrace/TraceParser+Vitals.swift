import PumpCore

extension TraceParser {
  static let vitalNames = "SBP, DBP, HR, SpO2, RR"

  /// `vitals SBP=125 …`, `vitals every 1s until 24h SBP=125 … [jitter 3]`, `vitals csv <path>`.
  mutating func vitalsLine(_ t: Milliseconds) throws(TraceError) {
    let toks = lexer.tokens
    let line = lexer.lineNumber
    guard toks.count > 2 else {
      throw errorAtEnd(
        "expected vitals (SBP=…, DBP=…, HR=…, SpO2=…, RR=…), 'every' or 'csv', found the end of the line"
      )
    }
    if lexer.is(toks[2], "every") {
      let period = try duration(try token(3, expected: "a period (1s, 15min)"))
      guard period.rawValue > 0 else {
        throw error(at: toks[3], "expected a period above 0, found '\(lexer.text(toks[3]))'")
      }
      let u = try token(4, expected: "'until'")
      guard lexer.is(u, "until") else {
        throw error(at: u, "expected 'until', found '\(lexer.text(u))'")
      }
      let endToken = try token(5, expected: "an end time (24h, +10min)")
      let end = try time(endToken, relativeTo: t)
      guard end > t else {
        throw error(
          at: endToken,
          "expected an end time after the line's \(TraceTime.format(t)), found '\(lexer.text(endToken))'"
        )
      }
      var i = 6
      var jitter: Int32 = 0
      var sample = VitalsSample()
      var mask: UInt8 = 0
      var any = false
      while i < toks.count {
        if lexer.is(toks[i], "jitter") {
          let j = try token(i + 1, expected: "a jitter amplitude 0…100")
          guard let a = integer(j), a <= 100 else {
            throw error(at: j, "expected a jitter amplitude 0…100, found '\(lexer.text(j))'")
          }
          jitter = a
          i += 2
          continue
        }
        mask |= try vital(toks[i], into: &sample)
        any = true
        i += 1
      }
      guard any else {
        throw errorAtEnd(
          "expected at least one vital (SBP=…, DBP=…, HR=…, SpO2=…, RR=…), found the end of the line"
        )
      }
      let series = VitalsSeries(
        source: .generator(base: sample, period: period, end: end, jitter: jitter), start: t,
        vitals: mask, seed: header.seed &+ UInt64(line) &* 0x9E37_79B9)
      steps.append(TraceStep(time: t, line: line, kind: .action(.vitalsSeries(series))))
      return
    }
    if lexer.is(toks[2], "csv") {
      let p = try token(3, expected: "a CSV file path")
      try end(4)
      var path = lexer.text(p)
      if path.count >= 2, path.hasPrefix("\""), path.hasSuffix("\"") {
        path = String(path.dropFirst().dropLast())
      }
      guard let bytes = readFile(path) else {
        throw error(at: p, "expected a readable CSV file, cannot read '\(path)'")
      }
      let table = try VitalsCSV.parse(bytes: bytes, file: path, start: t)
      guard let first = table.times.first else {
        throw error(at: p, "expected at least one sample row in '\(path)', found none")
      }
      var mask: UInt8 = 0
      for s in table.samples { mask |= s.presentMask }
      let series = VitalsSeries(
        source: .table(times: table.times, samples: table.samples), start: first, vitals: mask,
        seed: 0)
      steps.append(TraceStep(time: t, line: line, kind: .action(.vitalsSeries(series))))
      return
    }
    var sample = VitalsSample()
    // The common line (`NAME=value` words, each vital once) in one pass over the bytes; any
    // other word goes through `vital`, which names the problem.
    let fast = lexer.bytes.withUnsafeBufferPointer { b in
      Self.plainVitals(b, toks, from: 2, into: &sample)
    }
    if !fast {
      sample = VitalsSample()
      for i in 2..<toks.count { try vital(toks[i], into: &sample) }
    }
    if sample.presentMask == 0 {
      throw error(
        at: toks[2],
        "expected at least one vital value ('-' marks a missing vital only in 'vitals every' lines)"
      )
    }
    steps.append(TraceStep(time: t, line: line, kind: .action(.vitals(sample))))
  }

  /// One `NAME=value` word (`NAME=-`: the vital is missing, masking older series); returns
  /// the vital's bit.
  @discardableResult
  func vital(_ t: Token, into sample: inout VitalsSample) throws(TraceError) -> UInt8 {
    let b = lexer.bytes
    var eq = t.start
    while eq < t.end, b[eq] != 0x3D { eq += 1 }
    guard eq < t.end else {
      throw error(at: t, "expected a vital as NAME=value (SBP=125), found '\(lexer.text(t))'")
    }
    guard let v = Self.vitalName(b, t.start, eq) else {
      let n = lexer.text(from: t.start, to: eq)
      throw error(at: t, "expected a vital name (\(Self.vitalNames)), found '\(n)'")
    }
    let valueToken = Token(start: eq + 1, end: t.end)
    if valueToken.end - valueToken.start == 1, b[valueToken.start] == 0x2D {  // '-'
      return v.bit
    }
    guard let value = integer(valueToken), value <= 999 else {
      throw error(
        atByte: eq + 1,
        "expected a whole number 0…999 for \(TraceNames.name(v, in: TraceNames.vitals)), found '\(lexer.text(valueToken))'"
      )
    }
    if sample[v] != nil {
      throw error(at: t, "\(TraceNames.name(v, in: TraceNames.vitals)) given twice on one line")
    }
    sample.set(v, value)
    return v.bit
  }

  /// Reads words `from...` of `toks` as `NAME=value` (value 0…999, a vital at most once) into
  /// `sample`; false at the first word that is anything else (the caller then parses the line
  /// word by word for the error). No strings, no copies of the parser.
  static func plainVitals(
    _ b: UnsafeBufferPointer<UInt8>, _ toks: [Token], from first: Int,
    into sample: inout VitalsSample
  ) -> Bool {
    var seen: UInt8 = 0
    for k in first..<max(first, toks.count) {
      let t = toks[k]
      guard plainVital(b, at: t.start, before: t.end, into: &sample, seen: &seen) == t.end else {
        return false
      }
    }
    return true
  }

  /// Reads a plain `NAME=value` from byte `a` on (before `limit`): a vital name not in `seen`,
  /// '=', 1–3 digits. Sets the vital in `sample` and its bit in `seen` and returns the offset
  /// just past the digits (the caller checks that the word ends there); nil when the bytes are
  /// anything else (the word parser `vital` then names the problem). The one reading of a plain
  /// vitals word, for `plainVitals` and `plainVitalsLine`.
  @inline(__always)
  static func plainVital(
    _ b: UnsafeBufferPointer<UInt8>, at a: Int, before limit: Int,
    into sample: inout VitalsSample, seen: inout UInt8
  ) -> Int? {
    // Offsets stay within the buffer, so the arithmetic needs no overflow checks.
    var i = a
    while i < limit && b[i] != 0x3D && i &- a < 4 { i &+= 1 }  // a name is 2–4 bytes
    guard i < limit, b[i] == 0x3D, let v = plainVitalName(b, a, i) else { return nil }
    i &+= 1
    let first = i
    var value: Int32 = 0
    while i < limit && i &- first < 4 {
      let d = b[i] &- 0x30
      guard d < 10 else { break }
      value = value &* 10 &+ Int32(d)  // at most 4 digits
      i &+= 1
    }
    let bit: UInt8 = 1 << v.rawValue
    guard i > first, i &- first <= 3, seen & bit == 0 else { return nil }
    seen |= bit
    sample.set(v, value)
    return i
  }

  /// `vitalName` over a buffer.
  @inline(__always)
  static func plainVitalName(_ b: UnsafeBufferPointer<UInt8>, _ a: Int, _ e: Int) -> Vital? {
    // Compared with lowercase letters only: `c | 0x20` equals one exactly for that letter in
    // either case.
    func l(_ i: Int) -> UInt8 { b[a &+ i] | 0x20 }
    switch e - a {
    case 2 where l(1) == 0x72:  // "hr", "rr"
      return l(0) == 0x68 ? .hr : l(0) == 0x72 ? .rr : nil
    case 3 where l(1) == 0x62 && l(2) == 0x70:  // "sbp", "dbp"
      return l(0) == 0x73 ? .sbp : l(0) == 0x64 ? .dbp : nil
    case 4 where l(0) == 0x73 && l(1) == 0x70 && l(2) == 0x6F && b[a + 3] == 0x32:  // "spo2"
      return .spo2
    default: return nil
    }
  }

  /// The vital named by bytes a..<b (ASCII, case-insensitive), without making a string.
  static func vitalName(_ b: [UInt8], _ a: Int, _ e: Int) -> Vital? {
    b.withUnsafeBufferPointer { plainVitalName($0, a, e) }
  }

  /// A whole number 0…999999 written in ASCII digits.
  func integer(_ t: Token) -> Int32? {
    guard t.end > t.start, t.end - t.start <= 6 else { return nil }
    var v: Int32 = 0
    for i in t.start..<t.end {
      let c = lexer.bytes[i]
      guard TraceLexer.isDigit(c) else { return nil }
      v = v * 10 + Int32(c - 0x30)
    }
    return v
  }
}
