import Foundation
import KetaPumpTestSupport
import PumpCore
import PumpPatient
import PumpReplay
import PumpTrace
import Testing

/// The patient scenarios of Tests/Traces/patient (docs/PATIENT.md "Traces"): each replays as
/// expected, and the figures the trace language cannot state yet (concentrations, pain) are
/// checked here from the observations and printed (`figure:` lines) for the doc.
@Suite struct PatientScenarioTests {
  static func replay(_ name: String) throws -> TraceResult {
    let t = try ReplayBatch.load("\(repoRoot)/Tests/Traces/patient/\(name).trace")
    return OfflineReplay.run(
      t, setup: try TraceSetup.bind(t, to: shippedConfiguration), keepLog: true)
  }

  static func f(_ x: Double) -> String { String(format: "%.1f", x) }
  static func clock(_ t: Milliseconds) -> String {
    let s = Int(t.rawValue / 1000)
    return String(format: "%02d:%02d:%02d", s / 3600, s / 60 % 60, s % 60)
  }

  static func patient(_ r: TraceResult) -> [(Milliseconds, PatientVitals)] {
    (r.log?.records ?? []).compactMap { o in
      if case .patient(let v) = o.event { return (o.time, v) }
      return nil
    }
  }

  static func firstMode(_ r: TraceResult, _ m: Mode) -> Milliseconds? {
    r.log?.records.first {
      if case .mode(let x, _) = $0.event { return x == m }
      return false
    }?.time
  }

  static func decisions(_ r: TraceResult) -> (presses: Int, grants: Int) {
    var p = 0
    var g = 0
    for o in r.log?.records ?? [] {
      switch o.event {
      case .bolusGranted:
        p += 1
        g += 1
      case .bolusDenied: p += 1
      default: break
      }
    }
    return (p, g)
  }

  static func decisionTimes(_ r: TraceResult) -> [Milliseconds] {
    (r.log?.records ?? []).compactMap { o in
      switch o.event {
      case .bolusGranted, .bolusDenied: return o.time
      default: return nil
      }
    }
  }

