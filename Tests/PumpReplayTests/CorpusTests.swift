import Foundation
import KetaPumpTestSupport
import PumpReplay
import PumpTrace
import Testing

/// Tools/test replays the corpus through this suite.
@Suite struct CorpusTests {
  static let dir = "\(repoRoot)/Tests/Traces"

  @Test(
    "REQ-TRACE-CORPUS-01: the corpus replays offline as expected; REQ-TRACE-CHECK-02: expected-to-fail traces fail; REQ-INV-REPLAY-02: no trace breaks a safety invariant"
  )
  func corpus() throws {
    let files = try ReplayBatch.collect([Self.dir])
    #expect(files.count >= 25)
    let jobs = try files.map { f in
      let t = try ReplayBatch.load(f)
      return (t, try TraceSetup.bind(t, to: shippedConfiguration))
    }
    let results = ReplayBatch.run(jobs)
    for r in results {
      #expect(r.error == nil, "\(r.file): \(r.error ?? "")")
      #expect(r.invariantViolation == nil, "\(r.file): \(r.invariantViolation ?? "")")
      #expect(r.asExpected, "\(SummaryReport.details(r))")
      #expect(!r.expectations.isEmpty, "\(r.file) checks nothing")
      if r.expectedVerdict == .fail { #expect(!r.failures.isEmpty) }
    }
    #expect(results.filter { $0.expectedVerdict == .fail }.count >= 5)
    #expect(ReplayBatch.exitStatus(results) == 0)
  }

  @Test("REQ-TRACE-CORPUS-01: every trace names requirement IDs that docs/requirements.md defines")
  func requirementIDs() throws {
    let doc = try String(contentsOfFile: "\(repoRoot)/docs/requirements.md", encoding: .utf8)
    var documented = Set<String>()
    for line in doc.split(separator: "\n") where line.hasPrefix("| REQ-") {
      documented.insert(String(line.dropFirst(2).prefix(while: { $0 != " " })))
    }
    for f in try ReplayBatch.collect([Self.dir]) {
      let t = try ReplayBatch.load(f)
      #expect(!t.header.requirements.isEmpty, "\(f) names no requirement")
      let unknown = t.header.requirements.filter { !documented.contains($0) }
      #expect(unknown.isEmpty, "\(f): not in docs/requirements.md: \(unknown)")
    }
  }

  @Test("REQ-TRACE-CLI-01: exit status 0 when all as expected, 1 on a verdict failure")
  func exitStatus() throws {
    let ok = try replay(minimalHeader + "0s expect mode infusing\n")
    let bad = try replay(minimalHeader + "0s expect mode kvo\n")
    let failsAsExpected = try replay(minimalHeader + "expect-verdict: fail\n0s expect mode kvo\n")
    let failsToFail = try replay(minimalHeader + "expect-verdict: fail\n0s expect mode infusing\n")
    #expect(ReplayBatch.exitStatus([ok, failsAsExpected]) == 0)
    #expect(ReplayBatch.exitStatus([ok, bad]) == 1)
    #expect(ReplayBatch.exitStatus([failsToFail]) == 1)
  }
}
