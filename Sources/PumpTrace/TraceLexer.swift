import PumpCore
import PumpProtocol

/// One whitespace-separated word of a line: a byte range of the file.
struct Token: Hashable, Sendable {
  var start: Int
  var end: Int
}

/// Splits a trace file into lines and words over its UTF-8 bytes, without making strings:
/// parsing a week of 1 Hz vitals written out line by line costs a scan, not an allocation
/// per character. A '#' at the start of a word begins a comment to the end of the line.
struct TraceLexer {
  let bytes: [UInt8]
  private(set) var offset = 0
  /// 1-based number of the line last returned.
  private(set) var lineNumber = 0
  /// Byte offset of that line's first byte.
  private(set) var lineStart = 0
  /// Byte offset just past that line's last byte (before the line break).
  private(set) var lineEnd = 0
  /// Its words (reused from line to line).
  var tokens: [Token] = []

  init(bytes: [UInt8]) {
    self.bytes = bytes
    tokens.reserveCapacity(16)
    // Skip a UTF-8 byte-order mark.
    if bytes.count >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF { offset = 3 }
  }

  /// Moves to the next line; false at the end of the file.
  ///
  /// One pass over the line's bytes in a loop of locals (the buffer, the index, the word
  /// start): the words go into a local array moved out of `tokens` and back, so each append
  /// finds it uniquely referenced and nothing is retained or captured per byte.
  mutating func nextLine() -> Bool {
    guard offset < bytes.count else { return false }
    lineNumber += 1
    lineStart = offset
    var words = tokens
    tokens = []
    words.removeAll(keepingCapacity: true)
    let from = offset
    let end = bytes.withUnsafeBufferPointer { buf -> Int in
      let n = buf.count
      var i = from
      var tokenStart = -1
      while i < n {
        let b = buf[i]
        if b == 0x0A { break }
        if b == 0x20 || b == 0x09 || b == 0x0D {
          if tokenStart >= 0 {
            words.append(Token(start: tokenStart, end: i))
            tokenStart = -1
          }
        } else if tokenStart < 0 {
          if b == 0x23 {  // '#': a comment to the end of the line
            i += 1
            while i < n && buf[i] != 0x0A { i += 1 }
            break
          }
          tokenStart = i
        }
        i += 1
      }
      if tokenStart >= 0 { words.append(Token(start: tokenStart, end: i)) }
      return i
    }
    tokens = words
    lineEnd = end
    if lineEnd > lineStart, bytes[lineEnd - 1] == 0x0D { lineEnd -= 1 }
    offset = end + 1
    return true
  }

  /// Moves past `count` lines the caller has read straight from the bytes (plain vitals
  /// lines, `TraceParser.plainVitalsLines`): the last of them runs from `lastStart` to its
  /// line break (or the end of the file) at `lastBreak`. The current line is then that last
  /// line, with no words.
  mutating func skipLines(_ count: Int, lastStart: Int, lastBreak: Int) {
    guard count > 0 else { return }
    lineNumber += count
    lineStart = lastStart
    lineEnd = lastBreak
    if lineEnd > lineStart, bytes[lineEnd - 1] == 0x0D { lineEnd -= 1 }
    tokens.removeAll(keepingCapacity: true)
    offset = lastBreak + 1
  }

  /// The 1-based column (in Unicode scalars) of byte offset `at` on the current line.
  func column(_ at: Int) -> Int {
    var c = 1
    var i = lineStart
    while i < at && i < bytes.count {
      if bytes[i] & 0xC0 != 0x80 { c += 1 }
      i += 1
    }
    return c
  }

  func text(_ t: Token) -> String { String(decoding: bytes[t.start..<t.end], as: UTF8.self) }

  func text(from a: Int, to b: Int) -> String {
    String(decoding: bytes[a..<max(a, b)], as: UTF8.self)
  }

  /// True when the token is exactly `word` (ASCII, case-insensitive).
  func `is`(_ t: Token, _ word: StaticString) -> Bool {
    let n = word.utf8CodeUnitCount
    guard t.end - t.start == n else { return false }
    let p = word.utf8Start
    for k in 0..<n where TraceLexer.lower(bytes[t.start + k]) != TraceLexer.lower(p[k]) {
      return false
    }
    return true
  }

  static func lower(_ b: UInt8) -> UInt8 { b >= 0x41 && b <= 0x5A ? b | 0x20 : b }
  static func isDigit(_ b: UInt8) -> Bool { b >= 0x30 && b <= 0x39 }
}

/// Durations and times of day as traces write them, over bytes.
enum TraceTime {
  /// Parses a duration `12.5s`, `3min`, `250ms`, `2h`, `1d`, `1h30min` (number–unit pairs,
  /// decimals allowed, whole milliseconds) or a clock `01:02:03.250`, `144:00:00` (hours may
  /// exceed 24). Returns nil when malformed, not a whole number of ms, or out of range.
  static func parse(_ bytes: [UInt8], _ start: Int, _ end: Int) -> Milliseconds? {
    guard start >= 0, end <= bytes.count else { return nil }
    return bytes.withUnsafeBufferPointer { parse($0, start, end) }
  }

