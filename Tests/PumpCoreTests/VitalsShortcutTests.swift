import PumpCore
import PumpHardware
import Testing

/// The vitals event path (issue 14, docs/PERFORMANCE.md "Vitals event path") changes no
/// behaviour: `handle` takes a monitor sample directly, without `dispatch`'s mode gates (which
/// let a sample through in every mode), and the quiet-reading and settled-vitals shortcuts stay
/// exact. A controller taking the shortcuts and one forced through the full evaluation
/// (`debugAlwaysEvaluate`) get the same inputs — vitals at every band edge, missing and
/// implausible, stale gaps, clock jumps and going back, watch restarts, explorer seeds — and must
/// make the same effects, rejections and snapshot bytes after every call. The fast controller
/// must have taken the shortcuts (no vacuous pass) and the reference never.
@Suite("Vitals shortcuts")
struct VitalsShortcutTests {
  /// A vital's value: at or next to one of its band's bounds (every band, both edges), in the
  /// middle of the normal band, or implausible; or missing.
  static func value(_ band: VitalBand, normal: Int32, _ g: inout SplitMix64) -> Int32? {
    let bounds = [band.criticalLow, band.warningLow, band.warningHigh, band.criticalHigh]
      .compactMap { $0 }
    switch g.next() % 20 {
    case 0: return nil
    case 1: return [-1, 0, 999, 32_767, -32_768][Int(g.next() % 5)]
    case 2...5:
      guard !bounds.isEmpty else { return normal }
      return bounds[Int(g.next() % UInt64(bounds.count))] + Int32(g.next() % 5) - 2
    default: return normal + Int32(g.next() % 7) - 3
    }
  }

  static func sample(_ p: VitalsPolicy, _ g: inout SplitMix64) -> VitalsSample {
    VitalsSample(
      sbp: value(p.sbp, normal: 125, &g), dbp: value(p.dbp, normal: 75, &g),
      hr: value(p.hr, normal: 80, &g), spo2: value(p.spo2, normal: 97, &g),
      rr: value(p.rr, normal: 14, &g))
  }

  /// Both controllers at once; records the first difference.
  struct Pair {
    var fast: PumpController
    var full: PumpController
    var failed = false

    init(formulary: Formulary = testFormulary) {
      fast = PumpController(profile: testProfile, formulary: formulary, now: .zero)
      full = fast
      full.debugAlwaysEvaluate = true
    }

    mutating func handle(_ e: PumpEvent, at t: Milliseconds, _ at: String) {
      let a = fast.handle(e, now: t)
      let b = full.handle(e, now: t)
      compare(
        a == b,
        "\(at): \(e) at \(t) rejected \(String(describing: a)), reference \(String(describing: b))")
    }

    mutating func tick(at t: Milliseconds, _ at: String) {
      fast.tick(now: t)
      full.tick(now: t)
      compare(true, "\(at): tick at \(t)")
    }

    mutating func compare(_ same: Bool, _ what: @autoclosure () -> String) {
      guard !failed else { return }
      if !same || fast.effects != full.effects || fast.snapshot() != full.snapshot()
        || fast.mode != full.mode
      {
        failed = true
        Issue.record("\(what()): effects \(fast.effects), reference \(full.effects)")
      }
    }
  }

  @Test(
    "Random vitals at every band edge, missing and implausible, stale gaps, clock jumps and watch restarts: the vitals event path changes nothing"
  )
  func randomVitalsSameBehaviour() {
    var quietReadings: Int64 = 0
    var skipped: Int64 = 0
    var assessmentsSkipped: Int64 = 0
    for seed in UInt64(1)...40 {
      var g = SplitMix64(seed: seed)
      var p = Pair()
      var t = Milliseconds.zero
      p.handle(.selfTestResult(passed: true), at: t, "seed \(seed)")
      p.handle(.vitals(calmVitals), at: t, "seed \(seed)")
      p.handle(.program(standardRx), at: t, "seed \(seed)")
      p.handle(.start, at: t, "seed \(seed)")
      var samples: Int64 = 0
      var lastSampleAt = t
      for i in 0..<1500 where !p.failed {
        let at = "seed \(seed), step \(i)"
        switch g.next() % 100 {
        case 0..<2:  // a long gap: every vital goes stale
          t = t + Milliseconds(Int64(5_000 + g.next() % 600_000))
        case 2..<4:  // a clock that went back a little
          p.handle(.vitals(Self.sample(p.fast.policy, &g)), at: t - Milliseconds(700), at)
          samples += 1
          continue
        case 4..<6:  // the watch restarts (staleness measured from now)
          p.handle(.clinicianReset, at: t, at)
          p.handle(.stop, at: t, at)
          p.handle(.program(standardRx), at: t, at)
          p.handle(.start, at: t, at)
        case 6..<8:
          p.handle(.acknowledgeAlarms, at: t, at)
        case 8..<20:  // a gap of up to 8 s, no control step
          t = t + Milliseconds(Int64(g.next() % 8_000))
        case 20..<24:  // a control step at a stale edge: 1 ms before, at or after the first one
          // (the last sample's time plus the policy's stale limit)
          t = max(
            t, lastSampleAt + p.fast.policy.staleAfter + Milliseconds(Int64(g.next() % 3) - 1))
          p.tick(at: t, at)
          continue
        default:  // the 1 Hz pattern: a control step, then the sample at its instant
          t = t + .seconds(1)
          p.tick(at: t, at)
        }
        p.handle(.vitals(Self.sample(p.fast.policy, &g)), at: t, at)
        lastSampleAt = t
        samples += 1
      }
      quietReadings += p.fast.debugQuietSamples
      skipped += p.fast.debugEvaluationsSkipped
      assessmentsSkipped += p.fast.debugVitalsAssessmentsSkipped
      #expect(p.full.debugQuietSamples == 0 && p.full.debugEvaluationsSkipped == 0)
      #expect(p.full.debugVitalsAssessmentsSkipped == 0)
    }
    // The shortcuts were taken, many times.
    #expect(quietReadings > 5_000)
    #expect(skipped > 1_000)
    #expect(assessmentsSkipped > 5_000)
  }

