import Foundation
import KetaPumpTestSupport
import PumpReplay
import PumpTrace
import Testing

/// The monitor feed (`OnlinePump.feed`, docs/TRACES.md "Online replay"): vitals samples fed in
/// pipelined `CLOCK VITALS` bursts must be recorded exactly as if each had gone out alone.
@Suite("Online monitor feed", .serialized)
struct OnlineFeedTests {
  static let target = OnlineReplay.Target.spawn(
    pumpsim: "\(productsDirectory)/pumpsim", profiles: "\(repoRoot)/HardwareProfiles")

  /// Corpus traces with 1 Hz vitals series whose events carry the pump's log times (exact
  /// times, `expect logged`): the cases where a burst's replies and its one LOG read must be
  /// split back per sample. Short ones, so the test stays quick in debug builds.
  static func fedTraces() throws -> [(Trace, TraceSetup)] {
    try ReplayBatch.collect([CorpusTests.dir]).compactMap { f in
      let t = try ReplayBatch.load(f)
      let series = t.steps.contains {
        if case .action(.vitalsSeries) = $0.kind { true } else { false }
      }
      guard series, t.needsExactTimes || t.readsLog, t.header.patient == nil,
        OnlineReplay.wireActions(t) < 20_000
      else { return nil }
      return (t, try TraceSetup.bind(t, to: shippedConfiguration))
    }
  }

  @Test(
    "REQ-TRACE-ONLINE-01: fed in pipelined bursts, every vitals sample is recorded as if it had gone out alone: the same observations at the same times in the same order, the log's exact times and `logged` entries included, with fewer requests"
  )
  func feedEqualsOneByOne() throws {
    let traces = try Self.fedTraces()
    #expect(traces.count >= 2, "traces with vitals series and exact times in the corpus")
    for (trace, setup) in traces {
      let fed = OnlineReplay.run(trace, setup: setup, target: Self.target, keepLog: true)
      let alone = OnlineReplay.run(
        trace, setup: setup, target: Self.target, keepLog: true, feedBatch: 0)
      #expect(
        fed.error == nil && alone.error == nil, "\(trace.file): \(fed.error ?? alone.error ?? "")")
      let a = fed.log?.records ?? []
      let b = alone.log?.records ?? []
      #expect(!a.isEmpty)
      if a != b {
        let k = (0..<min(a.count, b.count)).first { a[$0] != b[$0] } ?? min(a.count, b.count)
        Issue.record(
          "\(trace.file): first difference at \(k): fed \(k < a.count ? ObservationLog.describe(a[k]) : "-"), alone \(k < b.count ? ObservationLog.describe(b[k]) : "-")"
        )
      }
      #expect(fed.expectations.map(\.passed) == alone.expectations.map(\.passed), "\(trace.file)")
      #expect(fed.work < alone.work, "\(trace.file): \(fed.work) requests fed, \(alone.work) alone")
    }
  }

  @Test(
    "REQ-TRACE-ONLINE-01: a trace ending on fed vitals samples records every one of them and the end, at the offline instants"
  )
  func lastSamplesFlushed() throws {
    let trace = try TraceParser.parse(
      minimalHeader + "0s vitals every 1s until 10s HR=80 SBP=120 DBP=70\n"
        + "9s vitals HR=81\n", file: "tail.trace")
    let setup = try TraceSetup.bind(trace, to: shippedConfiguration)
    let on = OnlineReplay.run(trace, setup: setup, target: Self.target, keepLog: true)
    let off = OfflineReplay.run(trace, setup: setup, keepLog: true)
    #expect(on.error == nil, "\(on.error ?? "")")
    func delivered(_ r: TraceResult) -> [Int64] {
      (r.log?.records ?? []).compactMap {
        if case .delivered = $0.event { return $0.time.rawValue } else { return nil }
      }
    }
    #expect(delivered(on) == delivered(off))
    #expect(delivered(on).count >= 11 && delivered(on).last == trace.end.rawValue)
  }
}