  /// `parse` over a buffer (no bounds checks or retains per byte; the range is in `bytes`).
  static func parse(_ bytes: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int)
    -> Milliseconds?
  {
    guard start < end else { return nil }
    for i in start..<end where bytes[i] == 0x3A { return clock(bytes, start, end) }
    var i = start
    var total: Int64 = 0
    while i < end {
      // Number: digits [. digits], kept as an integer scaled by 10^fraction digits.
      var value: Int64 = 0
      var scale: Int64 = 1
      var digits = 0
      var fraction = false
      while i < end {
        let b = bytes[i]
        if TraceLexer.isDigit(b) {
          // Bounded just above, so no overflow checks.
          if value > 1_000_000_000_000 { return nil }
          value = value &* 10 &+ Int64(b &- 0x30)
          if fraction {
            if scale >= 1_000_000 { return nil }
            scale &*= 10
          }
          digits &+= 1
        } else if b == 0x2E && !fraction {
          fraction = true
        } else {
          break
        }
        i &+= 1
      }
      guard digits > 0 else { return nil }
      let u = i
      while i < end, !TraceLexer.isDigit(bytes[i]) && bytes[i] != 0x2E { i += 1 }
      let unitMs: Int64
      switch (i - u, i > u ? bytes[u] : 0, i - u > 1 ? bytes[u + 1] : 0) {
      case (2, 0x6D, 0x73): unitMs = 1  // ms
      case (1, 0x73, _): unitMs = 1000  // s
      case (3, 0x6D, 0x69) where bytes[u + 2] == 0x6E: unitMs = 60_000  // min
      case (1, 0x68, _): unitMs = 3_600_000  // h
      case (1, 0x64, _): unitMs = 86_400_000  // d
      default: return nil
      }
      let (scaled, o) = value.multipliedReportingOverflow(by: unitMs)
      guard !o else { return nil }
      if scale == 1 {  // a whole number: no division
        total += scaled
      } else {
        guard scaled % scale == 0 else { return nil }
        total += scaled / scale
      }
      if total > 366 * 86_400_000 { return nil }
    }
    return Milliseconds(total)
  }

  /// `H:MM:SS[.fff]`.
  private static func clock(_ bytes: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int)
    -> Milliseconds?
  {
    var fields: [Int64] = []
    var current: Int64 = 0
    var digits = 0
    var i = start
    var millis: Int64 = 0
    while i < end {
      let b = bytes[i]
      if TraceLexer.isDigit(b) {
        if digits >= 6 { return nil }
        current = current * 10 + Int64(b - 0x30)
        digits += 1
      } else if b == 0x3A {
        guard digits > 0 else { return nil }
        fields.append(current)
        current = 0
        digits = 0
      } else if b == 0x2E {
        guard digits > 0, fields.count == 2 else { return nil }
        fields.append(current)
        // Milliseconds: 1 to 3 digits, scaled.
        var f: Int64 = 0
        var n = 0
        i += 1
        while i < end, TraceLexer.isDigit(bytes[i]), n < 3 {
          f = f * 10 + Int64(bytes[i] - 0x30)
          n += 1
          i += 1
        }
        guard n > 0, i == end else { return nil }
        for _ in n..<3 { f *= 10 }
        millis = f
        digits = -1
        break
      } else {
        return nil
      }
      i += 1
    }
    if digits > 0 { fields.append(current) } else if digits == 0 { return nil }
    guard fields.count == 3, fields[1] < 60, fields[2] < 60, fields[0] <= 8784 else { return nil }
    return Milliseconds(((fields[0] * 60 + fields[1]) * 60 + fields[2]) * 1000 + millis)
  }

  /// `hh:mm:ss.mmm` (hours may exceed 24), the form reports and failure messages use.
  static func format(_ t: Milliseconds) -> String {
    let ms = t.rawValue
    let sign = ms < 0 ? "-" : ""
    let a = abs(ms)
    let h = a / 3_600_000
    let m = a / 60_000 % 60
    let s = a / 1000 % 60
    let f = a % 1000
    func two(_ v: Int64) -> String { v < 10 ? "0\(v)" : "\(v)" }
    let frac = f < 10 ? "00\(f)" : f < 100 ? "0\(f)" : "\(f)"
    return "\(sign)\(two(h)):\(two(m)):\(two(s)).\(frac)"
  }

  /// A duration as a trace would write it (`Quantity.formatDuration`, the one duration
  /// formatter).
  static func formatDuration(_ d: Milliseconds) -> String { Quantity.formatDuration(d) }
}
