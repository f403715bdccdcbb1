import Testing

@testable import PumpCore
@testable import PumpHardware

/// The safety invariants' shortcuts (issue 14, docs/PERFORMANCE.md "Issue 14, the rig") check
/// exactly what the checker before them checked: the random explorer's seeded inputs drive a
/// pump, with each deliberately broken controller rule and with none, and at every controller
/// call the checker and its reference copy (`ReferenceSafetyInvariants`, the code as it stood)
/// are handed the same call and must give the same verdict — rule, time and text — at the first
/// violation and at every call after it (both run on; the explorer's harness stops at the first).
@Suite("Safety invariants against the reference")
struct SafetyInvariantsReferenceTests {
  static let explorer = RandomExplorer(
    profile: testProfile, formulary: testFormulary, basePrescription: standardRx)

  /// What the comparison went through (so that it cannot pass by checking nothing).
  struct Tally {
    var calls = 0
    var events = 0
    var violations = 0
    /// Seeds whose first violation both checkers found, on the same call.
    var seedsViolated = 0
    /// Calls with no effects (the effect walks skipped).
    var quietCalls = 0
    /// Calls on which delivery grew under a prescription (the dose window computed).
    var windowChecks = 0
    /// Dose-window checks the slack answered (the full computation skipped).
    var slackChecks = 0
    /// Dose-window violations found right after the slack answered the check before: the slack
    /// ran out and the full check found the violation.
    var slackRanOut = 0
    /// Event calls checked by `observeEvent` (one look: observe and afterEvent together).
    var combinedEvents = 0
    /// Calls with the motor on that `noDeliveryWhileStopped` answered by its one-mask test,
    /// and that went through the full rule (an alarm active, or a mode that does not deliver).
    var quietDelivery = 0
    var fullDelivery = 0
    /// Samples `track` ended with no critical run (its shortcut) and with one.
    var noRunTracks: Int64 = 0
    var runTracks: Int64 = 0
  }

