import Foundation
import PumpCore
import PumpPatient
import PumpPatientLoop
import Testing

/// Scenario 1's titration as a nurse's rule (`WardNurse`) rather than a fixed record: the trace
/// `ward-adult-24h` is what the rule does for the typical adult, and a cohort titrated each by
/// its own pain is the protocol as practised (docs/PATIENT.md "Scenario 1").
@Suite struct WardTitrationTests {
  struct Course: Sendable {
    var raises: [Milliseconds] = []
    var finalBasal = MicrogramsPerHour.zero
    var refusals: [Rejection] = []
    var syringeChanges: [Milliseconds] = []
    var stoppedAt: Milliseconds? = nil
    var secondsInPain = 0
    var maxCp = 0.0
    var maxCe = 0.0
    var demands: Int64 = 0
    var grants: Int64 = 0
    /// Largest rolling totals the pump reported at any minute.
    var max1h = Micrograms.zero
    var max4h = Micrograms.zero
    /// Drug handed to the patient after the interlock stop (the pump must move none).
    var afterStop: Int64 = 0
  }

  /// A 24-h course of `individual` (monitor clean, as the scenario's trace) titrated by the nurse.
  static func course(_ individual: VirtualPatient, seed: UInt64) throws -> Course {
    let config = try #require(ClosedLoopTests.config)
    let model = try #require(config.model(id: "syringe-pca-60ml"))
    var loop = try ClosedLoop.started(
      profile: model.profile, formulary: config.formulary, prescription: WardNurse.prescription,
      patient: Patient(individual, monitor: .clean, seed: seed))
    var nurse = WardNurse()
    var c = Course()
    var atStop: Int64? = nil
    for minute in 1...(24 * 60) {
      loop.run(until: .minutes(Int64(minute))) { l in
        let v = l.patient.vitals
        if v.pain >= 4 { c.secondsInPain += 1 }
        c.maxCp = max(c.maxCp, v.plasma)
        c.maxCe = max(c.maxCe, v.effectSite)
      }
      let s = loop.rig.controller.status
      c.max1h = max(c.max1h, s.delivered1h)
      c.max4h = max(c.max4h, s.delivered4h)
      if atStop == nil, loop.firstInterlockStop != nil { atStop = loop.handedOver }
      nurse.minute(&loop)
      if minute % 60 == 0, minute < 24 * 60 { nurse.round(&loop) }
    }
    let s = loop.rig.controller.status
    c.raises = nurse.raises.map(\.0)
    c.finalBasal = s.basalRate
    c.refusals = nurse.refusals
    c.syringeChanges = nurse.syringeChanges
    c.stoppedAt = loop.firstInterlockStop
    c.demands = s.bolusDemands
    c.grants = s.bolusGrants
    c.afterStop = atStop.map { loop.handedOver - $0 } ?? 0
    return c
  }

  @Test
  func `REQ-PAT-TRACE-05 the trace's titration is the nurse's rule applied to the typical adult`()
    throws
  {
    let config = try #require(ClosedLoopTests.config)
    let adult = try #require(config.patients.first { $0.id == "adult-70kg" })
    let c = try Self.course(adult.typical, seed: 1)
    // The trace's record: raises at the 1, 2 and 3 h rounds, the third refused by `rate` for
    // its soft limit and re-programmed; the syringe changed when the low alarm sounded.
    #expect(c.raises == [.hours(1), .hours(2), .hours(3)])
    #expect(c.finalBasal == .milligramsPerHour(20))
    #expect(c.refusals == [.softLimitUnconfirmed])
    #expect(c.syringeChanges == [.minutes(13 * 60 + 55)])  // low alarm at 13:54:02
    #expect(c.stoppedAt == nil)
    #expect(c.secondsInPain * 2 < 86_400)
    // The trace is that course, step for step: the same seconds in pain (the trace also logs
    // the start state at 0) and the same presses and grants.
    let r = try PatientScenarioTests.replay("ward-adult-24h")
    let p = PatientScenarioTests.patient(r).filter { $0.0 > .zero }
    #expect(p.filter { $0.1.pain >= 4 }.count == c.secondsInPain)
    let (presses, grants) = PatientScenarioTests.decisions(r)
    #expect(Int64(presses) == c.demands && Int64(grants) == c.grants)
    print(
      "figure: nurse, typical adult: raises \(c.raises.map { $0.rawValue / 3_600_000 }) h, "
        + "syringe at \(c.syringeChanges.map { $0.rawValue / 60_000 }) min, in pain >= 4 "
        + "\(c.secondsInPain) s (\(c.secondsInPain * 100 / 86_400) %), "
        + "presses/grants \(c.demands)/\(c.grants)")
  }

