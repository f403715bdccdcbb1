import Foundation
import KetaPumpTestSupport
import PumpCore
import PumpHardware
import PumpProtocol
import PumpReplay
import PumpTrace
import Testing

/// A driver that only records what it is given: the runner's seam for online drivers.
struct RecordingDriver: TraceDriver {
  var applied: [(Milliseconds, TraceAction)] = []
  var advancedTo: Milliseconds? = nil
  var work: Int64 { Int64(applied.count) }

  mutating func begin(_ setup: TraceSetup, log: inout ObservationLog) throws(TraceError) {}
  mutating func apply(_ a: TraceAction, at t: Milliseconds, line: Int, log: inout ObservationLog) {
    applied.append((t, a))
  }
  mutating func advance(to t: Milliseconds, log: inout ObservationLog) { advancedTo = t }
}

@Suite struct TraceRunnerTests {
  static func setup(_ t: Trace) throws -> TraceSetup {
    try TraceSetup.bind(t, to: shippedConfiguration)
  }

  @Test("REQ-TRACE-FORMAT-02: a newer series overlays the vitals it names; the baseline resumes")
  func overlay() throws {
    let t = try TraceParser.parse(
      minimalHeader + """
        0s vitals every 1s until 5s SBP=120 HR=70
        2s vitals every 1s until 4s SBP=170 RR=-
        2s press
        10s expect mode idle
        """)
    var d = RecordingDriver()
    let run = try TraceRunner.run(t, setup: try Self.setup(t), driver: &d)
    let got = d.applied.map { ($0.0.rawValue, $0.1) }
    let want: [(Int64, TraceAction)] = [
      (0, .vitals(VitalsSample(sbp: 120, hr: 70))), (1000, .vitals(VitalsSample(sbp: 120, hr: 70))),
      (2000, .vitals(VitalsSample(hr: 70))), (2000, .vitals(VitalsSample(sbp: 170))),
      (2000, .press),
      (3000, .vitals(VitalsSample(hr: 70))), (3000, .vitals(VitalsSample(sbp: 170))),
      (4000, .vitals(VitalsSample(sbp: 120, hr: 70))),
    ]
    #expect(got.map(\.0) == want.map(\.0))
    #expect(got.map(\.1) == want.map(\.1))
    #expect(d.advancedTo == .seconds(10))
    #expect(run.events == 8)
  }

  @Test("REQ-TRACE-REPLAY-01: event-driven: a quiet week costs steps, not 60 million ticks")
  func quietWeek() throws {
    let quiet = try replay(
      minimalHeader + "vitals-stale-after: 8d\nbasal: 0 mg/h\n7d expect mode infusing(basal)\n",
      keepLog: false)
    #expect(quiet.verdict == .pass)
    #expect(quiet.simulated == .hours(168))
    // 10 ms control ticks would be 60,480,000 steps.
    #expect(quiet.work < 10_000)
    let busy = try replay(
      minimalHeader
        + "vitals-stale-after: 8d\n0s vitals every 1min until 7d SBP=120 DBP=80 HR=70\n",
      keepLog: false)
    #expect(busy.events == 10_080)
    #expect(busy.work > 10_080 && busy.work < 40_000)
  }

  @Test(
    "REQ-TRACE-REPLAY-01: the offline driver runs PumpCore on PumpRig: same result as the rig by hand"
  )
  func sameAsRig() throws {
    let r = try replay(
      minimalHeader + """
        0s vitals every 1s until 10min SBP=125 DBP=75 HR=80
        1min press
        1min expect bolus granted
        10min expect delivered ≥ 2.7 mg total
        10min expect delivered ≤ 2.9 mg total
        """)
    #expect(r.failures.isEmpty, "\(r.failures.map(\.message))")
  }

  @Test("REQ-TRACE-REPLAY-02: deterministic; parallel batches keep input order")
  func determinism() throws {
    let files = try ReplayBatch.collect(["\(repoRoot)/Tests/Traces"]).filter {
      !$0.contains("postop-7day")
    }
    let jobs = try files.map { f in
      let t = try ReplayBatch.load(f)
      return (t, try Self.setup(t))
    }
    let a = ReplayBatch.run(jobs, keepLogs: true)
    let b = jobs.map { OfflineReplay.run($0.0, setup: $0.1, keepLog: true) }
    #expect(a.map(\.file) == files)
    #expect(a.map(\.file) == b.map(\.file))
    for (x, y) in zip(a, b) {
      #expect(x.log?.records == y.log?.records)
      #expect(x.expectations == y.expectations)
    }
  }

  @Test("REQ-TRACE-REPLAY-02: jitter follows the seed")
  func seeded() throws {
    func values(_ seed: Int) throws -> [VitalsSample] {
      let t = try TraceParser.parse(
        minimalHeader + "seed: \(seed)\n0s vitals every 1s until 20s SBP=120 jitter 5\n")
      var d = RecordingDriver()
      _ = try TraceRunner.run(t, setup: try Self.setup(t), driver: &d)
      return d.applied.compactMap { if case .vitals(let s) = $0.1 { return s } else { return nil } }
    }
    #expect(try values(1) == values(1))
    #expect(try values(1) != values(2))
    #expect(try values(1).allSatisfy { (115...125).contains($0.sbp ?? 0) })
  }
}

