import Foundation
import PumpReplay
import Testing

/// The directory holding the built products (pumpsim) beside this test bundle.
private let productsDirectory: String = {
  let exe = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? ""
  var dir = (exe as NSString).deletingLastPathComponent
  while !dir.isEmpty && dir != "/" && !FileManager.default.fileExists(atPath: "\(dir)/pumpsim") {
    dir = (dir as NSString).deletingLastPathComponent
  }
  return dir
}()

/// Online replay (a fresh pumpsim per trace, over its serial ports) against offline replay.
@Suite("Online replay agrees with offline", .serialized)
struct OnlineAgreementTests {
  @Test(
    "REQ-TRACE-ONLINE-01: the whole corpus replayed online against spawned pumpsim processes gives the offline verdicts, trace by trace and expectation by expectation",
    .timeLimit(.minutes(9)))
  func corpusAgrees() throws {
    let files = try ReplayBatch.collect([CorpusTests.dir])
    let jobs = try files.map { f in
      let t = try ReplayBatch.load(f)
      return (t, try TraceSetup.bind(t, to: shippedConfig))
    }
    let offline = ReplayBatch.run(jobs)
    let target = OnlineReplay.Target.spawn(
      pumpsim: "\(productsDirectory)/pumpsim", profiles: "\(repoRoot)/HardwareProfiles")
    var agreed = 0
    var skipped: [String] = []
    for (k, (trace, setup)) in jobs.enumerated() {
      let off = offline[k]
      let on = OnlineReplay.run(trace, setup: setup, target: target)
      if let why = on.skipped {
        #expect(OnlineReplay.wireActions(trace) > OnlineReplay.defaultMaxWireActions)
        skipped.append("\(trace.file): \(why)")
        continue
      }
      #expect(on.error == nil, "\(trace.file): \(on.error ?? "")")
      #expect(
        on.verdict == off.verdict,
        "\(trace.file): online \(on.verdict), offline \(off.verdict)\n\(SummaryReport.details(on))")
      #expect(on.asExpected, "\(trace.file)")
      #expect(on.expectations.map(\.passed) == off.expectations.map(\.passed), "\(trace.file)")
      if on.error == nil && on.verdict == off.verdict { agreed += 1 }
    }
    print(
      "online agreement: \(agreed)/\(jobs.count) traces agree, \(skipped.count) skipped online:\n"
        + skipped.joined(separator: "\n"))
    #expect(agreed + skipped.count == jobs.count)
    #expect(agreed >= 30)
    #expect(jobs.filter { $0.0.header.expectedVerdict == .fail }.count >= 5)
  }
}
