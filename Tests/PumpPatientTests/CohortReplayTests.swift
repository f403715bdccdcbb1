import KetaPumpTestSupport
import PumpCore
import PumpPatient
import PumpReplay
import PumpTrace
import Testing

/// `pumpmon replay --cohort`: one patient trace across a seeded cohort.
@Suite struct CohortReplayTests {
  static let text = """
    profile: syringe-pca-60ml
    seed: 5
    patient: adult-70kg
    20min expect no alarm vitals-interlock until 20min

    """

  static func bound(_ text: String = text) throws -> (Trace, TraceSetup) {
    let t = try TraceParser.parse(text, file: "c.trace")
    return (t, try TraceSetup.bind(t, to: shippedConfiguration))
  }

  @Test func `REQ-PAT-TRACE-03 a cohort is bit-identical whatever the number of threads`() throws {
    let (t, s) = try Self.bound()
    let one = try CohortReplay.run(t, setup: s, count: 6, seed: 11, threads: 1)
    let two = try CohortReplay.run(t, setup: s, count: 6, seed: 11, threads: 2)
    let four = try CohortReplay.run(t, setup: s, count: 6, seed: 11, threads: 4)
    #expect(one == two)
    #expect(one == four)
    #expect(one.map(\.index) == Array(0..<6))
    // Member i depends only on (seed, i): a smaller cohort is a prefix.
    let three = try CohortReplay.run(t, setup: s, count: 3, seed: 11, threads: 2)
    #expect(Array(one.prefix(3)) == three)
    // Members differ from each other and from another cohort seed.
    #expect(Set(one.map(\.maxEffectSite)).count == 6)
    let other = try CohortReplay.run(t, setup: s, count: 3, seed: 12, threads: 2)
    #expect(other != three)
    // Each member is the file's individual of its member seed.
    let m = CohortReplay.memberSetup(s, seed: 11, index: 4)
    let seed4 = PatientProfile.memberSeed(11, 4)
    #expect(m.patient?.seed == seed4)
    #expect(m.patient?.individual == s.patient?.profile.individual(seed: seed4))
  }

  @Test func `REQ-PAT-TRACE-03 member figures come from the observations`() throws {
    let (t, s) = try Self.bound()
    let m = CohortReplay.member(t, setup: s, seed: 11, index: 0)
    let r = OfflineReplay.run(
      t, setup: CohortReplay.memberSetup(s, seed: 11, index: 0), keepLog: true)
    var cp = 0.0
    var pain = 0
    var granted = 0
    var denied = 0
    var stops = 0
    for o in r.log!.records {
      switch o.event {
      case .patient(let v):
        cp = max(cp, v.plasma)
        if v.pain >= 4 { pain += 1 }
      case .bolusGranted: granted += 1
      case .bolusDenied: denied += 1
      case .mode(let mode, _) where mode == .interlockStopped: stops += 1
      default: break
      }
    }
    #expect(m.maxPlasma == cp)
    #expect(m.painTime == .seconds(Int64(pain)))
    #expect(m.grants == granted)
    #expect(m.presses == granted + denied)
    #expect(m.interlockStops == stops)
    #expect(m.verdict == r.verdict)
    #expect(m.grants > 0)
  }

  @Test func `REQ-PAT-TRACE-03 summary: counts, nearest-rank quantiles, ratio`() {
    func member(_ i: Int, stops: Int, pain: Int64, cp: Double, presses: Int, grants: Int)
      -> CohortReplay.Member
    {
      CohortReplay.Member(
        index: i, seed: UInt64(i), verdict: stops > 0 ? .fail : .pass, error: nil,
        interlockStops: stops, painTime: .minutes(pain), maxPlasma: cp, maxEffectSite: cp / 2,
        presses: presses, grants: grants, delivered: 0)
    }
    let ms = (0..<10).map {
      member(
        $0, stops: $0 == 3 ? 2 : ($0 == 7 ? 1 : 0), pain: Int64($0 * 10), cp: Double(100 + $0),
        presses: 4, grants: 1)
    }
    let s = CohortSummary(ms, seed: 9)
    #expect(s.patients == 10)
    #expect(s.patientsStopped == 2)
    #expect(s.interlockStops == 3)
    #expect(s.painTimeMedian == .minutes(40))  // nearest rank: 5th of 10
    #expect(s.painTimeP90 == .minutes(80))  // 9th of 10
    #expect(s.maxPlasma.median == 104)
    #expect(s.maxPlasma.p95 == 109)
    #expect(s.maxPlasma.max == 109)
    #expect(s.maxEffectSite.max == 54.5)
    #expect(s.demandPerGrant == 4)
    #expect(s.pass == 8)
    #expect(s.fail == 2)
    #expect(
      s.json
        == #"{"demand_per_grant":4.0,"errors":0,"fail":2,"grants":10,"interlock_stops":3,"max_ce_ng_ml":{"max":54.5,"median":52.0,"p95":54.5},"max_cp_ng_ml":{"max":109.0,"median":104.0,"p95":109.0},"pain_time_ms":{"median":2400000,"p90":4800000},"pass":8,"patients":10,"patients_stopped":2,"presses":40,"seed":9}"#
    )
    #expect(s.table.contains("2 patients stopped, 3 stops"))
    #expect(s.table.contains("40 presses / 10 granted = 4.0"))
    #expect(CohortSummary([], seed: 1).demandPerGrant == nil)
  }

  @Test func `REQ-PAT-TRACE-03 bad cohorts are refused with the reason`() throws {
    let (t, s) = try Self.bound()
    #expect(throws: CohortReplay.Refusal.count(0)) {
      try CohortReplay.run(t, setup: s, count: 0, seed: 1, threads: 1)
    }
    #expect(throws: CohortReplay.Refusal.count(100_001)) {
      try CohortReplay.run(t, setup: s, count: 100_001, seed: 1, threads: 1)
    }
    #expect(
      CohortReplay.Refusal.count(-3).description
        == "--cohort: expected a number of patients 1…100000, found -3")
    let (np, nps) = try Self.bound("profile: syringe-pca-60ml\n1min expect mode infusing\n")
    #expect(throws: CohortReplay.Refusal.noPatient(file: "c.trace")) {
      try CohortReplay.run(np, setup: nps, count: 2, seed: 1, threads: 1)
    }
    #expect(
      CohortReplay.Refusal.noPatient(file: "c.trace").description
        == "c.trace: --cohort needs a trace with a 'patient:' header field")
  }
}
