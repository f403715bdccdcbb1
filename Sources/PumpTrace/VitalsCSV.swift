import PumpCore

/// Vitals from a CSV file, the common export of patient monitors and of VitalDB-style data
/// sets: a header row, then one row per sample. The one CSV reader of KetaPump: trace lines
/// (`vitals csv <file>`) and `pumpmon vitals --from` both read through it.
///
/// Columns are found by name, ignoring case, '_', '-', spaces, quotes and anything up to a '/'
/// (`Solar8000/NIBP_SBP`): time `time`, `t`, `timestamp`, `elapsed`, `times`, `seconds`, `s`;
/// SBP `sbp`, `nibp_sys`, `art_sbp`, `nibp_sbp`, `systolic`, `abps`, `nbps`; DBP `dbp`,
/// `nibp_dia`, `art_dbp`, `nibp_dbp`, `diastolic`, `abpd`, `nbpd`; HR `hr`, `pulse`,
/// `heart_rate`, `pr`; SpO2 `spo2`, `sat`, `pleth_sat_o2`, `pleth_spo2`, `spo2%`; RR `rr`,
/// `resp`, `resp_rate`, `awrr`, `rr_co2`. Other columns are ignored. Separators `,` `;` or tab.
/// Times are seconds (`12.5`) or trace times (`12.5s`, `00:01:00`), strictly ascending. Empty
/// cells and `-` are missing vitals; values 0…999, decimals rounded to the nearest whole number
/// (halves up). Rows with no vital are skipped.
public enum VitalsCSV {
  /// One sample, its time counted from the first sample's.
  public struct Row: Hashable, Sendable {
    public var atMs: Int64
    public var sample: VitalsSample

    public init(atMs: Int64, sample: VitalsSample) {
      self.atMs = atMs
      self.sample = sample
    }
  }

  static let aliases: [(Vital?, [String])] = [
    (nil, ["time", "t", "timestamp", "elapsed", "times", "seconds", "s"]),
    (.sbp, ["sbp", "nibpsys", "artsbp", "nibpsbp", "systolic", "abps", "nbps"]),
    (.dbp, ["dbp", "nibpdia", "artdbp", "nibpdbp", "diastolic", "abpd", "nbpd"]),
    (.hr, ["hr", "pulse", "heartrate", "pr"]),
    (.spo2, ["spo2", "sat", "plethsato2", "plethspo2", "spo2%"]),
    (.rr, ["rr", "resp", "resprate", "awrr", "rrco2"]),
  ]

  /// The samples of a CSV export with their times counted from the first sample (`pumpmon
  /// vitals --from` sends them at that pace).
  public static func rows(bytes: [UInt8], file: String) throws(TraceError) -> [Row] {
    let (times, samples) = try parse(bytes: bytes, file: file, start: .zero)
    guard let first = times.first else { return [] }
    return zip(times, samples).map { Row(atMs: ($0 - first).rawValue, sample: $1) }
  }

