import PumpCore

/// Machine-readable results: one JSON object per trace (JSON Lines), keys in a fixed order.
///
/// `{"name":…,"file":…,"verdict":"pass","expected_verdict":"pass","as_expected":true,
/// "error":null,"skipped":null,"simulated_ms":…,"wall_ns":…,"events":…,"requirements":[…],
/// "expectations":[{"line":12,"time_ms":…,"text":…,"passed":true,"message":""}]}`
public enum JSONReport {
  public static func line(_ r: TraceResult) -> String {
    var o = "{\"name\":\(str(r.name)),\"file\":\(str(r.file))"
    o +=
      ",\"verdict\":\(str(r.verdict.rawValue)),\"expected_verdict\":\(str(r.expectedVerdict.rawValue))"
    o += ",\"as_expected\":\(r.asExpected && r.error == nil)"
    o += ",\"error\":\(r.error.map(str) ?? "null")"
    o += ",\"skipped\":\(r.skipped.map(str) ?? "null")"
    o += ",\"simulated_ms\":\(r.simulated.rawValue),\"wall_ns\":\(r.wallNanoseconds)"
    o += ",\"events\":\(r.events),\"work\":\(r.work)"
    o += ",\"requirements\":[\(r.requirements.map(str).joined(separator: ","))]"
    o += ",\"expectations\":["
    o += r.expectations.map { e in
      "{\"line\":\(e.line),\"time_ms\":\(e.time.rawValue),\"text\":\(str(e.text)),"
        + "\"passed\":\(e.passed),\"message\":\(str(e.message))}"
    }.joined(separator: ",")
    o += "]}"
    return o
  }

  /// A JSON string literal.
  static func str(_ s: String) -> String {
    var o = "\""
    for u in s.unicodeScalars {
      switch u {
      case "\"": o += "\\\""
      case "\\": o += "\\\\"
      case "\n": o += "\\n"
      case "\r": o += "\\r"
      case "\t": o += "\\t"
      default:
        if u.value < 0x20 {
          let h = String(u.value, radix: 16)
          o += "\\u" + String(repeating: "0", count: 4 - h.count) + h
        } else {
          o.unicodeScalars.append(u)
        }
      }
    }
    return o + "\""
  }
}