  @Test(
    "Explorer seeds (hardware, commands, power cycles, vitals): the vitals event path changes nothing"
  )
  func explorerSeedsSameBehaviour() {
    // The explorer comparison of `EvaluationShortcutTests`, on seeds of its own.
    let taken = EvaluationShortcutTests.compare(seeds: 61..<91)
    #expect(taken.quietSamples > 1_000)
    #expect(taken.evaluationsSkipped > 100)
  }

  /// A formulary whose care areas watch different bands, some with missing bounds, so a new
  /// prescription or a restored snapshot changes the normal ranges the quiet readings use.
  static let twoPolicies: Formulary = {
    var chronic = VitalsPolicy.ketamineDefault
    chronic.sbp = VitalBand(warningLow: 100, criticalLow: 85, warningHigh: 150, criticalHigh: 170)
    chronic.dbp = VitalBand(criticalHigh: 95)
    chronic.hr = VitalBand(warningHigh: 110)
    chronic.spo2 = VitalBand(warningLow: 95, criticalLow: 90)
    chronic.rr = VitalBand(criticalLow: 12, warningHigh: 24)
    chronic.required = VitalsPolicy.ketamineDefault.required | Vital.spo2.bit
    var f = testFormulary
    f.chronicPain = chronic
    return f
  }()

  @Test(
    "New prescriptions in another care area and restored snapshots: the quiet readings follow each policy's bands exactly"
  )
  func policyChangesAndRestoresSameBehaviour() throws {
    let f = Self.twoPolicies
    var chronicRx = standardRx
    chronicRx.drugEntry = DrugEntryID(2)
    chronicRx.careArea = .chronicPain
    var quietReadings: Int64 = 0
    var assessmentsSkipped: Int64 = 0
    var restores = 0
    var careAreaChanges = 0
    for seed in UInt64(101)...130 {
      var g = SplitMix64(seed: seed)
      var p = Pair(formulary: f)
      var t = Milliseconds.zero
      p.handle(.selfTestResult(passed: true), at: t, "seed \(seed)")
      p.handle(.vitals(calmVitals), at: t, "seed \(seed)")
      p.handle(.program(standardRx), at: t, "seed \(seed)")
      p.handle(.start, at: t, "seed \(seed)")
      for i in 0..<800 where !p.failed {
        let at = "seed \(seed), step \(i)"
        switch g.next() % 100 {
        case 0..<3:  // another care area (or the same again): the policy is set anew
          p.handle(.clinicianReset, at: t, at)
          p.handle(.stop, at: t, at)
          p.handle(.program(g.next() % 2 == 0 ? chronicRx : standardRx), at: t, at)
          p.handle(.start, at: t, at)
          careAreaChanges += 1
        case 3..<6:  // both controllers restored from their snapshots (the policy with them)
          quietReadings += p.fast.debugQuietSamples
          assessmentsSkipped += p.fast.debugVitalsAssessmentsSkipped
          p.fast = try PumpController(
            restoring: p.fast.snapshot(), profile: testProfile, formulary: f)
          p.full = try PumpController(
            restoring: p.full.snapshot(), profile: testProfile, formulary: f)
          p.full.debugAlwaysEvaluate = true
          restores += 1
        case 6..<10:
          t = t + Milliseconds(Int64(g.next() % 8_000))
        default:
          t = t + .seconds(1)
          p.tick(at: t, at)
        }
        // Values at and beside the bands of either care area, whichever is in force.
        let policy = g.next() % 2 == 0 ? f.acutePostOp : f.chronicPain
        p.handle(.vitals(Self.sample(policy, &g)), at: t, at)
      }
      quietReadings += p.fast.debugQuietSamples
      assessmentsSkipped += p.fast.debugVitalsAssessmentsSkipped
      #expect(p.full.debugQuietSamples == 0 && p.full.debugVitalsAssessmentsSkipped == 0)
    }
    #expect(quietReadings > 5_000)
    #expect(assessmentsSkipped > 2_000)
    #expect(restores > 100 && careAreaChanges > 100)
  }

  @Test(
    "A sample is taken in every mode: in self-test, faulted, interlock-stopped, with the same effects as the full path"
  )
  func sampleTakenInEveryMode() {
    var p = Pair()
    let high = VitalsSample(sbp: 125, dbp: 75, hr: 150, spo2: 97, rr: 14)
    p.handle(.vitals(high), at: .seconds(1), "self-test")
    #expect(p.fast.mode == .selfTest && p.fast.status.vitals == high)
    p.handle(.selfTestResult(passed: true), at: .seconds(1), "self-test")
    p.handle(.vitals(calmVitals), at: .seconds(2), "idle")
    p.handle(.program(standardRx), at: .seconds(2), "idle")
    p.handle(.start, at: .seconds(2), "programmed")
    for s in 3...14 { p.handle(.vitals(high), at: .seconds(Int64(s)), "infusing") }
    #expect(p.fast.mode == .interlockStopped)
    p.handle(.fault(.motor), at: .seconds(15), "interlock-stopped")
    p.handle(.vitals(calmVitals), at: .seconds(16), "faulted")
    #expect(p.fast.mode == .fault(.motor) && p.fast.status.vitals == calmVitals)
    #expect(!p.failed)
  }
}