  /// Scenario 1 (docs/PATIENT.md "Scenario 1"): the ward protocol as practised, the basal
  /// titrated hourly from 5 to 20 mg/h while pain is NRS ≥ 4, PCA boluses on top.
  @Test func `REQ-PAT-TRACE-05 scenario 1: the titrated ward prescription controls pain for 24 h`()
    throws
  {
    let r = try Self.replay("ward-adult-24h")
    #expect(r.asExpected, "\(SummaryReport.details(r))")
    #expect(Self.firstMode(r, .interlockStopped) == nil)
    let p = Self.patient(r)
    #expect(p.count == 86_401)  // the start state at 0, then every 1-s grid instant
    let inPain = p.filter { $0.1.pain >= 4 }.count
    // "Pain controlled most of the time": NRS < 4 for more than half of the day.
    #expect(inPain * 2 < p.count)
    let titrated = p.filter { $0.0 >= .hours(6) }
    let inPainTitrated = titrated.filter { $0.1.pain >= 4 }.count
    let maxCp = p.map(\.1.plasma).max() ?? 0
    let maxCe = p.map(\.1.effectSite).max() ?? 0
    #expect(maxCe < 600)  // below the haemodynamic EC50 of the patient file (600 ng/mL)
    let (presses, grants) = Self.decisions(r)
    #expect(grants > 0 && presses > grants)
    // The patient presses only while in pain: every bolus decision is at a grid instant with
    // NRS ≥ 4 (the trace has no press lines), over the whole day.
    let painAt = Dictionary(p.map { ($0.0, $0.1.pain) }, uniquingKeysWith: { a, _ in a })
    for t in Self.decisionTimes(r) { #expect((painAt[t] ?? 0) >= 4, "press at \(Self.clock(t))") }
    let dissociation = titrated.map(\.1.dissociation).sorted()
    let medianDissociation = dissociation.isEmpty ? 0 : dissociation[dissociation.count / 2]
    print(
      "figure: scenario 1: in pain >= 4 \(inPain) s of 86400 (\(inPain * 100 / 86_400) %), "
        + "from 6 h \(inPainTitrated * 100 / max(titrated.count, 1)) %, "
        + "max Cp \(Self.f(maxCp)) ng/mL, max Ce \(Self.f(maxCe)) ng/mL, "
        + "presses/grants \(presses)/\(grants), max true SBP \(Self.f(p.map(\.1.sbp).max() ?? 0)), "
        + "max true HR \(Self.f(p.map(\.1.hr).max() ?? 0)), "
        + "median dissociation from 6 h \(Self.f(medianDissociation))")
  }

  /// The contrast behind the scenario (docs/PATIENT.md "Scenario 1"): the same adult on the
  /// untitrated prescription (5 mg/h basal, 15 mg/1 h, 40 mg/4 h) is in pain most of the day,
  /// so it is the titration, not a changed model, that controls the pain.
  @Test func `REQ-PAT-TRACE-05 scenario 1 without titration: pain is not controlled`() throws {
    let text = """
      name: ward-adult-24h-untitrated
      profile: syringe-pca-60ml
      patient: adult-70kg
      patient-monitor: clean
      seed: 1
      end: 24h
      0s expect no alarm vitals-interlock until 24h

      """
    let t = try TraceParser.parse(text, file: "untitrated.trace")
    let r = OfflineReplay.run(
      t, setup: try TraceSetup.bind(t, to: shippedConfiguration), keepLog: true)
    #expect(r.asExpected, "\(SummaryReport.details(r))")
    let p = Self.patient(r)
    let inPain = p.filter { $0.1.pain >= 4 }.count
    #expect(inPain * 2 > p.count)
    let (presses, grants) = Self.decisions(r)
    print(
      "figure: scenario 1 untitrated: in pain >= 4 \(inPain * 100 / max(p.count, 1)) %, "
        + "max Ce \(Self.f(p.map(\.1.effectSite).max() ?? 0)) ng/mL, "
        + "presses/grants \(presses)/\(grants)")
  }

  @Test
  func `REQ-PAT-TRACE-05 scenario 2: the sensitive responder is stopped before the critical band`()
    throws
  {
    let r = try Self.replay("sensitive-responder")
    #expect(r.asExpected, "\(SummaryReport.details(r))")
    let stop = try #require(Self.firstMode(r, .interlockStopped))
    let p = Self.patient(r)
    let firstCritical = p.first { $0.1.sbp >= 180 || $0.1.hr >= 140 }?.0
    // Stopped before SBP or HR reached the critical band, or at the latest 30 s into it.
    #expect(firstCritical.map { stop <= $0 + .seconds(30) } ?? true)
    let peak = try #require(p.max { $0.1.sbp < $1.1.sbp })
    let maxCe = p.map(\.1.effectSite).max() ?? 0
    // Recovery: after the stop, true SBP and HR come back below their warning bands.
    let back = try #require(p.first { $0.0 > peak.0 && $0.1.sbp < 160 && $0.1.hr < 100 })
    #expect(back.0 - stop < .minutes(15))
    let critical = firstCritical.map { Self.clock($0) } ?? "never"
    let a = "figure: scenario 2: interlock stop at \(Self.clock(stop)), peak true SBP "
    let b = "\(Self.f(peak.1.sbp)) at \(Self.clock(peak.0)), max Ce \(Self.f(maxCe)) ng/mL, "
    let c = "SBP < 160 and HR < 100 again at \(Self.clock(back.0)), critical reached: \(critical)"
    print(a + b + c)
  }

  @Test
  func
    `REQ-PAT-TRACE-05 scenario 3: the child refuses the adult prescription, runs the per-kg one`()
    throws
  {
    let r = try Self.replay("child-prescriptions")
    #expect(r.asExpected, "\(SummaryReport.details(r))")
    #expect(r.prescription?.patientWeight == .kilograms(20))
    #expect(
      r.log?.records.contains {
        if case .command(_, .some(.hardLimit)) = $0.event { return true }
        return false
      } == true)
    let p = Self.patient(r)
    let maxCe = p.map(\.1.effectSite).max() ?? 0
    let (presses, grants) = Self.decisions(r)
    #expect(Self.firstMode(r, .interlockStopped) == nil)
    print(
      "figure: scenario 3: max Ce \(Self.f(maxCe)) ng/mL, presses/grants \(presses)/\(grants), "
        + "in pain >= 4 \(p.filter { $0.1.pain >= 4 }.count * 100 / max(p.count, 1)) % of 4 h")
  }
}
