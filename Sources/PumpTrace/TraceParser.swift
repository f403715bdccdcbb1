import PumpCore
import PumpProtocol

/// Reads trace text (docs/TRACES.md) into a `Trace`. Never traps on any input: every problem
/// is a `TraceError` naming file, line and column and what was expected there.
public struct TraceParser {
  /// Reads a file a trace refers to (a CSV of vitals), by the path written in the trace
  /// (relative paths are the caller's business). Nil: cannot be read.
  public typealias FileReader = (String) -> [UInt8]?

  var lexer: TraceLexer
  let file: String
  let readFile: FileReader
  var header: TraceHeader
  var steps: [TraceStep] = []
  /// Time of the previous line (relative times count from it; lines never go back).
  var cursor = Milliseconds.zero
  var inBody = false
  var seenKeys: Set<String> = []
  /// Labelled action lines (`12s p1: press`), by name, for `expect … for <label>`.
  var labels: [String: TraceLabel] = [:]
  /// Presses at the latest press instant so far (a labelled press's decision is the n-th at
  /// its instant).
  var pressInstant = Milliseconds(-1)
  var pressesAtInstant = 0
  /// The nearest earlier press and command lines (by file position): what an unlabelled
  /// `expect bolus …` / `expect accepted|rejected` judges.
  var lastPress: TraceLabel?
  var lastCommand: TraceLabel?
  /// Plain vitals lines are read straight from the bytes (`plainVitalsLines`); false: every
  /// line word by word (the differential tests compare the two).
  var plainLines = true

  init(bytes: [UInt8], file: String, readFile: @escaping FileReader) {
    lexer = TraceLexer(bytes: bytes)
    self.file = file
    self.readFile = readFile
    var stem = file.split(separator: "/").last.map(String.init) ?? file
    if stem.hasSuffix(".trace") { stem.removeLast(6) }
    header = TraceHeader(name: stem)
  }

  /// Parses a whole trace.
  ///
  /// - Parameters:
  ///   - bytes: the file's UTF-8 text.
  ///   - file: the name errors and reports use.
  ///   - readFile: reads files the trace refers to (`vitals csv <path>`).
  public static func parse(
    bytes: [UInt8], file: String = "<string>", readFile: @escaping FileReader = { _ in nil }
  ) throws(TraceError) -> Trace {
    try parse(bytes: bytes, file: file, readFile: readFile, plainLines: true)
  }

  /// `parse`, with plain vitals lines read straight from the bytes or (`plainLines` false)
  /// word by word like every other line.
  static func parse(
    bytes: [UInt8], file: String, readFile: @escaping FileReader, plainLines: Bool
  ) throws(TraceError) -> Trace {
    var p = TraceParser(bytes: bytes, file: file, readFile: readFile)
    p.plainLines = plainLines
    try p.run()
    return Trace(file: file, header: p.header, steps: p.steps)
  }

  /// Parses trace text held in a string.
  public static func parse(
    _ text: String, file: String = "<string>", readFile: @escaping FileReader = { _ in nil }
  ) throws(TraceError) -> Trace {
    try parse(bytes: Array(text.utf8), file: file, readFile: readFile)
  }

  mutating func run() throws(TraceError) {
    while true {
      if plainLines { plainVitalsLines() }
      guard lexer.nextLine() else { break }
      guard let first = lexer.tokens.first else { continue }
      let b = lexer.bytes[first.start]
      if TraceLexer.isDigit(b) || b == 0x2B {  // digit or '+'
        inBody = true
        try bodyLine()
      } else if isLetter(b) && lexer.bytes[first.end - 1] == 0x3A && !inBody {
        try headerLine(first)
      } else if isLetter(b) && lexer.bytes[first.end - 1] == 0x3A {
        throw error(
          at: first,
          "expected a time (12.5s, 3min, 01:02:03.250, +5s): header fields go before "
            + "the first timed line, found '\(lexer.text(first))'")
      } else {
        throw error(
          at: first,
          "expected a header field 'key: value' or a time (12.5s, 3min, 01:02:03.250, +5s), "
            + "found '\(lexer.text(first))'")
      }
    }
    if header.profile.isEmpty {
      throw TraceError(
        file: file, line: max(lexer.lineNumber, 1), column: 1,
        message: "expected a 'profile:' header field naming the hardware profile")
    }
    if header.patient == nil {
      for key in ["patient-seed", "patient-monitor"] {
        if let at = header.locations[key] {
          throw TraceError(
            file: file, line: at.line, column: 1,
            message: "'\(key)' needs a 'patient:' header field naming the patient")
        }
      }
    }
  }

  func isLetter(_ b: UInt8) -> Bool { (b | 0x20) >= 0x61 && (b | 0x20) <= 0x7A }

  /// A label as written: a letter, then letters, digits, '-' or '_'.
  func isLabel(_ from: Int, _ to: Int) -> Bool {
    guard from < to, isLetter(lexer.bytes[from]) else { return false }
    for i in from..<to {
      let b = lexer.bytes[i]
      guard isLetter(b) || TraceLexer.isDigit(b) || b == 0x2D || b == 0x5F else { return false }
    }
    return true
  }

  // MARK: Errors

  func error(at t: Token, _ message: String) -> TraceError {
    TraceError(file: file, line: lexer.lineNumber, column: lexer.column(t.start), message: message)
  }

  func error(atByte b: Int, _ message: String) -> TraceError {
    TraceError(file: file, line: lexer.lineNumber, column: lexer.column(b), message: message)
  }

  /// An error just past the last word of the line (something is missing).
  func errorAtEnd(_ message: String) -> TraceError {
    let end = lexer.tokens.last?.end ?? lexer.lineStart
    return TraceError(
      file: file, line: lexer.lineNumber, column: lexer.column(end), message: message)
  }

