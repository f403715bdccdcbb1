import PumpCore

/// The common line, read straight from the bytes: `<time> vitals NAME=value …` (docs/PERFORMANCE.md,
/// "Parsing"). A week of 1 Hz monitor samples written out is 604,800 such lines; each costs one
/// pass over its bytes, with no word array, no strings and no copy of the parser. Anything else on
/// a line (a label, `as`, `every`, `csv`, `NAME=-`, a value of four digits or more, a vital twice, a time
/// that goes back, any byte the grammar does not expect there) leaves the line unread for the
/// word-by-word parser, which gives the same step or names the problem at its column.
extension TraceParser {
  /// What a plain vitals line says, and the offset of its line break (or the end of the file).
  struct PlainVitalsLine {
    var time: Milliseconds
    var sample: VitalsSample
    var lineBreak: Int
  }

  /// Reads plain vitals lines from the lexer's position on into `steps`, as long as they come;
  /// stops before the first line that is anything else (blank and comment lines too), which the
  /// lexer then reads as usual.
  mutating func plainVitalsLines() {
    let bytes = lexer.bytes
    var out = steps
    steps = []
    var run = PlainRun(offset: lexer.offset, line: lexer.lineNumber, cursor: cursor)
    bytes.withUnsafeBufferPointer { Self.readPlainVitals($0, &run, into: &out) }
    steps = out
    guard run.count > 0 else { return }
    inBody = true
    cursor = run.cursor
    lexer.skipLines(run.count, lastStart: run.lastStart, lastBreak: run.offset - 1)
  }

  /// Where a run of plain lines has got to.
  struct PlainRun {
    /// Offset of the next line's first byte.
    var offset: Int
    /// Number of the line before it.
    var line: Int
    /// Time of the line before it.
    var cursor: Milliseconds
    /// Lines read so far, and the offset of the last one's first byte.
    var count = 0
    var lastStart = 0
  }

  /// Appends a step for each plain line from `run.offset` on, moving `run` past it.

  static func readPlainVitals(
    _ b: UnsafeBufferPointer<UInt8>, _ run: inout PlainRun, into steps: inout [TraceStep]
  ) {
    while run.offset < b.count, let line = plainVitalsLine(b, from: run.offset, after: run.cursor) {
      if steps.count == steps.capacity {
        // Room for the rest of the file in lines like this one (a line is at least 15 bytes:
        // `0s vitals HR=1` and its break), so a long run of them is written once, not grown.
        // At least doubled, so lines shorter than the first cost no more than appends do.
        let length = max(line.lineBreak + 1 - run.offset, 15)
        steps.reserveCapacity(
          max(2 * steps.count, steps.count + (b.count - run.offset) / length + 1))
      }
      run.line += 1
      steps.append(TraceStep(time: line.time, line: run.line, kind: .action(.vitals(line.sample))))
      run.cursor = line.time
      run.count += 1
      run.lastStart = run.offset
      run.offset = line.lineBreak + 1
    }
  }

  /// The line starting at byte `start` when it is a plain vitals line at or after `cursor`;
  /// nil when it is anything else. Blanks are the lexer's (space, tab, CR); a `#` starting a
  /// word after the first vital begins a comment.
  static func plainVitalsLine(
    _ b: UnsafeBufferPointer<UInt8>, from start: Int, after cursor: Milliseconds
  ) -> PlainVitalsLine? {
    @inline(__always) func blank(_ c: UInt8) -> Bool { c == 0x20 || c == 0x09 || c == 0x0D }
    @inline(__always) func wordByte(_ c: UInt8) -> Bool { !blank(c) && c != 0x0A }
    let n = b.count
    var i = start
    while i < n && blank(b[i]) { i += 1 }
    guard i < n, TraceLexer.isDigit(b[i]) || b[i] == 0x2B else { return nil }
    let timeStart = i
    while i < n && wordByte(b[i]) { i += 1 }
    let timeEnd = i
    while i < n && blank(b[i]) { i += 1 }
    // `vitals` (any case) and a blank. `c | 0x20` equals a lowercase letter only for that
    // letter in either case.
    guard n &- i > 6, b[i] | 0x20 == 0x76, b[i &+ 1] | 0x20 == 0x69, b[i &+ 2] | 0x20 == 0x74,
      b[i &+ 3] | 0x20 == 0x61, b[i &+ 4] | 0x20 == 0x6C, b[i &+ 5] | 0x20 == 0x73, blank(b[i &+ 6])
    else { return nil }
    i &+= 7
    let time: Milliseconds
    if b[timeStart] == 0x2B {
      guard let d = TraceTime.parse(b, timeStart + 1, timeEnd) else { return nil }
      time = cursor + d
    } else {
      guard let d = TraceTime.parse(b, timeStart, timeEnd) else { return nil }
      time = d
    }
    guard time >= cursor else { return nil }
    var sample = VitalsSample()
    var seen: UInt8 = 0
    while true {
      while i < n && blank(b[i]) { i += 1 }
      if i == n || b[i] == 0x0A { break }
      if b[i] == 0x23 {  // '#': a comment to the end of the line
        while i < n && b[i] != 0x0A { i += 1 }
        break
      }
      guard let e = plainVital(b, at: i, before: n, into: &sample, seen: &seen),
        e == n || !wordByte(b[e])
      else { return nil }
      i = e
    }
    guard seen != 0 else { return nil }
    return PlainVitalsLine(time: time, sample: sample, lineBreak: i)
  }
}
