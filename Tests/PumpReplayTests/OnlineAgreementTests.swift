import Foundation
import KetaPumpTestSupport
import PumpPatient
import PumpReplay
import PumpTrace
import Testing

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
      return (t, try TraceSetup.bind(t, to: shippedConfiguration))
    }
    let offline = ReplayBatch.run(jobs, keepLogs: true)
    let target = OnlineReplay.Target.spawn(
      pumpsim: "\(productsDirectory)/pumpsim", profiles: "\(repoRoot)/HardwareProfiles")
    // By default nothing is skipped, the 7-day course (606,394 wire actions) included. Two
    // lanes, each with its own pumpsims: the longest trace alone, the rest one after the other.
    let online = Self.inTwoLanes(jobs.map { OnlineReplay.wireActions($0.0) }) { k in
      OnlineReplay.run(jobs[k].0, setup: jobs[k].1, target: target, keepLog: true)
    }
    var agreed = 0
    var skipped: [String] = []
    for (k, (trace, _)) in jobs.enumerated() {
      let off = offline[k]
      let on = online[k]
      #expect(on.skipped == nil, "\(trace.file): \(on.skipped ?? "")")
      if let why = on.skipped {
        skipped.append("\(trace.file): \(why)")
        continue
      }
      #expect(on.error == nil, "\(trace.file): \(on.error ?? "")")
      #expect(
        on.verdict == off.verdict,
        "\(trace.file): online \(on.verdict), offline \(off.verdict)\n\(SummaryReport.details(on))")
      #expect(on.asExpected, "\(trace.file)")
      #expect(on.expectations.map(\.passed) == off.expectations.map(\.passed), "\(trace.file)")
      // Amounts read the same to the microgram: both drivers sample the delivered total at the
      // same instants and get the same values (docs/TRACES.md, "Delivered samples").
      let (dOn, dOff) = (Self.delivered(on), Self.delivered(off))
      #expect(dOn == dOff, "\(trace.file): first difference \(Self.firstDifference(dOn, dOff))")
      // The patient (traces naming one) reads the same at the wire's resolution.
      let patient = Self.patientDisagreement(on, off)
      #expect(patient == nil, "\(trace.file): \(patient ?? "")")
      // ... and at every grid second a patient-value claim judges, as offline (docs/TRACES.md,
      // "Patient values between instants").
      let unread = Self.unreadPatientSeconds(on, trace)
      #expect(unread == nil, "\(trace.file): \(unread ?? "")")
      if on.error == nil && on.verdict == off.verdict { agreed += 1 }
    }
    print(
      "online agreement: \(agreed)/\(jobs.count) traces agree, \(skipped.count) skipped online:\n"
        + skipped.joined(separator: "\n"))
    #expect(agreed == jobs.count)
    #expect(agreed >= 30)
    #expect(jobs.contains { $0.0.file.hasSuffix("postop-7day.trace") })
    #expect(jobs.filter { $0.0.header.expectedVerdict == .fail }.count >= 5)
  }

  /// `run(k)` for every job, in two threads: the job with the most wire actions alone in one,
  /// the others in order in the other. Results in job order.
  static func inTwoLanes(_ cost: [Int], _ run: @Sendable (Int) -> TraceResult) -> [TraceResult] {
    let longest = cost.indices.max { cost[$0] < cost[$1] }
    let lanes = [longest.map { [$0] } ?? [], cost.indices.filter { $0 != longest }]
    let results = LaneResults(count: cost.count)
    DispatchQueue.concurrentPerform(iterations: lanes.count) { lane in
      for k in lanes[lane] { results.set(k, run(k)) }
    }
    return results.all
  }

  /// The delivered samples of a run, as (ms, µg).
  static func delivered(_ r: TraceResult) -> [[Int64]] {
    (r.log?.records ?? []).compactMap { o in
      if case .delivered(let m) = o.event { return [o.time.rawValue, m.rawValue] }
      return nil
    }
  }

  /// Why the online run's patient samples do not agree with the offline run's, or nil. Online
  /// reads PATIENT at its sample instants (the patient's state at its last 1-s grid instant ≤ t,
  /// in tenths) and at every grid instant inside a patient-value claim's span
  /// (`OnlineDriver.patientSpans`); offline logs the model at every grid instant. Each online sample at t is
  /// compared with the last offline one at or before t, value by value, at the wire's
  /// resolution (`PatientVitals.agreesAtWireResolution`: equal when rounded to tenths as
  /// PATIENT rounds). Offline samples between online ones are not compared; both sides log the
  /// patient's start state at 0.
  static func patientDisagreement(_ on: TraceResult, _ off: TraceResult) -> String? {
    func samples(_ r: TraceResult) -> [(Int64, PatientVitals)] {
      (r.log?.records ?? []).compactMap { o in
        if case .patient(let v) = o.event { return (o.time.rawValue, v) }
        return nil
      }
    }
    let online = samples(on)
    let offline = samples(off)
    if online.isEmpty != offline.isEmpty {
      return "patient samples online \(online.count), offline \(offline.count)"
    }
    var k = -1
    for (t, v) in online {
      while k + 1 < offline.count, offline[k + 1].0 <= t { k += 1 }
      guard k >= 0 else { return "patient at \(t) ms online, none offline at or before it" }
      if !v.agreesAtWireResolution(with: offline[k].1) {
        return "patient at \(t) ms: online \(v), offline (at \(offline[k].0) ms) \(offline[k].1)"
      }
    }
    return nil
  }

  /// The grid seconds of `trace`'s patient-value spans (`OnlineDriver.patientSpans`) at which
  /// the run logged no patient sample (the first few), or nil when it logged one at each.
  static func unreadPatientSeconds(_ r: TraceResult, _ trace: Trace) -> String? {
    var times: Set<Int64> = []
    for o in r.log?.records ?? [] {
      if case .patient = o.event { times.insert(o.time.rawValue) }
    }
    var missing: [Int64] = []
    for s in OnlineDriver.patientSpans(trace) {
      let first = (s.from.rawValue + 999) / 1000 * 1000
      for g in stride(from: first, through: s.to.rawValue, by: 1000) where !times.contains(g) {
        missing.append(g)
      }
    }
    return missing.isEmpty
      ? nil : "no patient sample at \(missing.prefix(5)) ms (\(missing.count) seconds in all)"
  }

  static func firstDifference(_ a: [[Int64]], _ b: [[Int64]]) -> String {
    for i in 0..<min(a.count, b.count) where a[i] != b[i] {
      return "sample \(i): online \(a[i]), offline \(b[i])"
    }
    return "counts online \(a.count), offline \(b.count)"
  }

  @Test(
    "REQ-TRACE-ONLINE-02: a trace needing more wire actions than the limit is reported skipped with the reason (table, JSON, JUnit) and fails nothing"
  )
  func skippedTrace() throws {
    let trace = try TraceParser.parse(
      minimalHeader + "0s vitals every 1s until 1min HR=80\n30s expect mode infusing\n",
      file: "long.trace")
    #expect(OnlineReplay.wireActions(trace) == 60)
    let r = OnlineReplay.run(
      trace, setup: try TraceSetup.bind(trace, to: shippedConfiguration),
      target: .spawn(pumpsim: "/nonexistent/pumpsim", profiles: "/nonexistent"),
      maxWireActions: 59)
    #expect(r.skipped?.contains("too long for the wire; offline only") == true)
    #expect(r.skipped?.contains("60 wire actions, limit 59") == true)
    #expect(r.asExpected && r.error == nil)
    #expect(ReplayBatch.exitStatus([r]) == 0)
    #expect(SummaryReport.table([r]).contains("0/1 traces as expected, 1 skipped"))
    #expect(JSONReport.line(r).contains("\"skipped\":\"skipped online"))
    #expect(JUnitReport.xml([r]).contains("<skipped message=\"skipped online"))
  }

  @Test(
    "REQ-TRACE-ONLINE-02: what online replay cannot reproduce is reported skipped with the reason, never run and judged wrongly: the active basal rate (not on the wire) and a patient trace overriding the model's vitals"
  )
  func offlineOnlyTraces() throws {
    let target = OnlineReplay.Target.spawn(
      pumpsim: "/nonexistent/pumpsim", profiles: "/nonexistent")
    let basal = try TraceParser.parse(
      minimalHeader + "1min expect value basal-rate ≈ 5 mg/h ± 0 mg/h\n", file: "basal.trace")
    let b = OnlineReplay.run(
      basal, setup: try TraceSetup.bind(basal, to: shippedConfiguration), target: target)
    #expect(b.skipped?.contains("basal rate, which STATUS does not carry") == true)
    let patient = try TraceParser.parse(
      "profile: syringe-pca-60ml\npatient: adult-70kg\n\n0s vitals every 1s until 1min HR=-\n"
        + "30s expect mode infusing\n", file: "override.trace")
    let p = OnlineReplay.run(
      patient, setup: try TraceSetup.bind(patient, to: shippedConfiguration), target: target)
    #expect(p.skipped?.contains("a trace naming a patient with its own vitals lines") == true)
    #expect(p.asExpected && p.error == nil)
  }

  @Test(
    "REQ-TRACE-ONLINE-03: a trace needing exact event times gets the pump's log times online: every alarm, mode and motor observation at the offline instant"
  )
  func exactEventTimes() throws {
    let trace = try ReplayBatch.load("\(CorpusTests.dir)/language-observations.trace")
    #expect(trace.needsExactTimes)
    let setup = try TraceSetup.bind(trace, to: shippedConfiguration)
    let off = OfflineReplay.run(trace, setup: setup, keepLog: true)
    let on = OnlineReplay.run(
      trace, setup: setup,
      target: .spawn(
        pumpsim: "\(productsDirectory)/pumpsim", profiles: "\(repoRoot)/HardwareProfiles"),
      keepLog: true)
    #expect(on.error == nil, "\(on.error ?? "")")
    #expect(on.expectations.map(\.passed) == off.expectations.map(\.passed))
    // The stale-vitals alarm comes from a deadline between samples: offline at its instant,
    // online at the time the pump's log gives it (not the next sample).
    func timed(_ r: TraceResult) -> [String] {
      (r.log?.records ?? []).compactMap { o in
        switch o.event {
        case .mode(let m, _): return "\(o.time.rawValue) mode \(TraceNames.name(m))"  // EVT MODE has no reason
        case .alarmRaised, .alarmCleared, .motor, .bolusGranted, .bolusDenied:
          return "\(o.time.rawValue) \(ObservationLog.describe(o.event))"
        default: return nil
        }
      }
    }
    let stale = timed(off).filter { $0.contains("vitals-stale") }
    #expect(stale.count == 1 && !stale[0].hasPrefix("1259999 "))
    #expect(Set(timed(on)) == Set(timed(off)))
  }

  /// The online cost of the rest of the corpus is unchanged: only traces with these
  /// expectations read the pump's log or sample values (docs/TRACES.md, "Exact event times
  /// online"); the 24-h and 7-day courses have none.
  @Test(
    "REQ-TRACE-ONLINE-03: traces without exact-time, value or log expectations send no extra request"
  )
  func noExtraRequests() throws {
    for name in ["postop-24h", "postop-7day", "vitals-stale", "bolus-lockout"] {
      let t = try ReplayBatch.load("\(CorpusTests.dir)/\(name).trace")
      #expect(!t.needsExactTimes && !t.samplesValues && !t.readsLog, "\(name)")
    }
  }
}

/// Results written by the two lanes of `OnlineAgreementTests.inTwoLanes`.
private final class LaneResults: @unchecked Sendable {
  private let lock = NSLock()
  private var results: [TraceResult?]

  init(count: Int) { results = Array(repeating: nil, count: count) }

  func set(_ k: Int, _ r: TraceResult) { lock.withLock { results[k] = r } }

  var all: [TraceResult] { lock.withLock { results.map { $0! } } }
}