  /// Runs `sequences` with `rule` broken; `alwaysFollows` tells both checkers the hardware
  /// follows the command even when it does not (a runaway's flow then breaks the dose window,
  /// so that rule's verdicts are compared too). Records the first difference.
  static func compare(
    _ rule: DebugBrokenRule?, _ sequences: [(Prescription, [ExplorationStep])],
    alwaysFollows: Bool = false
  ) -> Tally {
    var tally = Tally()
    for (n, (rx, steps)) in sequences.enumerated() {
      var h = ExplorationHarness(profile: testProfile, formulary: testFormulary, prescription: rx)
      h.rig.controller.debugBrokenRule = rule
      h.recordsControllers = true
      var fast = SafetyInvariants()
      var reference = ReferenceSafetyInvariants()
      var first: String? = nil
      var delivered: Int64 = 0
      var lastBySlack = false
      // The one-look checker (`observeEvent` on the event's own call, as offline replay runs
      // it): its verdict is the reference's first verdict of the call, up to its first
      // violation (after which replay checks nothing more).
      var combined = SafetyInvariants()
      var combinedDone = false
      for (i, step) in steps.enumerated() {
        h.controllers.removeAll(keepingCapacity: true)
        h.apply(step)
        for call in h.controllers {
          var c = call.controller
          let follows = alwaysFollows || call.hardwareFollowsCommand
          let at =
            "\(String(describing: rule)), sequence \(n), step \(i) (\(step)), call at \(c.now)"
          tally.calls += 1
          if c.effects.isEmpty { tally.quietCalls += 1 }
          let windowCheck = c.ledger.totalPicograms != delivered && c.prescription != nil
          if windowCheck { tally.windowChecks += 1 }
          delivered = c.ledger.totalPicograms
          let slackBefore = fast.slackChecks
          let quietBefore = fast.debugQuietDeliveryChecks
          let v = fast.observe(&c, hardwareFollowsCommand: follows)
          // The kept last sample is the history's last, always.
          #expect(
            fast.lastDelivered?.time == fast.history.last?.time
              && fast.lastDelivered?.mass == fast.history.last?.mass, "\(at)")
          if fast.debugQuietDeliveryChecks > quietBefore {
            tally.quietDelivery += 1
          } else if c.commandedRate.rawValue > 0 {
            tally.fullDelivery += 1
          }
          let a = v?.description
          let b = reference.observe(c, hardwareFollowsCommand: follows)?.description
          if v?.rule == .doseWindow && lastBySlack { tally.slackRanOut += 1 }
          if fast.slackChecks > slackBefore {
            tally.slackChecks += 1
            lastBySlack = true
          } else if windowCheck {
            lastBySlack = false
          }
          guard a == b else {
            Issue.record(
              "\(at): observe gave \(String(describing: a)), reference \(String(describing: b))")
            return tally
          }
          var verdicts = [a]
          if let e = call.event {
            tally.events += 1
            let a = fast.afterEvent(e, rejection: call.rejection, &c)?.description
            let b = reference.afterEvent(e, rejection: call.rejection, c)?.description
            guard a == b else {
              Issue.record(
                "\(at): afterEvent(\(e)) gave \(String(describing: a)), reference \(String(describing: b))"
              )
              return tally
            }
            verdicts.append(a)
          }
          if !combinedDone {
            let one: String?
            if let e = call.event {
              tally.combinedEvents += 1
              one =
                combined.observeEvent(
                  e, rejection: call.rejection, &c, hardwareFollowsCommand: follows)?.description
            } else {
              one = combined.observe(&c, hardwareFollowsCommand: follows)?.description
            }
            let expected = verdicts.compactMap({ $0 }).first
            guard one == expected else {
              Issue.record(
                "\(at): one look gave \(String(describing: one)), reference \(String(describing: expected))"
              )
              return tally
            }
            combinedDone = one != nil
          }
          for v in verdicts.compactMap({ $0 }) {
            tally.violations += 1
            if first == nil { first = v }
          }
        }
      }
      // The harness's own checker (the one replay runs) stopped at the same first violation.
      if !alwaysFollows {
        guard h.violation?.description == first else {
          Issue.record(
            "\(String(describing: rule)), sequence \(n): harness \(String(describing: h.violation)), reference \(String(describing: first))"
          )
          return tally
        }
      }
      if first != nil { tally.seedsViolated += 1 }
      #expect(fast.checks == reference.checks)
      tally.noRunTracks += fast.debugNoRunTracks
      tally.runTracks += fast.debugRunTracks
    }
    return tally
  }

  /// The random explorer's sequences for `seeds`.
  static func random(_ seeds: Range<UInt64>) -> [(Prescription, [ExplorationStep])] {
    seeds.map { explorer.draw(seed: $0) }
  }

  /// A sequence on which `rule`, broken, breaks an invariant (the random seeds above catch few
  /// of them): the bounded explorer's counterexample, or for the rate interval (outside its
  /// alphabet) a lowered basal, a stop, the prescription again and a start inside the hour.
  static func breaking(_ rule: DebugBrokenRule?) -> [(Prescription, [ExplorationStep])] {
    let calm = ExplorationStep.vitals(sbp: 125, dbp: 75, hr: 80, spo2: 97, rr: 14)
    let sec = ExplorationStep.wait(.seconds(1))
    switch rule {
    case nil: return []
    case .startForgetsRateInterval:
      let lower = MicrogramsPerHour(standardRx.basalRate.rawValue / 2)
      return [
        (
          standardRx,
          [
            calm, .command(.program), .command(.confirm), .command(.start), sec,
            .command(.rate(lower)), sec, .command(.stop), sec, .command(.program),
            .command(.confirm), .command(.start), sec,
          ]
        )
      ]
    case let broken?:
      var e = BoundedExplorer(
        profile: testProfile, formulary: testFormulary, prescription: standardRx, depth: 7)
      e.brokenRule = broken
      let path = e.explore().counterexample
      #expect(!path.isEmpty, "the bounded explorer finds \(broken)")
      return [(standardRx, [calm] + path.flatMap(BoundedExplorer.macro))]
    }
  }

  @Test(
    "Random inputs, each broken rule and none: the invariants give the reference's verdict at every call",
    arguments: [
      nil, .stopReleasesLatch, .resetIgnoresCondition, .staleMasksCritical,
      .startForgetsRateInterval,
    ] as [DebugBrokenRule?])
  func sameVerdicts(_ rule: DebugBrokenRule?) {
    let t = Self.compare(rule, Self.random(1..<31) + Self.breaking(rule))
    #expect(t.calls > 5_000)
    #expect(t.events > 2_000)
    #expect(t.combinedEvents > 1_000)
    #expect(t.quietCalls > 1_000)
    #expect(t.windowChecks > 1_000)
    // The motor-on check took both its one-mask test and the full rule.
    #expect(t.quietDelivery > 1_000)
    #expect(t.fullDelivery > 0)
    // `track` took its no-run shortcut and the full longest-run computation.
    #expect(t.noRunTracks > 300 && t.runTracks > 100, "\(t.noRunTracks) \(t.runTracks)")
    // The slack answered some dose-window checks (most of these seeds run a runaway, which
    // suspends the check; the test below counts the hardware as following).
    #expect(t.slackChecks > 0)
    // A broken rule is caught, by both checkers on the same call.
    #expect((t.seedsViolated > 0) == (rule != nil))
  }

  @Test(
    "One look: a sample that confirms a critical vital on a delivering pump is caught on the event's own call, as afterEvent catches it"
  )
  func oneLookCatchesConfirmedCritical() {
    // A delivering pump that is never told the samples (the checker tracks them from the event):
    // the confirming sample breaks stale-counts-critical after `track`, not in `observe`.
    var c = Bench.infusing().rig.controller
    var combined = SafetyInvariants()
    var reference = ReferenceSafetyInvariants()
    let critical = SafetyDefectTests.withHR(150)
    var caught: String? = nil
    for _ in 0..<max(Int(c.policy.persistSamples), 1) + 1 where caught == nil {
      let expected =
        reference.observe(c)?.description
        ?? reference.afterEvent(.vitals(critical), rejection: nil, c)?.description
      caught = combined.observeEvent(.vitals(critical), rejection: nil, &c)?.description
      #expect(caught == expected)
    }
    #expect(caught?.hasPrefix("stale-counts-critical") == true)
  }

  @Test(
    "Critical runs at the bounds: every vital one below, at and one above each critical bound gives the reference's verdicts"
  )
  func criticalBounds() {
    let base = Bench.infusing().rig.controller
    let p = base.policy
    let vitals: [(WritableKeyPath<VitalsSample, Int32?>, VitalBand)] = [
      (\.sbp, p.sbp), (\.dbp, p.dbp), (\.hr, p.hr), (\.spo2, p.spo2), (\.rr, p.rr),
    ]
    var caught = 0
    for (path, band) in vitals {
      for bound in [band.criticalHigh, band.criticalLow].compactMap({ $0 }) {
        for value in bound - 1...bound + 1 {
          var c = base
          var fast = SafetyInvariants()
          var reference = ReferenceSafetyInvariants()
          var sample = calmVitals
          sample[keyPath: path] = value
          for _ in 0...max(Int(p.persistSamples), 1) {
            let expected =
              reference.observe(c)?.description
              ?? reference.afterEvent(.vitals(sample), rejection: nil, c)?.description
            let v = fast.observeEvent(.vitals(sample), rejection: nil, &c)?.description
            #expect(v == expected, "\(path) = \(value)")
            if v != nil { caught += 1 }
          }
        }
      }
    }
    // Values at and beyond each critical bound were caught.
    #expect(caught >= 10)
  }

  @Test("Random inputs with a runaway counted as controlled: the dose-window verdicts agree too")
  func sameDoseWindowVerdicts() {
    let t = Self.compare(nil, Self.random(1..<31), alwaysFollows: true)
    // Violations found and compared (a runaway's flow breaks the window).
    #expect(t.violations > 0)
    #expect(t.seedsViolated > 0)
    #expect(t.windowChecks > 1_000)
    // The slack answered checks and then ran out: the full check after it found the violation.
    #expect(t.slackChecks > 1_000)
    #expect(t.windowChecks - t.slackChecks > 500)
    #expect(t.slackRanOut > 0)
  }

  @Test(
    "Motor on with each alarm active, the latch set, or in each mode that does not deliver: the full rule runs and gives the reference's verdict"
  )
  func motorOnFullRule() {
    let base = Bench.infusing().rig.controller
    #expect(base.commandedRate.rawValue > 0 && base.mode.mayDeliver)
    // The controller never gets there by itself (that is the rule): each state set directly.
    var states: [PumpController] = []
    for code in AlarmCode.allCases {
      var c = base
      _ = c.alarms.set(code, true, now: c.now)
      states.append(c)
    }
    var latched = base
    latched.interlockLatched = true
    states.append(latched)
    let modes: [Mode] = [
      .selfTest, .idle, .programmed, .paused(.clinician), .complete, .interlockStopped,
      .fault(.watchdog), .kvo, .infusing(.basal),
    ]
    for mode in modes {
      var c = base
      c.mode = mode
      states.append(c)
    }
    var full = 0
    var caught = 0
    for var c in states {
      var fast = SafetyInvariants()
      var reference = ReferenceSafetyInvariants()
      let quiet = fast.debugQuietDeliveryChecks
      let v = fast.observe(&c)?.description
      #expect(v == reference.observe(c)?.description, "\(c.mode), \(c.alarms.activeCodes)")
      if fast.debugQuietDeliveryChecks == quiet { full += 1 }
      if v?.hasPrefix("no-delivery-while-stopped") == true { caught += 1 }
    }
    // Every state but the two delivering modes with nothing active took the full rule, and the
    // stop- and fault-class alarms, the latch and the modes that do not deliver were caught.
    #expect(full == states.count - 2)
    let stopping = AlarmCode.allCases.filter { $0.action == .stop || $0.action == .fault }
    #expect(!stopping.isEmpty)
    #expect(caught == stopping.count + 1 + modes.count - 2)
  }
}
