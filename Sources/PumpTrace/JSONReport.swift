import PumpCore

/// Machine-readable results: one JSON object per trace (JSON Lines), keys in a fixed order.
///
/// `{"name":…,"file":…,"verdict":"pass","expected_verdict":"pass","as_expected":true,
/// "error":null,"skipped":null,"notes":[],"simulated_ms":…,"wall_ns":…,"events":…,"requirements":[…],
/// "expectations":[{"line":12,"time_ms":…,"text":…,"passed":true,"message":""}]}`
public enum JSONReport {
  public static func line(_ r: TraceResult) -> String {
    var o = "{\"name\":\(str(r.name)),\"file\":\(str(r.file))"
    o +=
      ",\"verdict\":\(str(r.verdict.rawValue)),\"expected_verdict\":\(str(r.expectedVerdict.rawValue))"
    o += ",\"as_expected\":\(r.asExpected && r.error == nil)"
    o += ",\"error\":\(r.error.map(str) ?? "null")"
    o += ",\"skipped\":\(r.skipped.map(str) ?? "null")"
    o += ",\"notes\":[\(r.notes.map(str).joined(separator: ","))]"
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

  /// A JSON string literal (`JSONValue`'s escaper).
  static func str(_ s: String) -> String { JSONValue.quoted(s) }
}