@Suite struct TraceWireTests {
  @Test(
    "REQ-TRACE-REPLAY-01: each action maps to its protocol role and request for online replay; every action but a series has a wire form"
  )
  func roles() throws {
    let parsed = try TraceParser.parse(minimalHeader + "0s vitals every 1s until 1min HR=80\n")
    guard case .action(let a) = parsed.steps[0].kind, case .vitalsSeries(let series) = a else {
      Issue.record("no series")
      return
    }
    let rx = try TraceSetup.bind(
      try TraceParser.parse(minimalHeader + "0s press\n"), to: shippedConfiguration
    ).prescription
    let cases: [(TraceAction, Role, HostRequest?)] = [
      (.vitals(VitalsSample(hr: 80)), .vitals, .vitals(VitalsSample(hr: 80))),
      (.press, .patient, .patientBolus),
      (.clinician(.program), .clinician, .program(rx)),
      (
        .clinician(.rate(.milligramsPerHour(4))), .clinician,
        .changeBasalRate(.milligramsPerHour(4))
      ),
      (.clinician(.reset), .clinician, .clinicianReset),
      (.inject(.door(open: true)), .service, .inject(.door(open: true))),
      (
        .inject(.pressure(downstream: true, .psi(12))), .service,
        .inject(.downstreamPressure(.psi(12)))
      ),
      (
        .inject(.occlusion(downstream: true, on: true)), .service,
        .inject(.downstreamOcclusion(true))
      ),
      (
        .inject(.occlusion(downstream: false, on: false)), .service,
        .inject(.upstreamOcclusion(false))
      ),
      (.inject(.fault(.watchdog)), .service, .inject(.fault(.watchdog))),
      (.clockAdvance(.hours(1)), .service, .clock(.advance(.hours(1)))),
      (.powerLost, .service, .inject(.power(.lost))),
      (.powerRestored(selfTestPassed: true), .service, .inject(.power(.restored))),
      (
        .powerRestored(selfTestPassed: false), .service,
        .inject(.power(.restoredSelfTestFailing))
      ),
      (.hostLink(connected: false), .service, .inject(.hostLink(connected: false))),
      (.vitalsSeries(series), .vitals, nil),
    ]
    for (a, role, request) in cases {
      #expect(a.role == role)
      #expect(a.hostRequest(prescription: rx) == request)
    }
  }
}

@Suite struct TraceModuleTests {
  @Test(
    "REQ-TRACE-MODULE-01: PumpTrace depends on PumpCore, PumpHardware, PumpProtocol and the pure patient model only"
  )
  func dependencies() throws {
    let text = try String(contentsOfFile: "\(repoRoot)/Package.swift", encoding: .utf8)
    let start = try #require(
      text.range(of: "name: \"PumpTrace\",\n      dependencies: ["))
    let rest = text[start.upperBound...]
    let end = try #require(rest.firstIndex(of: "]"))
    let deps = Set(
      rest[..<end].split(separator: ",").map {
        $0.trimmingCharacters(in: .whitespacesAndNewlines.union(["\""]))
      }.filter { !$0.isEmpty })
    #expect(
      deps == ["PumpCore", "PumpHardware", "PumpProtocol", "PumpPatient", "PumpPatientLoop"])
  }

  @Test(
    "REQ-TRACE-MODULE-01: every command and sample reaches the controller through HostRequest.pumpEvent"
  )
  func oneMapping() {
    let rx = wardRx
    let actions: [TraceAction] = [
      .press, .vitals(VitalsSample(sbp: 120)), .clinician(.program), .clinician(.confirm),
      .clinician(.start), .clinician(.pause), .clinician(.resume), .clinician(.stop),
      .clinician(.rate(.milligramsPerHour(4))), .clinician(.bolus(.milligrams(1))),
      .clinician(.acknowledge), .clinician(.audioPause), .clinician(.reset),
    ]
    for a in actions {
      #expect(a.hostRequest(prescription: rx)?.pumpEvent != nil, "\(a)")
    }
    guard
      case .program(let p)? = TraceAction.clinician(.program).hostRequest(prescription: rx)?
        .pumpEvent
    else {
      Issue.record("program is not a program event")
      return
    }
    #expect(p == rx)
  }
}

@Suite struct OfflinePowerTests {
  @Test(
    "REQ-TRACE-POWER-01: offline power-on restores the pump from the snapshot bytes taken at the loss, then applies what changed while it was off"
  )
  func restoresFromSnapshot() throws {
    let trace = try TraceParser.parse(minimalHeader + "0s vitals SBP=120\n")
    let setup = try TraceSetup.bind(trace, to: shippedConfiguration)
    var d = OfflineDriver(setup: setup)
    var log = ObservationLog()
    try d.begin(setup, log: &log)
    d.apply(.powerLost, at: .minutes(5), line: 2, log: &log)
    let bytes = try #require(d.journal)
    #expect(bytes == d.rig.snapshot())
    d.apply(.inject(.door(open: true)), at: .minutes(6), line: 3, log: &log)
    // The rig left standing, restarted in place: what restoring from the bytes must equal.
    var standing = d.rig
    standing.powerRestored(at: .minutes(7), selfTestPassed: true)
    d.apply(.powerRestored(selfTestPassed: true), at: .minutes(7), line: 4, log: &log)
    #expect(d.journal == nil)
    #expect(d.restoreFailure == nil)
    #expect(d.rig.snapshot() == standing.snapshot())
    #expect(d.rig.controller.alarms.isActive(.doorOpen))
  }
}
