import PumpCore
import Testing

@testable import PumpTrace

/// Plain vitals lines read straight from the bytes (`TraceParser.plainVitalsLines`,
/// docs/PERFORMANCE.md "Parsing") against the word-by-word parser: for any text, both give the
/// same trace or the same error, to the column.
@Suite struct TracePlainLineTests {
  static let header = "profile: syringe-pca-60ml\n"

  /// Parses `text` both ways: the trace, or the error's description.
  static func both(_ text: String) -> (plain: String, words: String, same: Bool) {
    func run(_ plain: Bool) -> Result<Trace, TraceError> {
      Result { () throws(TraceError) -> Trace in
        try TraceParser.parse(
          bytes: Array(text.utf8), file: "plain.trace", readFile: { _ in nil }, plainLines: plain)
      }
    }
    let a = run(true)
    let b = run(false)
    func show(_ r: Result<Trace, TraceError>) -> String {
      switch r {
      case .success(let t): "\(t.steps.count) steps"
      case .failure(let e): e.description
      }
    }
    return (show(a), show(b), a == b)
  }

  /// Pieces lines are made of: mostly what a plain line holds, with every near miss the
  /// word-by-word parser must judge (labels, roles, other verbs, bad values, comments, blanks).
  static let times = [
    "0s", "1s", "2s", "+1s", "+0s", "+250ms", "3min", "1h", "01:02:03.250", "1.5s", "1.0001s",
    "12x", "+", "0", "1s#", "-1s", "+1s2", "99999999999999s", "00:00:01", "1:60:00",
  ]
  static let verbs = [
    "vitals", "vitals", "vitals", "VITALS", "Vitals", "vital", "vitalsx", "press", "v1:", "expect",
    "vitals:", "vítals",
  ]
  static let words = [
    "SBP=120", "DBP=80", "HR=72", "SpO2=98", "RR=14", "sbp=9", "spo2=100", "rr=0", "Hr=007",
    "HR=0072", "HR=999", "HR=1000", "HR=000999", "HR=-", "HR=", "HR", "=80", "BPM=80", "HR=8a",
    "HR=80#", "#", "# note", "as", "patient", "every", "csv", "jitter", "HR=８", "SpO=90",
    "SpO22=90", "S=1", "HRR=1", "HR==1", "HR=+1", "é", "1s",
  ]
  static let gaps = [" ", " ", " ", "  ", "\t", " \t ", "\r", ""]
  static let ends = ["\n", "\n", "\n", "\r\n", " \n", "\t# comment\n", "\n\n", "\n# c\n", ""]

  static func pick<T>(_ xs: [T], _ rng: inout SplitMix64) -> T {
    xs[Int(rng.next() % UInt64(xs.count))]
  }

  /// A random line: three in four plain and valid (vitals in any order, case and spacing,
  /// leading zeros, comments), the others with one piece drawn from the near misses.
  static func line(_ k: Int, _ rng: inout SplitMix64) -> String {
    let names: [Vital: String] = [.sbp: "SBP", .dbp: "DBP", .hr: "HR", .spo2: "SpO2", .rr: "RR"]
    var pieces = [
      ["\(k)s", "+0s", "+1s", "+250ms", "00:00:0\(k)", "\(k)000ms"][Int(rng.next() % 6)], "vitals",
    ]
    for v in Vital.allCases.shuffled(using: &rng) where rng.next() % 3 != 0 {
      var name = names[v]!
      if rng.next() % 4 == 0 { name = name.lowercased() }
      let zeros = rng.next() % 5 == 0 ? "0" : ""
      pieces.append("\(name)=\(zeros)\(rng.next() % 1000)")
    }
    if pieces.count == 2 { pieces.append("HR=80") }
    var end = pick(Array(ends.prefix(8)), &rng)
    var lead = rng.next() % 8 == 0 ? pick(gaps, &rng) : ""
    if rng.next() % 4 == 0 {
      switch rng.next() % 6 {
      case 0: pieces[0] = pick(times, &rng)
      case 1: pieces[1] = pick(verbs, &rng)
      case 2: pieces.insert(pick(words, &rng), at: 2 + Int(rng.next() % UInt64(pieces.count - 1)))
      case 3: pieces[2 + Int(rng.next() % UInt64(pieces.count - 2))] = pick(words, &rng)
      case 4: end = pick(ends, &rng)
      default: lead = pick(words, &rng) + " "
      }
    }
    var s = lead
    for (n, p) in pieces.enumerated() {
      s += (n == 0 ? "" : pick(Array(gaps.prefix(7)), &rng)) + p
    }
    if rng.next() % 20 == 0 { s += pick(gaps, &rng) }  // "" here joins the line to the next
    return s + end
  }

