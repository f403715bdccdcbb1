import Foundation
import KetaPumpTestSupport
import PumpReplay
import PumpTrace
import Testing

#if canImport(FoundationXML)
  import FoundationXML
#endif

@Suite struct ReportTests {
  /// One passing trace, one failing, one failing as expected, one with a run error.
  static func results() throws -> [TraceResult] {
    [
      try replay(minimalHeader + "name: good & <fine>\n0s expect mode infusing\n"),
      try replay(minimalHeader + "name: bad\n0s vitals SBP=120 DBP=80 HR=70\n0s expect mode kvo\n"),
      try replay(minimalHeader + "name: caught\nexpect-verdict: fail\n0s expect mode kvo\n"),
      try replay(minimalHeader + "name: refused\nbolus: 30 mg\n0s expect mode infusing\n"),
    ]
  }

  @Test(
    "REQ-TRACE-REPORT-01: JUnit XML: one test case per trace, failures with messages, common schema"
  )
  func junit() throws {
    let rs = try Self.results()
    #expect(rs[3].error == "the pump rejected the header's prescription: hard-limit")
    let xml = JUnitReport.xml(rs)
    let doc = try XMLDocument(xmlString: xml)
    let root = try #require(doc.rootElement())
    #expect(root.name == "testsuites")
    #expect(root.attribute(forName: "tests")?.stringValue == "4")
    #expect(root.attribute(forName: "failures")?.stringValue == "1")
    #expect(root.attribute(forName: "errors")?.stringValue == "1")
    let suites = root.elements(forName: "testsuite")
    #expect(suites.count == 1)
    let cases = suites[0].elements(forName: "testcase")
    #expect(
      cases.map { $0.attribute(forName: "name")?.stringValue } == [
        "good & <fine>", "bad", "caught", "refused",
      ])
    #expect(cases[0].elements(forName: "failure").isEmpty)
    let failure = try #require(cases[1].elements(forName: "failure").first)
    #expect(failure.attribute(forName: "message")?.stringValue == "line 4: expect mode kvo")
    #expect(
      failure.stringValue?.hasPrefix("expected mode kvo at 00:00:00.000, actual: infusing(basal)")
        == true)
    #expect(cases[2].elements(forName: "failure").isEmpty)
    #expect(cases[3].elements(forName: "error").count == 1)
    for c in cases {
      #expect(c.attribute(forName: "classname") != nil && c.attribute(forName: "time") != nil)
    }
    // Against the schema, when python3-lxml is there (Tools/validate-junit; 77 = skip).
    let file = FileManager.default.temporaryDirectory.appendingPathComponent(
      "replay-junit-\(getpid()).xml")
    try xml.write(to: file, atomically: true, encoding: .utf8)
    defer { try? FileManager.default.removeItem(at: file) }
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "\(repoRoot)/Tools/validate-junit")
    p.arguments = [file.path]
    try p.run()
    p.waitUntilExit()
    #expect(p.terminationStatus == 0 || p.terminationStatus == 77)
  }

  @Test(
    "REQ-TRACE-REPORT-02: the HTML report is self-contained, well-formed, with SVG plots per trace")
  func html() throws {
    let rs = try Self.results()
    let html = HTMLReport.html(rs)
    #expect(!html.contains("<script"))
    #expect(!html.contains("src=") && !html.contains("<link"))
    let doc = try XMLDocument(
      xmlString: html.replacingOccurrences(of: "<!DOCTYPE html>\n", with: ""))
    let svgs = try doc.nodes(forXPath: "//*[local-name()='svg']")
    // Traces that ran: four plots each (the refused one has no log).
    #expect(svgs.count == 12)
    #expect(html.contains("Vitals (bands: amber warning, red critical)"))
    #expect(html.contains("Dose against the rolling limits"))
    #expect(html.contains("expected mode kvo at 00:00:00.000"))
  }

  @Test("REQ-TRACE-REPORT-03: JSON Lines: one object per trace with verdict and expectations")
  func json() throws {
    let rs = try Self.results()
    let objects = try rs.map { r in
      try #require(
        try JSONSerialization.jsonObject(with: Data(JSONReport.line(r).utf8)) as? [String: Any])
    }
    #expect(objects.map { $0["name"] as? String } == ["good & <fine>", "bad", "caught", "refused"])
    #expect(objects.map { $0["verdict"] as? String } == ["pass", "fail", "fail", "fail"])
    #expect(objects.map { $0["as_expected"] as? Bool } == [true, false, true, false])
    let ex = try #require(objects[1]["expectations"] as? [[String: Any]])
    #expect(ex.first?["passed"] as? Bool == false)
    #expect(ex.first?["line"] as? Int == 4)
    #expect((objects[0]["simulated_ms"] as? Int) == 0)
  }

  @Test("REQ-TRACE-CHECK-01: the summary shows expected vs actual, time and log lines")
  func summary() throws {
    let rs = try Self.results()
    let d = SummaryReport.details(rs[1])
    #expect(
      d.contains(
        "t.trace:4: FAIL expect mode kvo\n  at 00:00:00.000: expected mode kvo at 00:00:00.000, actual: infusing(basal) since 00:00:00.000\n    | "
      ))
    let table = SummaryReport.table(rs)
    #expect(table.hasPrefix("| trace "))
    #expect(table.hasSuffix("2/4 traces as expected\n"))
  }
}
