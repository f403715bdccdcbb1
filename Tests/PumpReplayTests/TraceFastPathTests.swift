import Foundation
import KetaPumpTestSupport
import PumpCore
import PumpReplay
import Testing

@testable import PumpTrace

/// Forwards every call to a driver and records it, in order.
struct CallRecorder<D: TraceDriver>: TraceDriver {
  enum Call: Equatable {
    case apply(TraceAction, Milliseconds, line: Int)
    case advance(Milliseconds)
  }

  var inner: D
  var calls: [Call] = []
  var work: Int64 { inner.work }

  mutating func begin(_ setup: TraceSetup, log: inout ObservationLog) throws(TraceError) {
    try inner.begin(setup, log: &log)
  }
  mutating func apply(_ a: TraceAction, at t: Milliseconds, line: Int, log: inout ObservationLog) {
    calls.append(.apply(a, t, line: line))
    inner.apply(a, at: t, line: line, log: &log)
  }
  mutating func apply(vitals s: VitalsSample, at t: Milliseconds, log: inout ObservationLog) {
    calls.append(.apply(.vitals(s), t, line: 0))  // The call it stands for.
    inner.apply(vitals: s, at: t, log: &log)
  }
  mutating func advance(to t: Milliseconds, log: inout ObservationLog) {
    calls.append(.advance(t))
    inner.advance(to: t, log: &log)
  }
}

/// The trace tooling's fast paths (docs/PERFORMANCE.md, "Issue 14, trace tooling") against the
/// code they replaced (ReferenceReplay.swift): the one-series runner path and the series
/// expansion, the log's reserved room, the delivered curve and the window sweep. Every corpus
/// trace and seeded random traces run both ways, call by call and expectation by expectation.
@Suite struct TraceFastPathTests {
  /// What one offline replay gave: the driver calls, the run, the verdicts, the violation.
  struct Outcome {
    var calls: [CallRecorder<OfflineDriver>.Call]
    var run: TraceRun
    var results: [ExpectationResult]
    var violation: String?
    /// Samples the driver took straight to the pump (`OfflineDriver.apply(vitals:at:log:)`).
    var directVitals: Int
  }

  /// Replays `trace` offline as `OfflineReplay.run` does, through the runner or the reference.
  static func replay(_ trace: Trace, _ setup: TraceSetup, reference: Bool) throws(TraceError)
    -> Outcome
  {
    var driver = OfflineDriver(setup: setup)
    driver.samplesValues = trace.samplesValues
    driver.readsLog = trace.readsLog
    var rec = CallRecorder(inner: driver)
    let run =
      reference
      ? try ReferenceRunner.run(trace, setup: setup, driver: &rec, capturesVitals: true)
      : try TraceRunner.run(trace, setup: setup, driver: &rec, capturesVitals: true)
    let results = TraceChecker.check(trace, log: run.log, controlTick: setup.profile.controlTick)
    return Outcome(
      calls: rec.calls, run: run, results: results,
      violation: rec.inner.violation?.description, directVitals: rec.inner.debugDirectVitals)
  }

  /// The verdict and message the checker gave before, for a delivered-window expectation:
  /// the reference sweep's amount in the checker's words.
  static func referenceWindow(
    _ x: PumpTrace.Expectation, at t: Milliseconds, _ ref: ReferenceWindows
  ) -> (passed: Bool, message: String)? {
    switch x {
    case .anchored(let inner, let at, _): return referenceWindow(inner, at: at, ref)
    case .delivered(let cmp, let limit, .window(let w)):
      let (actual, end) = ref.maxWindow(w.rawValue, upTo: t.rawValue)
      if cmp.holds(actual, limit.rawValue) { return (true, "") }
      let mg = TraceChecker.mg
      return (
        false,
        "expected delivered \(cmp.describe(mg(limit.rawValue), tolerance: { mg($0.rawValue) })) in any \(TraceTime.formatDuration(w)) window up to \(TraceTime.format(t)) (largest ends at \(TraceTime.format(Milliseconds(end)))), actual: \(mg(actual))"
      )
    default: return nil
    }
  }

  /// Records the first element where `new` and `old` differ, or their lengths (not the
  /// arrays: a day of 1 Hz samples).
  static func same<T: Equatable>(_ new: [T], _ old: [T], _ what: String) {
    if let k = zip(new, old).enumerated().first(where: { $0.1.0 != $0.1.1 })?.0 {
      Issue.record("\(what): [\(k)] \(new[k]), before \(old[k])")
    } else if new.count != old.count {
      Issue.record("\(what): \(new.count) elements, before \(old.count)")
    }
  }