  @Test(
    "REQ-TRACE-PARSE-01: plain vitals lines read from the bytes give the word-by-word parser's steps or its exact error"
  )
  func sameAsWordByWord() {
    var rng = SplitMix64(seed: 14_300)
    var parsed = 0
    for _ in 0..<4000 {
      var text = rng.next() % 16 == 0 ? "" : Self.header  // none: the error names the last line
      for k in 0..<Int(1 + rng.next() % 8) { text += Self.line(k, &rng) }
      let r = Self.both(text)
      #expect(r.same, "\(text.debugDescription): plain \(r.plain), word by word \(r.words)")
      if r.plain.hasSuffix("steps") { parsed += 1 }
    }
    // Both kinds of outcome are exercised.
    #expect(parsed > 800 && parsed < 3200, "\(parsed) of 4000 parsed")
  }

  @Test(
    "REQ-TRACE-FORMAT-01: plain vitals lines mixed with other lines keep their line numbers, times and order"
  )
  func mixedLines() throws {
    let text =
      Self.header
        + """
        0s vitals SBP=120 HR=80
        # a comment

        +1s vitals HR=81 RR=12 # and a note
        2s press
          3s   vitals\tSpO2=97\r
        3s v1: vitals HR=82
        4s vitals every 1s until 10s HR=90
        4s vitals HR=- SBP=100
        5s vitals HR=0083
        00:00:06 vitals DBP=70
        +1s expect alarm vitals-warning within 1s
        7s vitals SBP=121 DBP=71 HR=72 SpO2=99 RR=13
        """
    let r = Self.both(text)
    #expect(r.same, "plain \(r.plain), word by word \(r.words)")
    let trace = try TraceParser.parse(text)
    let lines = trace.steps.map(\.line)
    #expect(lines == [2, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14])
    #expect(trace.steps.last?.time == Milliseconds(7_000))
    guard case .action(.vitals(let last)) = trace.steps.last?.kind else {
      Issue.record("last step \(String(describing: trace.steps.last))")
      return
    }
    #expect(last == VitalsSample(sbp: 121, dbp: 71, hr: 72, spo2: 99, rr: 13))
  }

  @Test(
    "REQ-TRACE-PARSE-01: an error after a run of plain lines names its file:line:column",
    arguments: [
      ("0s vitals HR=80\n1s vitals HR=81\n0s vitals HR=82\n", "plain.trace:4:1:"),
      ("0s vitals HR=80\n1s vitals HR=81\n2s vitals HR=1000\n", "plain.trace:4:14:"),
      ("0s vitals HR=80\n1s vitals HR=81 HR=82\n", "plain.trace:3:17:"),
      ("0s vitals HR=80\n1s vitals HR=x", "plain.trace:3:14:"),
      ("0s vitals HR=80\n1s vitals HR=81\nprofile: x\n", "plain.trace:4:1:"),
    ])
  func errorsAfterPlainLines(body: String, at: String) {
    for bom in ["", "\u{FEFF}"] {
      let r = Self.both(bom + Self.header + body)
      #expect(r.same, "plain \(r.plain), word by word \(r.words)")
      #expect(r.plain.hasPrefix(at), "\(r.plain)")
    }
  }
}
