import PumpCore

/// JUnit XML for CI systems: one `<testcase>` per trace in one `<testsuite>`, failures with
/// their expected-vs-actual messages. Structure of the common (Jenkins) JUnit schema; see
/// Tools/junit.xsd. A trace that fails as its header says it should is a passing test case.
public enum JUnitReport {
  public static func xml(_ results: [TraceResult], suite: String = "pumpmon replay") -> String {
    let failures = results.filter { $0.error == nil && !$0.asExpected }.count
    let errors = results.filter { $0.error != nil }.count
    let skipped = results.filter { $0.skipped != nil }.count
    let time = seconds(results.reduce(0) { $0 + $1.wallNanoseconds })
    var x = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    x += "<testsuites name=\"\(esc(suite))\" tests=\"\(results.count)\" failures=\"\(failures)\""
    x += " errors=\"\(errors)\" time=\"\(time)\">\n"
    x += "  <testsuite name=\"\(esc(suite))\" tests=\"\(results.count)\" failures=\"\(failures)\""
    x += " errors=\"\(errors)\" skipped=\"\(skipped)\" time=\"\(time)\">\n"
    for r in results {
      let dir = r.file.split(separator: "/").dropLast().last.map(String.init) ?? "traces"
      x += "    <testcase name=\"\(esc(r.name))\" classname=\"replay.\(esc(dir))\""
      x += " file=\"\(esc(r.file))\" time=\"\(seconds(r.wallNanoseconds))\""
      x += " assertions=\"\(r.expectations.count)\">\n"
      if let why = r.skipped {
        x += "      <skipped message=\"\(esc(why))\"/>\n"
      } else if let e = r.error {
        x += "      <error message=\"\(esc(e))\" type=\"error\"/>\n"
      } else if !r.asExpected && r.expectedVerdict == .fail {
        let m = "expected to fail (expect-verdict: fail), but every expectation held"
        x += "      <failure message=\"\(esc(m))\" type=\"verdict\"/>\n"
      } else if !r.asExpected {
        for f in r.failures {
          let body = ([f.message] + f.context).joined(separator: "\n")
          x +=
            "      <failure message=\"\(esc("line \(f.line): \(f.text)"))\" type=\"expectation\">"
          x += esc(body) + "</failure>\n"
        }
      }
      var out = "simulated \(TraceTime.format(r.simulated)), \(r.events) events"
      if !r.requirements.isEmpty {
        out += "\nrequirements: " + r.requirements.joined(separator: ", ")
      }
      if r.expectedVerdict == .fail && r.verdict == .fail {
        out += "\nfailed as expected:"
        for f in r.failures { out += "\n  line \(f.line): \(f.message)" }
      }
      x += "      <system-out>\(esc(out))</system-out>\n"
      x += "    </testcase>\n"
    }
    x += "  </testsuite>\n</testsuites>\n"
    return x
  }

  static func seconds(_ ns: Int64) -> String {
    let us = ns / 1000
    let f = us % 1_000_000
    let frac = String(f)
    return "\(us / 1_000_000).\(String(repeating: "0", count: 6 - frac.count))\(frac)"
  }

  /// XML text and attribute escaping; control characters XML 1.0 forbids are dropped.
  static func esc(_ s: String) -> String {
    var o = ""
    o.reserveCapacity(s.count)
    for u in s.unicodeScalars {
      switch u {
      case "&": o += "&amp;"
      case "<": o += "&lt;"
      case ">": o += "&gt;"
      case "\"": o += "&quot;"
      case "'": o += "&apos;"
      case "\n", "\t": o.unicodeScalars.append(u)
      default:
        if u.value < 0x20 || u.value == 0xFFFE || u.value == 0xFFFF { continue }
        o.unicodeScalars.append(u)
      }
    }
    return o
  }
}