  /// Runs `trace` both ways and requires the same calls, log, run and verdicts; returns the
  /// samples the one-series path took, the window expectations compared and the samples the
  /// driver took straight to the pump.
  static func compare(_ trace: Trace, _ setup: TraceSetup) throws -> (
    fast: Int, windows: Int, direct: Int
  ) {
    let old: Outcome
    let new: Outcome
    do {
      old = try replay(trace, setup, reference: true)
    } catch {
      #expect(throws: TraceError.self) { try replay(trace, setup, reference: false) }
      Issue.record("\(trace.file) does not start: \(error.message)")
      return (0, 0, 0)
    }
    new = try replay(trace, setup, reference: false)
    let f = trace.file
    same(new.calls, old.calls, "\(f): driver calls")
    same(new.run.log.records, old.run.log.records, "\(f): observations")
    same(new.run.log.vitals.map(\.0), old.run.log.vitals.map(\.0), "\(f): vitals times")
    same(new.run.log.vitals.map(\.1), old.run.log.vitals.map(\.1), "\(f): vitals fed")
    #expect(new.run.end == old.run.end && new.run.events == old.run.events, "\(f)")
    #expect(new.run.work == old.run.work, "\(f)")
    #expect(new.violation == old.violation, "\(f)")
    same(new.results, old.results, "\(f): expectation results")
    // The delivered curve and every window amount, against the checker's code before.
    let ref = ReferenceWindows(old.run.log)
    let tl = Timeline(new.run.log)
    same(tl.deliveredTimes, ref.deliveredTimes, "\(f): delivered times")
    same(tl.deliveredValues, ref.deliveredValues, "\(f): delivered totals")
    var windows = 0
    for (x, r) in zip(trace.expectations, new.results) {
      guard let want = referenceWindow(x.expectation, at: x.time, ref) else { continue }
      windows += 1
      #expect(r.passed == want.passed && r.message == want.message, "\(f):\(x.line) \(x.text)")
    }
    #expect(old.directVitals == 0, "\(f): the reference runner feeds samples as actions")
    return (new.run.debugFastSamples, windows, new.directVitals)
  }

  static func traceFiles() throws -> [String] {
    let dir = "\(repoRoot)/Tests/Traces"
    return Array(Set(try ReplayBatch.collect([dir, "\(dir)/patient"]))).sorted()
  }

  @Test(
    "REQ-TRACE-CORPUS-01: every corpus trace, patient ones included, replays and checks as before the fast paths"
  )
  func corpus() throws {
    let files = try Self.traceFiles()
    #expect(files.count >= 40)
    #expect(files.contains { $0.contains("/patient/") })
    var fast = 0
    var windows = 0
    var direct = 0
    for file in files {
      let trace = try ReplayBatch.load(file)
      let (n, w, d) = try Self.compare(
        trace, try TraceSetup.bind(trace, to: shippedConfiguration))
      fast += n
      windows += w
      direct += d
    }
    #expect(fast > 100_000, "the one-series path was not taken")
    #expect(direct > 100_000, "the driver's direct vitals path was not taken")
    #expect(windows >= 20)
  }

