import PumpCore
import PumpHardware
import Testing

/// The controller's shortcuts (issue 14, docs/PERFORMANCE.md) change no behaviour: two pumps
/// driven through the same seeded random inputs — vitals in every band, missing leads, spikes
/// and implausible values, presses, every command, hardware faults and sensor values, power
/// cycles, clock jumps — one taking the shortcuts, one forced through the full evaluation at
/// every call (`debugAlwaysEvaluate`), make the same controller calls with the same effects at
/// the same times, and stand in the same state (snapshot bytes) after every input.
@Suite("Evaluation shortcuts")
struct EvaluationShortcutTests {
  static let explorer = RandomExplorer(
    profile: testProfile, formulary: testFormulary, basePrescription: standardRx)

  /// How often the fast pump took each shortcut (the comparison means something only if it did).
  struct Taken {
    var evaluationsSkipped: Int64 = 0
    var sameInstantBegins: Int64 = 0
    var oneBucketSpreads: Int64 = 0
    var deadlineVolumesSkipped: Int64 = 0
    var repeatedAdvances: Int64 = 0
    var headroomMassesKept: Int64 = 0
    var quietSamples: Int64 = 0
    var heldReadingsSkipped: Int64 = 0
  }

  /// Runs seeds `seeds` through both pumps; returns how often the shortcuts were taken, or
  /// records the first difference.
  static func compare(seeds: Range<UInt64>, maxLength: Int = 400) -> Taken {
    var skipped = Taken()
    for seed in seeds {
      let (rx, steps) = explorer.draw(seed: seed, maxLength: maxLength)
      var fast = ExplorationHarness(
        profile: testProfile, formulary: testFormulary, prescription: rx)
      var full = ExplorationHarness(
        profile: testProfile, formulary: testFormulary, prescription: rx)
      full.rig.controller.debugAlwaysEvaluate = true
      // Setting the pump up (before the switch) may have taken a shortcut already.
      let fullBegins = full.rig.controller.debugSameInstantBegins
      let fullSpreads = full.rig.controller.ledger.debugOneBucketSpreads
      let fullAdvances = full.rig.controller.ledger.debugRepeatedAdvances
      let fullQuiet = full.rig.controller.debugQuietSamples
      let fullHeld = full.rig.controller.debugHeldReadingsSkipped
      fast.recordsCalls = true
      full.recordsCalls = true
      for (i, step) in steps.enumerated() {
        fast.calls.removeAll(keepingCapacity: true)
        full.calls.removeAll(keepingCapacity: true)
        fast.apply(step)
        full.apply(step)
        let at = "seed \(seed), step \(i) (\(step))"
        guard fast.calls.count == full.calls.count else {
          Issue.record("\(at): \(fast.calls.count) controller calls, reference \(full.calls.count)")
          return skipped
        }
        for (a, b) in zip(fast.calls, full.calls) where a.time != b.time || a.effects != b.effects {
          Issue.record(
            "\(at): call at \(a.time) gave \(a.effects), reference at \(b.time) \(b.effects)")
          return skipped
        }
        guard fast.rig.snapshot() == full.rig.snapshot(), fast.powered == full.powered else {
          Issue.record("\(at): the pumps' states differ")
          return skipped
        }
        guard fast.violation?.description == full.violation?.description else {
          Issue.record(
            "\(at): violation \(String(describing: fast.violation)), reference \(String(describing: full.violation))"
          )
          return skipped
        }
        // The cached deadline is the deadline of the state as it stands, and the one the
        // reference path (every candidate divided out) computes for it.
        var c = fast.rig.controller
        let fresh = c.nextDeadline()
        c.debugAlwaysEvaluate = true
        let reference = c.nextDeadline()
        guard c.cachedNextDeadline() == fresh, fresh == reference else {
          Issue.record(
            "\(at): cached deadline \(c.cachedNextDeadline()), computed \(fresh), reference \(reference)"
          )
          return skipped
        }
      }
      skipped.evaluationsSkipped += fast.rig.controller.debugEvaluationsSkipped
      skipped.sameInstantBegins += fast.rig.controller.debugSameInstantBegins
      skipped.oneBucketSpreads += fast.rig.controller.ledger.debugOneBucketSpreads
      skipped.deadlineVolumesSkipped += fast.rig.controller.debugDeadlineVolumesSkipped
      skipped.repeatedAdvances += fast.rig.controller.ledger.debugRepeatedAdvances
      skipped.headroomMassesKept += fast.rig.controller.debugHeadroomMassesKept
      skipped.quietSamples += fast.rig.controller.debugQuietSamples
      skipped.heldReadingsSkipped += fast.rig.controller.debugHeldReadingsSkipped
      #expect(full.rig.controller.debugEvaluationsSkipped == 0)
      #expect(full.rig.controller.debugSameInstantBegins == fullBegins)
      #expect(full.rig.controller.ledger.debugOneBucketSpreads == fullSpreads)
      #expect(full.rig.controller.ledger.debugRepeatedAdvances == fullAdvances)
      #expect(full.rig.controller.debugQuietSamples == fullQuiet)
      #expect(full.rig.controller.debugHeldReadingsSkipped == fullHeld)
    }
    return skipped
  }

  @Test(
    "Random inputs: the settled-vitals shortcut, the cached deadline, begin at the same instant, one-bucket reports, repeated advances, skipped deadline volumes, kept headroom masses, quiet vitals readings and repeated sensor readings change nothing"
  )
  func randomInputsSameBehaviour() {
    let taken = Self.compare(seeds: 1..<61)
    // The comparison means something only if the shortcuts were taken.
    #expect(taken.evaluationsSkipped > 200)
    #expect(taken.sameInstantBegins > 1000)
    #expect(taken.oneBucketSpreads > 1000)
    #expect(taken.deadlineVolumesSkipped > 1000)
    #expect(taken.repeatedAdvances > 1000)
    #expect(taken.headroomMassesKept > 1000)
    #expect(taken.quietSamples > 1000)
    #expect(taken.heldReadingsSkipped > 1000)
  }

  @Test("A sample at the instant of a control step that changes no assessment skips evaluate")
  func settledSampleSkips() {
    var rig = Bench.infusing().rig
    let calm = VitalsSample(sbp: 125, dbp: 75, hr: 80, spo2: 97, rr: 14)
    rig.send(.vitals(calm), at: .seconds(1))
    let before = rig.controller.debugEvaluationsSkipped
    rig.send(.vitals(calm), at: .seconds(2))  // a control step at 2 s, then the sample
    #expect(rig.controller.debugEvaluationsSkipped == before + 1)
    // Samples that confirm a critical vital are evaluated: the interlock stops the pump.
    let critical = VitalsSample(sbp: 125, dbp: 75, hr: 150, spo2: 97, rr: 14)
    for s in 3...12 { rig.send(.vitals(critical), at: .seconds(Int64(s))) }
    #expect(rig.controller.mode == .interlockStopped)
  }
}
