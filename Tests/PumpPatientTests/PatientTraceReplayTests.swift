import KetaPumpTestSupport
import PumpCore
import PumpHardware
import PumpPatient
import PumpPatientLoop
import PumpReplay
import PumpTrace
import Testing

/// Offline replay of traces that name a patient: the patient steps beside the pump on its own
/// grid in the coupling's one order (docs/PATIENT.md "Traces").
@Suite struct PatientTraceReplayTests {
  static let head = "profile: syringe-pca-60ml\nseed: 3\n"

  static func run(_ text: String) throws -> (TraceResult, OfflineDriver, TraceSetup) {
    let trace = try TraceParser.parse(text, file: "p.trace")
    let setup = try TraceSetup.bind(trace, to: shippedConfiguration)
    var driver = OfflineDriver(setup: setup)
    let run = try TraceRunner.run(trace, setup: setup, driver: &driver, capturesVitals: true)
    var r = OfflineReplay.run(trace, setup: setup, keepLog: true)
    r.log = run.log
    return (r, driver, setup)
  }

  /// The drug the mechanism had moved at the patient's last grid instant, whole µg (rounded
  /// down): what the patient must have received.
  static func moved(_ driver: OfflineDriver, _ setup: TraceSetup) -> Int64 {
    var hw = driver.rig.hardware
    if driver.powered, let c = driver.patientCoupling { hw.advance(to: c.patient.now) }
    return Arith.mulDivFloor(
      hw.totalSteps, setup.prescription.concentration.rawValue, setup.profile.stepsPerMilliliter)
  }

  static func patientRecords(_ log: ObservationLog) -> [(Milliseconds, PatientVitals)] {
    log.records.compactMap { o in
      if case .patient(let v) = o.event { return (o.time, v) }
      return nil
    }
  }