  /// A random trace: a baseline series (any period, jitter), overlays naming some vitals
  /// (some with `-`), single samples, presses, link changes, a clock advance, and delivered
  /// amounts in windows on and off the samples' grid.
  static func randomTrace(_ rng: inout SplitMix64, seed: Int) -> String {
    func pick<T>(_ xs: [T]) -> T { xs[Int(rng.next() % UInt64(xs.count))] }
    let names = ["SBP", "DBP", "HR", "SpO2", "RR"]
    let span = Int64(60_000 + rng.next() % 1_800_000)
    var lines: [(Int64, String)] = []
    let period = pick(["1s", "2s", "700ms", "250ms", "1500ms"])
    lines.append(
      (
        0,
        "vitals every \(period) until \(span)ms SBP=125 DBP=75 HR=80 SpO2=97 RR=14 jitter \(rng.next() % 4)"
      ))
    for _ in 0..<Int(rng.next() % 5) {
      // Often at a whole second: on the baseline's grid, a sample at the series line's instant.
      var t = Int64(rng.next() % UInt64(span))
      if rng.next() % 2 == 0 { t -= t % 1000 }
      var words: [String] = []
      for n in names where rng.next() % 3 == 0 {
        words.append(rng.next() % 4 == 0 ? "\(n)=-" : "\(n)=\(60 + rng.next() % 140)")
      }
      if words.isEmpty { words = ["SBP=170"] }
      let every = pick(["1s", "2s", "300ms", "1s"])
      let until = t + Int64(1 + rng.next() % 300_000)
      lines.append(
        (
          t,
          "vitals every \(every) until \(until)ms \(words.joined(separator: " ")) jitter \(rng.next() % 3)"
        ))
    }
    for _ in 0..<Int(rng.next() % 4) {
      lines.append((Int64(rng.next() % UInt64(span)), "vitals HR=\(60 + rng.next() % 120)"))
    }
    for _ in 0..<Int(rng.next() % 6) { lines.append((Int64(rng.next() % UInt64(span)), "press")) }
    if rng.next() % 3 == 0 {
      let t = Int64(rng.next() % UInt64(span))
      lines.append((t, "link down"))
      lines.append((t + 30_000, "link up"))
    }
    if rng.next() % 4 == 0 {
      lines.append((Int64(rng.next() % UInt64(span)), "clock advance \(1 + rng.next() % 90)s"))
    }
    // Samples reach nobody while the pump is off (the driver's general path). Drawn from a
    // stream of its own, so the rest of every trace is the one it was before.
    var power = SplitMix64(seed: UInt64(seed) &+ 0x504F_5745)
    if power.next() % 4 == 0 {
      let t = Int64(power.next() % UInt64(span))
      lines.append((t, "power lost"))
      lines.append((t + Int64(1 + power.next() % 120_000), "power restored"))
    }
    for _ in 0..<Int(1 + rng.next() % 5) {
      let t = Int64(rng.next() % UInt64(span + 60_000))
      let w = pick(["1min", "10min", "7s", "1500ms", "1h", "999ms"])
      let limit = pick(["0 mg", "0.5 mg", "2 mg", "100 mg"])
      lines.append((t, "expect delivered \(pick(["≤", "≥", "<"])) \(limit) in window \(w)"))
    }
    lines.append((span + 60_000, "expect mode infusing"))
    // Stable order by time (file order at equal times), as the file needs; a clock advance
    // moves every later line by its length.
    var sorted = lines.enumerated().sorted { ($0.1.0, $0.0) < ($1.1.0, $1.0) }.map(\.1)
    var shift: Int64 = 0
    for k in sorted.indices {
      sorted[k].0 += shift
      if sorted[k].1.hasPrefix("clock advance ") {
        shift += Int64(sorted[k].1.dropFirst(14).dropLast())! * 1000
      }
    }
    return "profile: syringe-pca-60ml\nseed: \(seed)\n"
      + sorted.map { "\($0.0)ms \($0.1)" }.joined(separator: "\n") + "\n"
  }

  @Test(
    "REQ-TRACE-REPLAY-02: seeded random traces (overlays, periods off the 1-s grid, windows of any length) replay and check as before the fast paths"
  )
  func randomTraces() throws {
    var rng = SplitMix64(seed: 0x7472_6163)
    var fast = 0
    var windows = 0
    var direct = 0
    var ran = 0
    for k in 0..<60 {
      let text = Self.randomTrace(&rng, seed: k)
      let trace: Trace
      do {
        trace = try TraceParser.parse(text, file: "random-\(k).trace")
      } catch {
        Issue.record("random trace \(k) does not parse: \(error.message)\n\(text)")
        continue
      }
      let (n, w, d) = try Self.compare(
        trace, try TraceSetup.bind(trace, to: shippedConfiguration))
      fast += n
      windows += w
      direct += d
      ran += 1
    }
    #expect(ran == 60)
    #expect(fast > 10_000, "the one-series path was not taken")
    #expect(direct > 10_000, "the driver's direct vitals path was not taken")
    #expect(windows > 100)
  }

  @Test("REQ-TRACE-REPLAY-02: the jitter stream is the seeded one every corpus trace depends on")
  func jitterStream() {
    // SplitMix64 (Steele, Lea & Flood) written out independently, seed 2024 (postop-24h's).
    var rng = SplitMix64(seed: 2024)
    #expect(rng.next() == 0x9F6D_8FEC_F88E_ECD5)
    #expect(rng.next() == 0x18E4_30BB_1511_F2D2)
    rng = SplitMix64(seed: 2024)
    let amplitudes: [Int32] = [3, 1, 2, 999, 3, 7, 0, 3, 1, 5, 2, 3]
    #expect(amplitudes.map { rng.jitter($0) } == [0, 1, -1, 390, 1, -3, 0, 1, 1, 3, -2, 3])
  }

