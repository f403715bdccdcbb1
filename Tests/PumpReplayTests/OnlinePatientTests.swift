import Foundation
import KetaPumpTestSupport
import PumpCore
import PumpPatient
import PumpProtocol
import PumpReplay
import PumpTrace
import Testing

/// Online replay of a trace naming a patient: pumpsim started with the header's patient, the
/// patient read over the wire (`PATIENT`) at every sample instant, and a running pump checked
/// against the trace's patient.
@Suite("Online replay with a patient", .serialized)
struct OnlinePatientTests {
  static let text = """
    description: online replay with a simulated patient
    profile: syringe-pca-60ml
    drug-entry: 1
    concentration: 5 mg/mL
    basal: 5 mg/h
    bolus: 2 mg
    bolus-rate: 60 mL/h
    lockout: 10 min
    max-boluses-per-hour: 4
    limit-1h: 15 mg
    limit-4h: 40 mg
    kvo: 0.1 mL/h
    seed: 31
    patient: adult-70kg
    patient-seed: 7
    patient-monitor: clean

    5min expect delivered ≥ 0.3 mg total
    10min expect delivered ≥ 0.7 mg total

    """
  static let pumpsim = "\(productsDirectory)/pumpsim"
  static let profiles = "\(repoRoot)/HardwareProfiles"

  static func bound(_ text: String) throws -> (Trace, TraceSetup) {
    let t = try TraceParser.parse(text, file: "online-patient.trace")
    return (t, try TraceSetup.bind(t, to: shippedConfiguration))
  }

  /// The `.patient` observations of a run, as (ms, vitals).
  static func patients(_ r: TraceResult) -> [(Int64, PatientVitals)] {
    (r.log?.records ?? []).compactMap { o in
      if case .patient(let v) = o.event { return (o.time.rawValue, v) }
      return nil
    }
  }

  @Test(
    "REQ-PROTO-PATIENT-06: pumpmon replay --spawn-pumpsim on a trace naming a patient starts pumpsim with that patient, seed and monitor, reads PATIENT at every sample instant and logs it as .patient; two runs give the same patient samples"
  )
  func spawnedPatient() throws {
    let (trace, setup) = try Self.bound(Self.text)
    let patient = try #require(setup.patient)
    #expect(
      OnlineDriver.pumpsimArguments(for: patient, profiles: "HP") == [
        "--patient", "HP/patients/adult-70kg.yaml", "--patient-seed", "7", "--patient-monitor",
        "clean",
      ])
    let target = OnlineReplay.Target.spawn(pumpsim: Self.pumpsim, profiles: Self.profiles)
    let runs = (0..<2).map { _ in
      OnlineReplay.run(trace, setup: setup, target: target, keepLog: true)
    }
    for r in runs {
      #expect(r.error == nil, "\(r.error ?? "")")
      #expect(r.verdict == .pass, "\(SummaryReport.details(r))")
    }
    let samples = Self.patients(runs[0])
    let delivered = (runs[0].log?.records ?? []).compactMap { o -> Int64? in
      if case .delivered = o.event { return o.time.rawValue }
      return nil
    }
    // One patient sample per sample instant, at the same instants as the delivered total.
    #expect(samples.map(\.0) == delivered)
    #expect(samples.count >= 3)
    // At 0 the patient is at its baseline, no drug yet: the model's own start, to the wire.
    let start = Patient(patient.individual, monitor: .clean, seed: 7, start: .zero).vitals
    #expect(samples.first?.0 == 0)
    #expect(samples.first.map { $0.1.agreesAtWireResolution(with: start) } == true)
    #expect(samples.first?.1.plasma == 0)
    // Ten minutes of basal (and any granted press): drug in plasma and at the effect site.
    let last = try #require(samples.last)
    #expect(last.0 == 600_000)
    #expect(last.1.plasma > 1 && last.1.effectSite > 1)
    // Deterministic: the same trace on another fresh pumpsim reads the same values.
    let again = Self.patients(runs[1])
    #expect(again.map(\.0) == samples.map(\.0))
    #expect(zip(again, samples).allSatisfy { $0.1 == $1.1 })
  }

  @Test(
    "REQ-PROTO-PATIENT-06: online replay on a running pump (--port) refuses, with a clear error and before any command, a pump whose patient is not the trace's (profile or seed), a pump without the trace's patient, and a patient pump for a trace without one; the matching pump replays"
  )
  func runningPumpMustMatch() throws {
    let (trace, setup) = try Self.bound(Self.text)
    let (plainTrace, plainSetup) = try Self.bound(
      Self.text.replacingOccurrences(of: "patient: adult-70kg\npatient-seed: 7\n", with: "")
        .replacingOccurrences(of: "patient-monitor: clean\n", with: ""))
    #expect(plainSetup.patient == nil)
    func run(_ extra: [String], _ trace: Trace, _ setup: TraceSetup) throws -> TraceResult {
      let sim = try ReplayPumpSim(
        executable: Self.pumpsim, profile: "\(Self.profiles)/syringe-pca-60ml.yaml",
        extra: extra)
      defer { sim.stop() }
      return OnlineReplay.run(
        trace, setup: setup,
        target: .running(ports: sim.ports, keys: sim.keys, deviceId: sim.deviceId), keepLog: true)
    }
    let child = ["--patient", "\(Self.profiles)/patients/child-20kg.yaml", "--patient-seed", "7"]
    #expect(
      try run(child, trace, setup).error
        == "the pump's simulated patient is child-20kg seed 7, the trace's adult-70kg seed 7: start pumpsim with --patient HardwareProfiles/patients/adult-70kg.yaml --patient-seed 7, or use --spawn-pumpsim"
    )
    let otherSeed = [
      "--patient", "\(Self.profiles)/patients/adult-70kg.yaml", "--patient-seed", "8",
    ]
    #expect(try run(otherSeed, trace, setup).error?.contains("adult-70kg seed 8") == true)
    #expect(
      try run([], trace, setup).error
        == "the trace names patient adult-70kg (seed 7) but the pump has no simulated patient: start pumpsim with --patient HardwareProfiles/patients/adult-70kg.yaml --patient-seed 7 --patient-monitor clean --clock virtual, or use --spawn-pumpsim"
    )
    #expect(
      try run(child, plainTrace, plainSetup).error
        == "the pump has a simulated patient (child-20kg, seed 7) but the trace names none: start pumpsim without --patient, or use --spawn-pumpsim"
    )
    let matching = OnlineDriver.pumpsimArguments(
      for: try #require(setup.patient), profiles: Self.profiles)
    let ok = try run(matching, trace, setup)
    #expect(ok.error == nil, "\(ok.error ?? "")")
    #expect(ok.verdict == .pass)
    let spawned = OnlineReplay.run(
      trace, setup: setup, target: .spawn(pumpsim: Self.pumpsim, profiles: Self.profiles),
      keepLog: true)
    #expect(Self.patients(ok).map(\.0) == Self.patients(spawned).map(\.0))
    #expect(zip(Self.patients(ok), Self.patients(spawned)).allSatisfy { $0.1 == $1.1 })
  }

  @Test(
    "REQ-PROTO-PATIENT-06: patient values agree at wire resolution exactly when their tenths (PATIENT's rounding) are equal"
  )
  func wireResolution() {
    let v = PatientVitals(
      hr: 81.24, sbp: 131.5, dbp: 80.04, spo2: 97.9, rr: 14.1, pain: 4.25, dissociation: 31,
      plasma: 123.44999, effectSite: 118.7)
    let wire = PatientVitals(
      PatientReadout(
        time: .zero, plasmaTenths: PatientReadout.tenths(v.plasma),
        effectSiteTenths: PatientReadout.tenths(v.effectSite),
        painTenths: PatientReadout.tenths(v.pain),
        dissociationTenths: PatientReadout.tenths(v.dissociation),
        hrTenths: PatientReadout.tenths(v.hr), sbpTenths: PatientReadout.tenths(v.sbp),
        dbpTenths: PatientReadout.tenths(v.dbp), spo2Tenths: PatientReadout.tenths(v.spo2),
        rrTenths: PatientReadout.tenths(v.rr), presses: 0, profileID: "x", seed: 0))
    #expect(wire.agreesAtWireResolution(with: v))
    #expect(v.agreesAtWireResolution(with: wire))
    #expect(wire.plasma == 123.4)
    #expect(wire.pain == 4.3)
    var off = v
    off.plasma = 123.45  // rounds to 123.5 on the wire: a difference the wire shows
    #expect(!wire.agreesAtWireResolution(with: off))
    off = v
    off.hr = 81.2 + 0.04  // below the wire's resolution
    #expect(wire.agreesAtWireResolution(with: off))
  }
}