  /// Scenario 4 as practised: each adult of the cohort (the same members as `pumpmon replay
  /// --cohort`, seed 1) titrated by its own pain. What must never happen, for every member: a
  /// basal above the ceiling, a raise less than an hour after the previous one, a rolling total
  /// above the prescription's limits, drug after an interlock stop, a refusal other than the
  /// soft-limit one the nurse works around.
  @Test func `REQ-PAT-TRACE-05 a cohort titrated each by its own pain (the protocol as practised)`()
    throws
  {
    let config = try #require(ClosedLoopTests.config)
    let adult = try #require(config.patients.first { $0.id == "adult-70kg" })
    // 8 members by default (about 16 s of CPU in a debug build); KETAPUMP_NURSE_COHORT=N for
    // the figures of a larger cohort (docs/PATIENT.md).
    let n = max(Int(ProcessInfo.processInfo.environment["KETAPUMP_NURSE_COHORT"] ?? "") ?? 8, 2)
    let threads = ProcessInfo.processInfo.activeProcessorCount
    let courses = Cohort.run(count: n, threads: threads) { i -> Course? in
      let seed = PatientProfile.memberSeed(1, i)
      return try? Self.course(adult.individual(seed: seed), seed: seed)
    }
    var inPain: [Int] = []
    var ces: [Double] = []
    var demands: Int64 = 0
    var grants: Int64 = 0
    var basals: [Int64: Int] = [:]
    var stopped: [Int64] = []
    for (i, course) in courses.enumerated() {
      let c = try #require(course, "member \(i)")
      #expect(c.finalBasal <= WardNurse.ceiling, "member \(i)")
      for (a, b) in zip(c.raises, c.raises.dropFirst()) { #expect(b - a >= .hours(1)) }
      #expect(c.max1h <= WardNurse.prescription.limit1h, "member \(i)")
      #expect(c.max4h <= WardNurse.prescription.limit4h, "member \(i)")
      #expect(c.afterStop <= 0, "member \(i): \(c.afterStop) µg after the interlock stop")
      #expect(c.refusals.allSatisfy { $0 == .softLimitUnconfirmed }, "member \(i): \(c.refusals)")
      inPain.append(c.secondsInPain)
      ces.append(c.maxCe)
      demands += c.demands
      grants += c.grants
      basals[c.finalBasal.rawValue / 1000, default: 0] += 1
      if let t = c.stoppedAt { stopped.append(t.rawValue / 60_000) }
    }
    inPain.sort()
    ces.sort()
    // Most members are in pain less than half of the day.
    #expect(inPain[n / 2] * 2 < 86_400)
    let basalText = basals.keys.sorted().map { "\($0) mg/h: \(basals[$0]!)" }.joined(
      separator: ", ")
    print(
      "figure: nurse cohort of \(n): stopped \(stopped.count) (at \(stopped.sorted()) min), in pain >= 4 median "
        + "\(inPain[n / 2] * 100 / 86_400) % / max \(inPain[n - 1] * 100 / 86_400) %, "
        + "controlled most of the day \(inPain.filter { $0 * 2 < 86_400 }.count) of \(n), "
        + "max Ce median \(Int(ces[n / 2])) / max \(Int(ces[n - 1])) ng/mL, "
        + "presses/grants \(demands)/\(grants), final basal \(basalText)")
  }
}