  // MARK: Shared word parsers

  /// A duration word (`5s`, `1h30min`).
  func duration(_ t: Token, what: String = "a duration (250ms, 12.5s, 3min, 2h, 1d)")
    throws(TraceError) -> Milliseconds
  {
    guard let d = TraceTime.parse(lexer.bytes, t.start, t.end) else {
      throw error(at: t, "expected \(what), found '\(lexer.text(t))'")
    }
    return d
  }

  /// A time word: absolute (`10min`, `01:02:03.250`) or `+duration` from `base`.
  func time(_ t: Token, relativeTo base: Milliseconds) throws(TraceError) -> Milliseconds {
    let what = "a time (12.5s, 3min, 01:02:03.250, +5s)"
    if lexer.bytes[t.start] == 0x2B {
      guard let d = TraceTime.parse(lexer.bytes, t.start + 1, t.end) else {
        throw error(at: t, "expected \(what), found '\(lexer.text(t))'")
      }
      return base + d
    }
    guard let d = TraceTime.parse(lexer.bytes, t.start, t.end) else {
      throw error(at: t, "expected \(what), found '\(lexer.text(t))'")
    }
    return d
  }

  /// A quantity with a unit at word `i` (`2 mg` as two words or `2mg` as one); returns the
  /// value in the dimension's base unit and the index after it.
  func quantity(_ i: Int, _ dimension: Quantity.Dimension) throws(TraceError) -> (Int64, Int) {
    let expected = "expected \(dimension.noun) (\(dimension.unitList))"
    let toks = lexer.tokens
    guard i < toks.count else { throw errorAtEnd("\(expected), found the end of the line") }
    let t = toks[i]
    var split = t.start
    while split < t.end, TraceLexer.isDigit(lexer.bytes[split]) || lexer.bytes[split] == 0x2E {
      split += 1
    }
    var text: String
    var next = i + 1
    var shown: String
    if split == t.end, i + 1 < toks.count {
      text = lexer.text(t) + " " + lexer.text(toks[i + 1])
      shown = text
      next = i + 2
    } else {
      text = lexer.text(from: t.start, to: split) + " " + lexer.text(from: split, to: t.end)
      shown = lexer.text(t)
    }
    do {
      return (try Quantity.parse(text, as: dimension), next)
    } catch {
      throw self.error(at: t, "\(expected), found '\(shown)'")
    }
  }

  /// A name from `table` (case, '-' and '_' ignored).
  func name<T>(_ t: Token, _ table: [(String, T)], what: String) throws(TraceError) -> T {
    try name(lexer.text(t), at: t.start, table, what: what)
  }

  func name<T>(_ s: String, at byte: Int, _ table: [(String, T)], what: String) throws(TraceError)
    -> T
  {
    guard let v = TraceNames.lookup(s, in: table) else {
      throw error(atByte: byte, "expected \(what) (\(TraceNames.list(table))), found '\(s)'")
    }
    return v
  }

  /// Splits `word(inner)` into the word and the inner text with its byte offset.
  func parenthesized(_ t: Token) throws(TraceError) -> (
    head: String, inner: String?, innerStart: Int
  ) {
    guard let open = lexer.bytes[t.start..<t.end].firstIndex(of: 0x28) else {
      return (lexer.text(t), nil, t.end)
    }
    guard lexer.bytes[t.end - 1] == 0x29, open + 1 < t.end - 1 else {
      throw error(at: t, "expected 'word(reason)' with a closing ')', found '\(lexer.text(t))'")
    }
    return (
      lexer.text(from: t.start, to: open), lexer.text(from: open + 1, to: t.end - 1), open + 1
    )
  }

  /// Fails unless the line ends after word `i - 1`.
  func end(_ i: Int) throws(TraceError) {
    if i < lexer.tokens.count {
      let t = lexer.tokens[i]
      throw error(at: t, "expected the end of the line, found '\(lexer.text(t))'")
    }
  }

  /// The labelled line a `for <label>` names (word `i`), which must be of `kind`.
  func labelled(_ i: Int, _ kind: TraceLabel.Kind?, what: String) throws(TraceError) -> TraceLabel {
    let t = try token(i, expected: "a label of an earlier line (\(what))")
    let name = lexer.text(t)
    guard let l = labels[name] else {
      let known = labels.keys.sorted().joined(separator: ", ")
      throw error(
        at: t,
        "expected a label of an earlier line (\(what)\(known.isEmpty ? "; none defined yet" : ": \(known)")), found '\(name)'"
      )
    }
    if let kind, !l.kind.sameKind(as: kind) {
      throw error(at: t, "expected a label of \(what), found '\(name)' (line \(l.line))")
    }
    return l
  }

  /// Word `i`, or an error naming what was expected there.
  func token(_ i: Int, expected: String) throws(TraceError) -> Token {
    guard i < lexer.tokens.count else {
      throw errorAtEnd("expected \(expected), found the end of the line")
    }
    return lexer.tokens[i]
  }
}

/// A labelled action line (`12s rx2: program`), for expectations that name it.
struct TraceLabel {
  enum Kind {
    /// A press: the `ordinal`-th press at its instant (from 0).
    case press(ordinal: Int)
    /// A command with an outcome (clinician commands, `inject fault`, `link`).
    case command
    /// Any other action.
    case other

    func sameKind(as k: Kind) -> Bool {
      switch (self, k) {
      case (.press, .press), (.command, .command), (.other, .other): true
      default: false
      }
    }
  }

  var line: Int
  var time: Milliseconds
  var kind: Kind
}