extension OnlinePatientTests {
  /// A longer course with presses, a clinician bolus and a stop/start (the same trace text with
  /// actions appended), on a clean and on the default monitor.
  static func course(monitor: String) -> String {
    Self.text.replacingOccurrences(
      of: "patient-monitor: clean", with: "patient-monitor: \(monitor)"
    )
    .replacingOccurrences(
      of: "5min expect delivered ≥ 0.3 mg total\n10min expect delivered ≥ 0.7 mg total\n",
      with: """
        3min press
        7min30s clinician-bolus 1 mg
        12min stop
        13min start
        20min expect delivered ≥ 1 mg total

        """)
  }

  @Test(
    "REQ-PROTO-PATIENT-06: a patient trace online (pumpsim's patient over the wire) and offline (the model beside the offline pump) gives the same verdicts, the same delivered samples and the same patient samples at the wire's resolution",
    arguments: ["clean", "default"])
  func agreesWithOffline(monitor: String) throws {
    let (trace, setup) = try Self.bound(Self.course(monitor: monitor))
    let off = ReplayBatch.run([(trace, setup)], keepLogs: true)[0]
    let on = OnlineReplay.run(
      trace, setup: setup, target: .spawn(pumpsim: Self.pumpsim, profiles: Self.profiles),
      keepLog: true)
    #expect(on.error == nil, "\(on.error ?? "")")
    #expect(on.verdict == off.verdict, "online \(SummaryReport.details(on))")
    #expect(on.expectations.map(\.passed) == off.expectations.map(\.passed))
    let (dOn, dOff) = (OnlineAgreementTests.delivered(on), OnlineAgreementTests.delivered(off))
    #expect(dOn == dOff, "\(OnlineAgreementTests.firstDifference(dOn, dOff))")
    #expect(Self.patients(off).count >= 1200)  // offline: every grid second
    #expect(Self.patients(on).count >= 5)
    let why = OnlineAgreementTests.patientDisagreement(on, off)
    #expect(why == nil, "\(why ?? "")")
  }
}