  @Test
  func `REQ-PAT-TRACE-02 one patient observation per grid second, as the firmware couples it`()
    throws
  {
    let (r, driver, setup) = try Self.run(
      Self.head + "patient: adult-70kg\n20min expect mode infusing\n")
    let recs = Self.patientRecords(try #require(r.log))
    // The start state at 0, then one per grid second.
    #expect(recs.count == 20 * 60 + 1)
    #expect(recs.map(\.0) == (0...1200).map { Milliseconds.seconds(Int64($0)) })
    // The oracle: the firmware's world loop written out by hand (Firmware.advance(to:)):
    // catch up to the grid instant, read the mechanism from a hardware copy, step, then the
    // sample and the presses as inputs at that instant.
    let p = try #require(setup.patient)
    var rig = PumpRig(
      controller: PumpController(profile: setup.profile, formulary: setup.formulary, now: .zero),
      hardware: SimulatedHardware(profile: setup.profile, now: .zero))
    rig.send(.selfTestResult(passed: true), at: .zero)
    rig.send(.program(setup.prescription), at: .zero)
    rig.send(.start, at: .zero)
    var c = PatientCoupling(
      patient: Patient(p.individual, monitor: MonitorSettings(), seed: 3, start: .zero),
      stepsPerMilliliter: setup.profile.stepsPerMilliliter, mechanismSteps: 0)
    var oracle: [PatientVitals] = [c.patient.vitals]
    while c.nextInstant <= .minutes(20) {
      let w = c.nextInstant
      rig.catchUp(to: w)
      var hw = rig.hardware
      hw.advance(to: w)
      let conc = rig.controller.prescription?.concentration ?? MicrogramsPerMilliliter(0)
      let out = c.advance(mechanismSteps: hw.totalSteps, concentration: conc)
      oracle.append(c.patient.vitals)
      if let s = out.sample { rig.send(.vitals(s), at: w) }
      for _ in 0..<out.presses { rig.send(.patientBolusRequest, at: w) }
    }
    #expect(oracle == recs.map(\.1))
    let mine = try #require(driver.patientCoupling)
    #expect(mine.handedOver == c.handedOver)
    #expect(mine.patient.presses == c.patient.presses)
    #expect(driver.rig.controller.status.bolusDemands == rig.controller.status.bolusDemands)
    #expect(driver.rig.controller.status.bolusGrants == rig.controller.status.bolusGrants)
  }

  @Test func `REQ-PAT-TRACE-02 the patient gets the drug the mechanism moved, never more`() throws {
    let (r, driver, setup) = try Self.run(
      Self.head + "patient: adult-70kg\npatient-monitor: clean\n2h expect mode infusing\n")
    #expect(r.verdict == .pass)
    let c = try #require(driver.patientCoupling)
    #expect(c.handedOver == Self.moved(driver, setup))
    #expect(c.handedOver > 10_000)  // basal 5 mg/h for 2 h plus boluses
  }

  @Test func `REQ-PAT-TRACE-02 a trace without a patient has no patient observations`() throws {
    let (r, driver, _) = try Self.run(Self.head + "0s vitals SBP=120\n10min expect mode infusing\n")
    #expect(Self.patientRecords(try #require(r.log)).isEmpty)
    #expect(driver.patientCoupling == nil)
  }

  @Test
  func `REQ-PAT-TRACE-02 trace vitals replace the model's readings they name, HR=- is a lead-off`()
    throws
  {
    let (r, _, _) = try Self.run(
      Self.head + """
        patient: adult-70kg
        patient-monitor: clean
        1min vitals every 1s until 3min SBP=200
        4min vitals every 1s until 5min HR=-
        6min vitals SpO2=88
        7min expect mode infusing
        """)
    let fed = try #require(r.log).vitals
    for (t, s) in fed {
      if t >= .minutes(1), t < .minutes(3) {
        #expect(s.sbp == nil || s.sbp == 200, "at \(t.rawValue): \(s)")
        if s.sbp != nil { #expect(s.hr == nil) }  // the trace's own sample
      }
      if t >= .minutes(4), t < .minutes(5) { #expect(s.hr == nil, "at \(t.rawValue)") }
      if t == .minutes(6) { #expect(s.spo2 == nil || s.spo2 == 88) }
    }
    #expect(fed.contains { $0.0 == .minutes(3) && $0.1.sbp != nil && $0.1.sbp != 200 })
    #expect(fed.contains { $0.0 == .minutes(5) && $0.1.hr != nil })
    #expect(fed.filter { $0.1.sbp == 200 }.count == 120)
    // Two minutes of SBP 200 (critical) stop the pump.
    #expect(
      r.log!.records.contains {
        if case .mode(.interlockStopped, _) = $0.event { return $0.time >= .minutes(1) }
        return false
      })
  }

  @Test func `REQ-PAT-TRACE-02 trace presses add to the patient's presses`() throws {
    let base = Self.head + "patient: adult-70kg\npatient-monitor: clean\n"
    func decisions(_ r: TraceResult) -> [Milliseconds] {
      r.log!.records.compactMap { o in
        switch o.event {
        case .bolusGranted, .bolusDenied: o.time
        default: nil
        }
      }
    }
    let (a, _, _) = try Self.run(base + "10min expect mode infusing\n")
    let (b, _, _) = try Self.run(base + "100500ms press\n10min expect mode infusing\n")
    let da = decisions(a)
    let db = decisions(b)
    #expect(db.count == da.count + 1)
    #expect(db.contains(Milliseconds(100_500)))
    #expect(!da.contains(Milliseconds(100_500)))
  }

  @Test func `REQ-PAT-TRACE-02 the patient lives on while the pump is off`() throws {
    let (r, _, _) = try Self.run(
      Self.head + """
        patient: adult-70kg
        patient-monitor: clean
        5min power lost
        8min power restored
        10min expect mode paused
        """)
    let log = try #require(r.log)
    let recs = Self.patientRecords(log)
    #expect(recs.count == 601)  // the start state at 0, then 600 grid seconds
    #expect(!log.vitals.contains { $0.0 > .minutes(5) && $0.0 < .minutes(8) })
    #expect(log.vitals.contains { $0.0 > .minutes(8) })
    // No drug while off: Cp falls.
    let at5 = try #require(recs.first { $0.0 == .minutes(5) }).1
    let at8 = try #require(recs.first { $0.0 == .minutes(8) }).1
    #expect(at8.plasma < at5.plasma)
  }

  @Test func `REQ-PAT-TRACE-02 deterministic; another patient seed is another course`() throws {
    let text = Self.head + "patient: sensitive-responder\n30min expect mode infusing\n"
    let (a, _, _) = try Self.run(text)
    let (b, _, _) = try Self.run(text)
    #expect(a.log!.records == b.log!.records)
    let (c, _, _) = try Self.run(text.replacingOccurrences(of: "seed: 3", with: "seed: 4"))
    #expect(a.log!.records != c.log!.records)
    let (d, _, _) = try Self.run(
      Self.head + "patient: sensitive-responder\npatient-seed: 3\n30min expect mode infusing\n")
    #expect(Self.patientRecords(a.log!).map(\.1) == Self.patientRecords(d.log!).map(\.1))
  }

  /// A prescription the paediatric entry accepts at 20 kg.
  static let paediatric =
    "drug-entry: 20\nbasal: 0.1 mg/kg/h\nbolus: 0.02 mg/kg\nlimit-1h: 0.3 mg/kg\nlimit-4h: 1 mg/kg\n"

  /// Never: a safety invariant broken, drug handed over beyond what the mechanism moved, or a
  /// patient observation missing — over seeded random stories of presses, clinician commands,
  /// monitor overrides and power cycles, for every patient file and both monitors.
  @Test func `REQ-PAT-TRACE-02 invariants over random patient traces`() throws {
    var g = SplitMix64(seed: 2026)
    let patients = shippedConfiguration.patients.map(\.id)
    let actions = [
      "press", "pause", "resume", "stop", "start", "program", "ack", "reset",
      "vitals SBP=185", "vitals every 1s until +40s HR=-", "vitals every 1s until +30s SBP=150",
      "power lost", "power restored", "inject occlusion downstream on",
      "inject occlusion downstream off",
    ]
    for round in 0..<12 {
      let p = patients[Int(g.next() % UInt64(patients.count))]
      var text =
        "profile: syringe-pca-60ml\nseed: \(g.next() % 1000)\npatient: \(p)\n"
        + (g.next() % 2 == 0 ? "patient-monitor: clean\n" : "")
        + (p == "child-20kg" ? Self.paediatric : "")
      var t: Int64 = 0
      for _ in 0..<(3 + Int(g.next() % 8)) {
        t += Int64(g.next() % 240_000)
        text += "\(t)ms \(actions[Int(g.next() % UInt64(actions.count))])\n"
      }
      // Ends on a grid second, so the mechanism and the patient end at the same instant.
      text += "\((t / 1000 + 60) * 1000)ms expect motor stopped within 1h\n"
      let trace = try TraceParser.parse(text, file: "r\(round).trace")
      let setup = try TraceSetup.bind(trace, to: shippedConfiguration)
      var driver = OfflineDriver(setup: setup)
      let run = try TraceRunner.run(trace, setup: setup, driver: &driver)
      #expect(driver.violation == nil, "\(text)")
      let c = try #require(driver.patientCoupling)
      #expect(c.handedOver == Self.moved(driver, setup), "\(text)")
      #expect(c.patient.now == Milliseconds(run.end.rawValue / 1000 * 1000), "\(text)")
      let n = Self.patientRecords(run.log).count
      #expect(Int64(n) == run.end.rawValue / 1000 + 1, "\(text)")  // + the start state at 0
    }
  }
}
