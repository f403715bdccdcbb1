import PumpCore

/// A recorded vitals series from a CSV export: a header row naming the columns (time, sbp, dbp,
/// hr, spo2, rr: case-insensitive, `_`/`-` ignored, anything up to `/` dropped, common monitor
/// aliases accepted), separators `,` `;` or tab, time in seconds (decimals allowed, first row may
/// start anywhere), empty cells or `-` for missing values, decimals rounded half up.
public enum VitalsCSV {
  /// One sample: time in ms since the first row and the values.
  public struct Row: Hashable, Sendable {
    public var atMs: Int64
    public var sample: VitalsSample
  }

  static let aliases: [(Int, [String])] = [
    (0, ["time", "t", "timestamp", "elapsed", "seconds", "s"]),
    (1, ["sbp", "nibpsys", "nibpsbp", "artsbp", "systolic"]),
    (2, ["dbp", "nibpdia", "nibpdbp", "artdbp", "diastolic"]),
    (3, ["hr", "pulse", "heartrate", "pr"]),
    (4, ["spo2", "sat", "plethspo2", "plethsato2"]),
    (5, ["rr", "resp", "resprate", "awrr", "rrco2"]),
  ]

  /// Parses CSV text; errors name `file:line`.
  public static func parse(_ text: String, file: String) throws(ScriptError) -> [Row] {
    let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map {
      $0.hasSuffix("\r") ? $0.dropLast() : $0
    }
    guard let headerIndex = lines.firstIndex(where: { !$0.isEmpty }) else {
      throw ScriptError(file: file, line: 1, message: "empty file: expected a header row")
    }
    let header = lines[headerIndex]
    let sep: Character = header.contains(";") ? ";" : header.contains("\t") ? "\t" : ","
    var columns = [Int?](repeating: nil, count: 6)
    for (i, name) in header.split(separator: sep, omittingEmptySubsequences: false).enumerated() {
      var key = name.lowercased().filter { $0 != "_" && $0 != "-" && $0 != " " && $0 != "\"" }
      if let slash = key.lastIndex(of: "/") { key = String(key[key.index(after: slash)...]) }
      for (col, names) in aliases where names.contains(key) && columns[col] == nil {
        columns[col] = i
      }
    }
    guard let timeCol = columns[0] else {
      throw ScriptError(
        file: file, line: headerIndex + 1, message: "no time column (time, t, timestamp, elapsed)")
    }
    guard columns[1...].contains(where: { $0 != nil }) else {
      throw ScriptError(
        file: file, line: headerIndex + 1, message: "no vitals column (sbp, dbp, hr, spo2, rr)")
    }
    var rows: [Row] = []
    var first: Int64?
    for n in (headerIndex + 1)..<lines.count where !lines[n].isEmpty {
      let cells = lines[n].split(separator: sep, omittingEmptySubsequences: false).map {
        String($0).trimmingSpaces
      }
      func fail(_ m: String) -> ScriptError { ScriptError(file: file, line: n + 1, message: m) }
      guard timeCol < cells.count, let ms = millis(cells[timeCol]) else {
        throw fail("expected a time in seconds in column \(timeCol + 1)")
      }
      var v = [Int32?](repeating: nil, count: 6)
      for c in 1...5 {
        guard let idx = columns[c], idx < cells.count else { continue }
        let cell = cells[idx]
        if cell.isEmpty || cell == "-" { continue }
        guard let x = rounded(cell), (0...999).contains(x) else {
          throw fail("column \(idx + 1): expected a number 0-999, found '\(cell)'")
        }
        v[c] = x
      }
      let base = first ?? ms
      first = base
      guard ms >= base, rows.last.map({ ms - base >= $0.atMs }) ?? true else {
        throw fail("times must not go back")
      }
      rows.append(
        Row(
          atMs: ms - base,
          sample: VitalsSample(sbp: v[1], dbp: v[2], hr: v[3], spo2: v[4], rr: v[5])))
    }
    return rows
  }

  /// `12.5` → 12500 ms (at most ms precision).
  static func millis(_ s: String) -> Int64? {
    let parts = s.split(separator: ".", omittingEmptySubsequences: false)
    guard (1...2).contains(parts.count), let whole = Int64(parts[0]), whole >= 0,
      whole < 100_000_000
    else { return nil }
    var frac: Int64 = 0
    if parts.count == 2 {
      let f = parts[1].prefix(3)
      guard !f.isEmpty, f.allSatisfy(\.isNumber), let x = Int64(f) else { return nil }
      frac = x * [100, 10, 1][f.count - 1]
    }
    return whole * 1000 + frac
  }

  /// `97.5` → 98 (half up).
  static func rounded(_ s: String) -> Int32? {
    guard let ms = millis(s) else { return nil }
    return Int32(clamping: (ms + 500) / 1000)
  }
}
