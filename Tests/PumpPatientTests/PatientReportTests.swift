import Foundation
import KetaPumpTestSupport
import PumpReplay
import PumpTrace
import Testing

#if canImport(FoundationXML)
  import FoundationXML
#endif

/// The HTML report's patient plot.
@Suite struct PatientReportTests {
  static func result(_ text: String) throws -> TraceResult {
    let t = try TraceParser.parse(text, file: "r.trace")
    return OfflineReplay.run(
      t, setup: try TraceSetup.bind(t, to: shippedConfiguration), keepLog: true)
  }

  @Test
  func `REQ-PAT-TRACE-04 a patient trace's report plots Cp, Ce, HR, SBP, pain, presses, delivery`()
    throws
  {
    let r = try Self.result(
      "profile: syringe-pca-60ml\npatient: adult-70kg\npatient-monitor: clean\n1h expect mode infusing\n"
    )
    let html = HTMLReport.html([r])
    #expect(html.contains("Patient (true state; bands: amber warning, red critical)"))
    for label in [
      "Cp, Ce ng/mL", "HR /min (true)", "SBP mmHg (true)", "pain NRS", "presses, delivered",
    ] {
      #expect(html.contains(label), "\(label)")
    }
    #expect(html.contains("granted at"))
    #expect(html.contains("denied(lockout)"))
    // Warning and critical bands are shaded in the patient plot as in the vitals plot.
    let patientSVG = try #require(
      html.range(of: "Patient (true state").map { String(html[$0.lowerBound...]) })
    #expect(patientSVG.contains("#ffa000"))
    #expect(patientSVG.contains("#e53935"))
    // Well-formed XML (the report is XHTML-compatible).
    let body = html.replacingOccurrences(of: "<!DOCTYPE html>", with: "")
    #expect(XMLParser(data: Data(body.utf8)).parse())
    let plain = try Self.result("profile: syringe-pca-60ml\n1h expect mode infusing\n")
    #expect(!HTMLReport.html([plain]).contains("Patient (true state"))
  }
}