  @Test(
    "REQ-TRACE-REPLAY-02: generated series give the samples they gave before, sample by sample, all five vitals or some"
  )
  func seriesSamples() {
    var rng = SplitMix64(seed: 0x5345_5249)
    var allFive = 0
    for round in 0..<400 {
      // Any subset of the vitals (all five half the time), values anywhere in 0…999 and
      // jitters up to 999, so the clamps at 0 and 999 are reached.
      var base = VitalsSample()
      for v in Vital.allCases where round % 2 == 0 || rng.next() % 2 == 0 {
        base.set(v, Int32(rng.next() % 1_000))
      }
      let jitter = Int32([0, 1, 3, 40, 999][Int(rng.next() % 5)])
      let period = Milliseconds(Int64(1 + rng.next() % 2_000))
      let start = Milliseconds(Int64(rng.next() % 10_000))
      let series = VitalsSeries(
        source: .generator(
          base: base, period: period, end: start + Milliseconds(Int64(rng.next() % 600_000)),
          jitter: jitter),
        start: start, vitals: 0x1F, seed: rng.next())
      var new = ActiveSeries(series: series, order: 1)
      var old = ReferenceSeries(series: series, order: 1)
      if new.drawsAllFive { allFive += 1 }
      #expect(new.drawsAllFive == (base.presentMask == 0x1F && jitter > 0), "round \(round)")
      while old.nextTime != Milliseconds(Int64.max) {
        #expect(new.nextTime == old.nextTime, "round \(round)")
        let (a, b) = (new.take(), old.take())
        guard a == b else {
          Issue.record("round \(round): sample \(old.index - 1) \(a), before \(b)")
          break
        }
      }
      #expect(new.nextTime == Milliseconds(Int64.max), "round \(round)")
      #expect(new.rng.state == old.rng.state, "round \(round): the jitter stream moved as before")
    }
    #expect(allFive > 100, "the all-five path was not taken")
  }

  @Test(
    "REQ-TRACE-CHECK-01: window amounts on and off a sampling grid equal the sweep's before the fast path"
  )
  func gridCurves() {
    var rng = SplitMix64(seed: 1_401)
    var onGrid = 0
    for round in 0..<300 {
      // Samples on a grid (a vitals feed), sometimes with gaps, shifted stretches, repeated
      // instants and a time that goes back (the curve as any log could have it).
      var log = ObservationLog()
      var plain: [Observation] = []
      var t = Int64(rng.next() % 3) * 1000
      var total: Int64 = 0
      let step = [Int64(1000), 1000, 500, 700][Int(rng.next() % 4)]
      for _ in 0..<Int(rng.next() % 2_000) {
        switch rng.next() % 50 {
        case 0: t += Int64(rng.next() % 100_000)
        case 1: t += 1
        case 2: if round % 10 == 0 { t -= Int64(rng.next() % 5_000) }
        case 3: break
        default: t += step
        }
        if rng.next() % 3 != 0 { total += Int64(rng.next() % 4) }
        log.append(.delivered(Micrograms(total)), at: Milliseconds(t))
        plain.append(Observation(time: Milliseconds(t), event: .delivered(Micrograms(total))))
      }
      let ref = ReferenceWindows(records: plain)
      let direct = Timeline(log)
      var swept = Timeline(log)
      var queries: [(length: Int64, upTo: Int64)] = []
      for _ in 0..<Int(1 + rng.next() % 8) {
        let length = [Int64(60_000), 1000, 7_000, 1_500, 999, 3_600_000][Int(rng.next() % 6)]
        queries.append((length, Int64(rng.next() % UInt64(max(t + 10_000, 1)))))
      }
      swept.precomputeWindows(queries)
      onGrid += swept.debugGridCandidates
      for q in queries {
        let want = ref.maxWindow(q.length, upTo: q.upTo)
        let a = direct.maxWindow(q.length, upTo: q.upTo)
        let b = swept.maxWindow(q.length, upTo: q.upTo)
        #expect(a.0 == want.0 && a.end == want.end, "round \(round) \(q)")
        #expect(b.0 == want.0 && b.end == want.end, "round \(round) \(q)")
      }
    }
    #expect(onGrid > 10_000, "the on-grid path was not taken")
  }
}