  /// Parses a CSV table; samples get `start` + their row time.
  public static func parse(bytes: [UInt8], file: String, start: Milliseconds) throws(TraceError)
    -> (times: [Milliseconds], samples: [VitalsSample])
  {
    var times: [Milliseconds] = []
    var samples: [VitalsSample] = []
    var columns: [Vital?] = []
    var timeColumn = -1
    var lineNumber = 0
    var last = Milliseconds(-1)
    var i = 0
    let n = bytes.count
    if n >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF { i = 3 }
    while i < n {
      lineNumber += 1
      let lineStart = i
      var cells: [(Int, Int)] = []
      var cellStart = i
      while i < n, bytes[i] != 0x0A {
        if bytes[i] == 0x2C || bytes[i] == 0x3B || bytes[i] == 0x09 {
          cells.append((cellStart, i))
          cellStart = i + 1
        }
        i += 1
      }
      var lineEnd = i
      if lineEnd > lineStart, bytes[lineEnd - 1] == 0x0D { lineEnd -= 1 }
      cells.append((cellStart, max(cellStart, lineEnd)))
      i += 1
      func trimmed(_ c: (Int, Int)) -> (Int, Int) {
        var a = c.0
        var b = c.1
        while a < b, bytes[a] == 0x20 || bytes[a] == 0x22 { a += 1 }
        while b > a, bytes[b - 1] == 0x20 || bytes[b - 1] == 0x22 || bytes[b - 1] == 0x0D { b -= 1 }
        return (a, b)
      }
      func col(_ at: Int) -> Int {
        var c = 1
        var k = lineStart
        while k < at {
          if bytes[k] & 0xC0 != 0x80 { c += 1 }
          k += 1
        }
        return c
      }
      func fail(_ at: Int, _ message: String) -> TraceError {
        TraceError(file: file, line: lineNumber, column: col(at), message: message)
      }
      if lineEnd == lineStart { continue }
      if timeColumn < 0 {
        // Header row.
        for c in cells {
          let (a, b) = trimmed(c)
          var name = String(decoding: bytes[a..<b], as: UTF8.self).lowercased()
          if let slash = name.lastIndex(of: "/") {
            name = String(name[name.index(after: slash)...])
          }
          name = String(
            name.unicodeScalars.filter { $0 != "_" && $0 != "-" && $0 != " " && $0 != "\"" })
          var found: Vital?? = nil
          for (v, names) in aliases where names.contains(name) { found = .some(v) }
          if let f = found, f == nil {
            if timeColumn < 0 { timeColumn = columns.count }
            columns.append(nil)
          } else {
            columns.append(found ?? nil)
          }
        }
        if timeColumn < 0 {
          throw fail(
            lineStart, "expected a header row with a time column (time, t, timestamp, elapsed)")
        }
        if !columns.contains(where: { $0 != nil }) {
          throw fail(
            lineStart,
            "expected a header row with at least one vital column (SBP, DBP, HR, SpO2, RR)")
        }
        continue
      }
      guard cells.count >= columns.count || cells.count > timeColumn else {
        throw fail(lineStart, "expected \(columns.count) cells, found \(cells.count)")
      }
      let (ta, tb) = trimmed(cells[timeColumn])
      guard let rel = rowTime(bytes, ta, tb) else {
        throw fail(
          ta,
          "expected a time in seconds (12.5) or a trace time (12.5s, 00:01:00), found '\(String(decoding: bytes[ta..<tb], as: UTF8.self))'"
        )
      }
      let t = start + rel
      guard t > last else {
        throw fail(
          ta,
          "expected times in ascending order, found '\(String(decoding: bytes[ta..<tb], as: UTF8.self))' after \(TraceTime.format(last - start))"
        )
      }
      last = t
      var sample = VitalsSample()
      for (k, v) in columns.enumerated() {
        guard let v, k < cells.count else { continue }
        let (a, b) = trimmed(cells[k])
        if a == b || (b == a + 1 && bytes[a] == 0x2D) { continue }  // empty or '-': missing
        guard let value = number(bytes, a, b), value >= 0, value <= 999 else {
          throw fail(
            a,
            "expected a number 0…999 for \(TraceNames.name(v, in: TraceNames.vitals)), found '\(String(decoding: bytes[a..<b], as: UTF8.self))'"
          )
        }
        sample.set(v, value)
      }
      if sample.presentMask == 0 { continue }
      times.append(t)
      samples.append(sample)
    }
    return (times, samples)
  }

  /// Seconds with an optional fraction (`12.5`), or a trace time.
  static func rowTime(_ b: [UInt8], _ s: Int, _ e: Int) -> Milliseconds? {
    guard s < e else { return nil }
    if b[s..<e].allSatisfy({ TraceLexer.isDigit($0) || $0 == 0x2E }) {
      var copy = Array(b[s..<e])
      copy.append(0x73)  // seconds
      return TraceTime.parse(copy, 0, copy.count)
    }
    return TraceTime.parse(b, s, e)
  }

  /// A decimal number rounded half up to an integer.
  static func number(_ b: [UInt8], _ s: Int, _ e: Int) -> Int32? {
    var v: Int64 = 0
    var i = s
    var digits = 0
    while i < e, TraceLexer.isDigit(b[i]) {
      v = v * 10 + Int64(b[i] - 0x30)
      digits += 1
      if v > 100_000 { return nil }
      i += 1
    }
    guard digits > 0 else { return nil }
    if i < e {
      guard b[i] == 0x2E else { return nil }
      i += 1
      var first = true
      while i < e {
        guard TraceLexer.isDigit(b[i]) else { return nil }
        if first, b[i] >= 0x35 { v += 1 }
        first = false
        i += 1
      }
    }
    return Int32(v)
  }
}
