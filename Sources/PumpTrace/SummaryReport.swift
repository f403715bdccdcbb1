import PumpCore

/// Text output for people: failures with expected vs actual and the log around them, and a
/// summary table with one row per trace.
public enum SummaryReport {
  /// The failure details of one result (empty when it went as expected).
  public static func details(_ r: TraceResult) -> String {
    var out = r.notes.map { "\($0)\n" }.joined()
    guard !r.asExpected || r.error != nil else { return out }
    if let e = r.error { out += "\(r.file): error: \(e)\n" }
    if let v = r.invariantViolation {
      out += "\(r.file): SAFETY INVARIANT VIOLATED (fails whatever the trace expects): \(v)\n"
    }
    if r.expectedVerdict == .fail && r.verdict == .pass {
      out += "\(r.file): expected to fail (expect-verdict: fail), but every expectation held\n"
    }
    for f in r.failures where r.expectedVerdict == .pass {
      out += "\(r.file):\(f.line): FAIL \(f.text)\n"
      out += "  at \(TraceTime.format(f.time)): \(f.message)\n"
      for c in f.context { out += "    | \(c)\n" }
    }
    return out
  }

  /// One row per trace: verdict, expected verdict, expectations, simulated and wall time.
  public static func table(_ results: [TraceResult]) -> String {
    let head = ["trace", "result", "verdict", "expected", "checks", "simulated", "events", "wall"]
    var rows: [[String]] = []
    for r in results {
      let passed = r.expectations.filter(\.passed).count
      rows.append([
        r.name, r.skipped != nil ? "skipped" : r.asExpected && r.error == nil ? "ok" : "FAILED",
        r.skipped != nil ? "-" : r.verdict.rawValue,
        r.expectedVerdict.rawValue, "\(passed)/\(r.expectations.count)",
        TraceTime.format(r.simulated), "\(r.events)", ms(r.wallNanoseconds),
      ])
    }
    let ok = results.filter { $0.asExpected && $0.error == nil }.count
    var widths = head.map(\.count)
    for row in rows { for (i, c) in row.enumerated() { widths[i] = max(widths[i], c.count) } }
    func line(_ cells: [String]) -> String {
      "| "
        + cells.enumerated().map { i, c in c + String(repeating: " ", count: widths[i] - c.count) }
        .joined(separator: " | ") + " |"
    }
    var out = line(head) + "\n"
    out += "|" + widths.map { String(repeating: "-", count: $0 + 2) }.joined(separator: "|") + "|\n"
    for row in rows { out += line(row) + "\n" }
    let skipped = results.filter { $0.skipped != nil }
    out += "\(ok - skipped.count)/\(results.count) traces as expected"
    out += skipped.isEmpty ? "\n" : ", \(skipped.count) skipped\n"
    for r in skipped { out += "skipped \(r.file): \(r.skipped ?? "")\n" }
    return out
  }

  static func ms(_ ns: Int64) -> String {
    let tenths = ns / 100_000
    return "\(tenths / 10).\(tenths % 10) ms"
  }
}
