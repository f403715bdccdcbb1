import PumpHardware
import Testing

@testable import PumpCore

/// The control step's shortcuts (issue 14, docs/PERFORMANCE.md "control step") change no
/// behaviour: two pumps driven through the same inputs, one taking the shortcuts, one forced
/// through the full computation at every call (`debugAlwaysEvaluate`), stand after every
/// controller call at the same time with the same effects, the same state (snapshot bytes), the
/// same rejection and the same next deadline, and reach the same invariant verdict.
@Suite("Step shortcuts")
struct StepShortcutTests {
  static let explorer = RandomExplorer(
    profile: testProfile, formulary: testFormulary, basePrescription: standardRx)

  /// How often the fast pump took the shortcuts (the comparison means something only if it did).
  struct Taken {
    var windowMassesKept: Int64 = 0
    /// Deadlines whose stale candidates came from the required vitals' bits.
    var staleBitLoops: Int64 = 0
    /// Deadlines that passed over the headroom candidate's division, and that aligned to the
    /// grid from the least candidate alone.
    var headroomSkipped: Int64 = 0
    var gridDirect: Int64 = 0
    /// Control steps that passed over the hardware alarms' conditions.
    var hardwareSkipped: Int64 = 0
    /// Expected consumptions that used the kept bolus volume.
    var bolusVolumesKept: Int64 = 0
    /// Control steps whose readings were compared by their slot in the rig's order.
    var rigOrderSteps: Int64 = 0
    var calls = 0
  }

  /// What differs between the pump and the reference after the same call, if anything.
  static func difference(
    _ a: ExplorationHarness.ObservedCall, _ b: ExplorationHarness.ObservedCall
  ) -> String? {
    let (x, y) = (a.controller, b.controller)
    if x.now != y.now || x.effects != y.effects {
      return "call at \(x.now) gave \(x.effects), reference at \(y.now) \(y.effects)"
    }
    if a.event != b.event || a.rejection != b.rejection {
      return
        "event \(String(describing: a.event)) → \(String(describing: a.rejection)), reference \(String(describing: b.event)) → \(String(describing: b.rejection))"
    }
    if x.snapshot() != y.snapshot() || x.commandedRate != y.commandedRate { return "states differ" }
    // The deadline the pump gives (cached or kept masses) is the one the reference computes.
    var fast = x
    let d = fast.cachedNextDeadline()
    let reference = y.nextDeadline()
    return d == reference ? nil : "deadline \(d), reference \(reference)"
  }

  /// Runs `steps` (prescription `rx`) through both pumps; adds to `taken` how often the
  /// shortcuts were taken; records the first difference and returns false.
  static func compare(
    _ rx: Prescription, _ steps: [ExplorationStep], label: String, _ taken: inout Taken,
    formulary: Formulary = testFormulary
  ) -> Bool {
    var fast = ExplorationHarness(profile: testProfile, formulary: formulary, prescription: rx)
    var full = ExplorationHarness(profile: testProfile, formulary: formulary, prescription: rx)
    full.rig.controller.debugAlwaysEvaluate = true
    // Setting the pump up (before the switch) may have taken a shortcut already.
    let fullMasses = full.rig.controller.debugHeadroomMassesKept
    let fastMasses = fast.rig.controller.debugHeadroomMassesKept
    let fastStale = fast.rig.controller.debugStaleBitLoops
    let fastHeadroom = fast.rig.controller.debugDeadlineHeadroomSkipped
    let fastGrid = fast.rig.controller.debugDeadlineGridDirect
    let fastHardware = fast.rig.controller.debugHardwareChecksSkipped
    let fullGrid = full.rig.controller.debugDeadlineGridDirect
    let fullHeadroom = full.rig.controller.debugDeadlineHeadroomSkipped
    let fullHardware = full.rig.controller.debugHardwareChecksSkipped
    let fastVolumes = fast.rig.controller.debugBolusVolumesKept
    let fullVolumes = full.rig.controller.debugBolusVolumesKept
    let fastRigOrder = fast.rig.controller.debugRigOrderSteps
    let fullRigOrder = full.rig.controller.debugRigOrderSteps
    fast.recordsControllers = true
    full.recordsControllers = true
    for (i, step) in steps.enumerated() {
      fast.controllers.removeAll(keepingCapacity: true)
      full.controllers.removeAll(keepingCapacity: true)
      fast.apply(step)
      full.apply(step)
      let at = "\(label), step \(i) (\(step))"
      guard fast.controllers.count == full.controllers.count else {
        Issue.record(
          "\(at): \(fast.controllers.count) controller calls, reference \(full.controllers.count)")
        return false
      }
      taken.calls += fast.controllers.count
      for (j, (a, b)) in zip(fast.controllers, full.controllers).enumerated() {
        if let d = difference(a, b) {
          Issue.record("\(at), call \(j): \(d)")
          return false
        }
      }
      guard fast.violation?.description == full.violation?.description, fast.powered == full.powered
      else {
        Issue.record(
          "\(at): violation \(String(describing: fast.violation)), reference \(String(describing: full.violation))"
        )
        return false
      }
    }
    taken.windowMassesKept += fast.rig.controller.debugHeadroomMassesKept - fastMasses
    #expect(full.rig.controller.debugHeadroomMassesKept == fullMasses)
    taken.staleBitLoops += fast.rig.controller.debugStaleBitLoops - fastStale
    #expect(full.rig.controller.debugStaleBitLoops == 0)
    taken.headroomSkipped += fast.rig.controller.debugDeadlineHeadroomSkipped - fastHeadroom
    taken.gridDirect += fast.rig.controller.debugDeadlineGridDirect - fastGrid
    #expect(full.rig.controller.debugDeadlineHeadroomSkipped == fullHeadroom)
    #expect(full.rig.controller.debugDeadlineGridDirect == fullGrid)
    taken.hardwareSkipped += fast.rig.controller.debugHardwareChecksSkipped - fastHardware
    #expect(full.rig.controller.debugHardwareChecksSkipped == fullHardware)
    taken.bolusVolumesKept += fast.rig.controller.debugBolusVolumesKept - fastVolumes
    #expect(full.rig.controller.debugBolusVolumesKept == fullVolumes)
    taken.rigOrderSteps += fast.rig.controller.debugRigOrderSteps - fastRigOrder
    #expect(full.rig.controller.debugRigOrderSteps == fullRigOrder)
    return true
  }

  @Test(
    "Random inputs: the window masses kept for the motor command and the deadline change nothing"
  )
  func randomInputsSameBehaviour() {
    var taken = Taken()
    for seed in UInt64(101)..<141 {
      let (rx, steps) = Self.explorer.draw(seed: seed, maxLength: 300)
      guard Self.compare(rx, steps, label: "seed \(seed)", &taken) else { return }
    }
    // The comparison means something only if the shortcuts were taken.
    #expect(taken.windowMassesKept > 1000)
    #expect(taken.staleBitLoops > 1000)
    #expect(taken.headroomSkipped > 1000)
    #expect(taken.gridDirect > 1000)
    #expect(taken.hardwareSkipped > 1000)
    #expect(taken.bolusVolumesKept > 1000)
    #expect(taken.rigOrderSteps > 1000)
  }

  /// A policy that requires every vital (and sets the three bits no vital has) and calls a
  /// vital stale after 3 s: the stale candidates of SpO2 and RR, of leads the explorer drops,
  /// and the bits past the last track.
  static let everyVitalRequired: Formulary = {
    var policy = VitalsPolicy.ketamineDefault
    policy.required = 0xFF
    policy.staleAfter = .seconds(3)
    return Formulary(
      entries: testFormulary.entries, acutePostOp: policy, chronicPain: policy,
      paediatric: policy)
  }()

  @Test("Random inputs with every vital required: the stale candidates change nothing")
  func everyVitalRequiredSameBehaviour() {
    var taken = Taken()
    for seed in UInt64(141)..<161 {
      let (rx, steps) = Self.explorer.draw(seed: seed, maxLength: 300)
      guard
        Self.compare(rx, steps, label: "seed \(seed)", &taken, formulary: Self.everyVitalRequired)
      else { return }
    }
    #expect(taken.staleBitLoops > 1000)
  }

  static let calm = ExplorationStep.vitals(sbp: 125, dbp: 75, hr: 80, spo2: 97, rr: 14)

  /// `step` then a second of control steps and a vitals sample.
  static func then(_ step: ExplorationStep) -> [ExplorationStep] {
    [step, .wait(.seconds(1)), calm]
  }

  /// Sensor values on each side of every hardware alarm's threshold (stops, resumes and new
  /// rates for the motor command), and starts, stops and basal changes with the readings held.
  /// testProfile: occlusion above 10 psi down, 1 psi up; air from 50 µL; low reservoir below
  /// 1 mL or 30 min at the expected consumption (standardRx: 1 mL/h basal + 4 × 0.4 mL
  /// boluses per hour = 2.6 mL/h, so 1300 µL is 30 min exactly); battery low below 30 min.
  static var edges: [ExplorationStep] {
    var s: [ExplorationStep] = [calm, .command(.program)]
    let stepsAt: [ExplorationStep] = [
      .inject(.reservoir(Microliters(1300))), .command(.start), .command(.stop),
      .inject(.reservoir(Microliters(1100))), .command(.program), .command(.start),
      .command(.rate(.milligramsPerHour(2))), .command(.rate(.milligramsPerHour(5))),
      .command(.pause), .command(.resume), .inject(.reservoir(Microliters(1000))),
      .inject(.reservoir(Microliters(999))), .inject(.reservoir(Microliters(1))),
      .inject(.reservoir(Microliters(0))), .command(.acknowledge),
      .inject(.reservoir(Microliters(60_000))), .command(.acknowledge), .command(.resume),
      .inject(.pressure(downstream: true, MilliPSI(1000))),
      .inject(.pressure(downstream: true, MilliPSI(1001))),
      .inject(.pressure(downstream: true, MilliPSI(10_000))),
      .inject(.pressure(downstream: true, MilliPSI(10_001))),
      .inject(.pressure(downstream: true, MilliPSI(9_999))),
      .inject(.pressure(downstream: true, MilliPSI(0))), .command(.acknowledge),
      .command(.resume), .inject(.pressure(downstream: false, MilliPSI(1000))),
      .inject(.pressure(downstream: false, MilliPSI(1001))),
      .inject(.pressure(downstream: false, MilliPSI(0))),
      .inject(.pressure(downstream: false, MilliPSI(-16_000))),
      .inject(.pressure(downstream: false, MilliPSI(0))), .command(.acknowledge),
      .command(.resume), .inject(.air(Microliters(49))), .inject(.air(Microliters(50))),
      .inject(.air(Microliters(0))), .command(.acknowledge), .command(.resume),
      .inject(.door(open: true)), .inject(.door(open: false)), .command(.acknowledge),
      .command(.resume), .inject(.mains(on: false)), .inject(.battery(.minutes(30))),
      .inject(.battery(Milliseconds(1_799_999))), .inject(.battery(.zero)),
      .inject(.mains(on: true)), .command(.acknowledge), .command(.resume),
      .inject(.occlusion(downstream: true, on: true)), .wait(.minutes(2)),
      .inject(.occlusion(downstream: true, on: false)), .command(.acknowledge),
      .command(.resume), .inject(.sensorFailure(true)), .inject(.sensorFailure(false)),
      .powerLost, .powerRestored(selfTestPassed: true), .command(.program), .command(.start),
      .clockAdvance(.minutes(40)), .command(.stop),
    ]
    for step in stepsAt { s += then(step) }
    return s
  }

  @Test("Sensor values at every hardware alarm's edges, stops, restarts and rate changes")
  func alarmEdgesSameBehaviour() {
    var taken = Taken()
    guard Self.compare(standardRx, Self.edges, label: "edges", &taken) else { return }
    #expect(taken.windowMassesKept > 100)
    #expect(taken.staleBitLoops > 100)
    #expect(taken.hardwareSkipped > 100)
    #expect(taken.rigOrderSteps > 100)
  }

  /// 75 minutes of basal with patient boluses every 11 minutes (a vitals sample every 4 s) under
  /// a 1-hour limit of 6 mg: boluses that run up to the limit, basal held at it, KVO and back,
  /// so the motor command and the deadline change rate often close to a window limit.
  static var nearTheLimits: (Prescription, [ExplorationStep]) {
    var rx = standardRx
    rx.limit1h = .milligrams(6)
    rx.limit4h = .milligrams(16)
    var s: [ExplorationStep] = [calm, .command(.program), .command(.start)]
    for i in 0..<1125 {
      if i % 165 == 1 { s.append(.press) }
      if i == 600 { s.append(.command(.bolus(.milligrams(1)))) }
      s += [calm, .wait(.seconds(4))]
    }
    return (rx, s)
  }

  @Test("Boluses, basal and KVO at the window limits")
  func nearTheLimitsSameBehaviour() {
    var taken = Taken()
    let (rx, steps) = Self.nearTheLimits
    guard Self.compare(rx, steps, label: "limits", &taken) else { return }
    #expect(taken.windowMassesKept > 1000)
    #expect(taken.staleBitLoops > 1000)
    #expect(taken.headroomSkipped > 500)
    #expect(taken.gridDirect > 1000)
    #expect(taken.hardwareSkipped > 500)
    #expect(taken.bolusVolumesKept > 1000)
  }

  /// `lastsLess` (the low-reservoir time test without a division) against `time(at:)` itself:
  /// every volume and rate on each side of the threshold, powers of two up to the saturation
  /// of the product, and seeded random values.
  @Test("The low-reservoir time test equals time(at:) < t")
  func lastsLessEqualsTimeComparison() {
    func check(_ v: Int64, _ t: Int64, _ r: Int64) {
      let fast = PumpController.lastsLess(
        Microliters(v), than: Milliseconds(t), at: MicrolitersPerHour(r))
      let reference = Microliters(v).time(at: MicrolitersPerHour(r)) < Milliseconds(t)
      #expect(fast == reference, "volume \(v) µL, time \(t) ms, rate \(r) µL/h")
    }
    var values: [Int64] = [1, 2, 3, 999, 1000, 1001, 1299, 1300, 1301, 3_600_000, 1_800_000]
    for b in 0..<63 { values += [Int64(1) << b, (Int64(1) << b) - 1, (Int64(1) << b) + 1] }
    values = values.filter { $0 > 0 }
    let times: [Int64] = [-1, 0, 1, 1_799_999, 1_800_000, 1_800_001, Int64.max] + values
    for v in values {
      for t in times { for r in [1, 2600, 2601, 1_000_000, Int64.max] { check(v, t, r) } }
    }
    var g = SplitMix64(seed: 14)
    for _ in 0..<20_000 {
      let v = Int64(g.next() >> UInt64(1 + g.next() % 63)) | 1
      let t = Int64(g.next() >> UInt64(1 + g.next() % 63))
      let r = Int64(g.next() >> UInt64(1 + g.next() % 63)) | 1
      check(v, t, r)
      // On the threshold: t = ⌊v·3 600 000 / r⌋ and one either side.
      let at = Microliters(v).time(at: MicrolitersPerHour(r)).rawValue
      for d: Int64 in [-1, 0, 1] where at.addingReportingOverflow(d).overflow == false {
        check(v, at + d, r)
      }
    }
  }

  /// Seven readings in the rig's order with values near the held ones, at the alarm edges and
  /// implausible; now and then two slots swapped, one left out or a sensor failure (the general
  /// path).
  static func readings(_ g: inout SplitMix64) -> [SensorReading] {
    func pick<T>(_ values: [T]) -> T { values[Int(g.next() % UInt64(values.count))] }
    let pressures = [0, 1000, 1001, 10_000, 10_001, -16_000, 1_000_000].map { MilliPSI($0) }
    var r: [SensorReading] = [
      .motorSteps(pick([0, 0, 1, 7, 200, -1])),
      .reservoir(Microliters(pick([60_000, 60_000, 1300, 999, 0, -1, 1_000_000]))),
      .downstreamPressure(pick(pressures)), .upstreamPressure(pick(pressures)),
      .airInLine(Microliters(pick([0, 0, 0, 49, 50, -1]))), .door(open: g.next() % 8 == 0),
      .battery(
        remaining: Milliseconds(pick([3_600_000, 3_600_000, 1_799_999, -1])),
        onMains: g.next() % 4 != 0),
    ]
    switch g.next() % 16 {
    case 0: r.swapAt(Int(g.next() % 7), Int(g.next() % 7))
    case 1: r.remove(at: Int(g.next() % 7))
    case 2: r = [.sensorFailure]
    default: break
    }
    return r
  }

  @Test(
    "Readings in the rig's order, held, changed, implausible, reordered: the slot comparison changes nothing"
  )
  func rigOrderReadingsSameBehaviour() {
    /// A started pump at `t` and its reference.
    func started(at t: Milliseconds) -> (PumpController, PumpController) {
      var fast = PumpController(profile: testProfile, formulary: testFormulary, now: t)
      for e in [PumpEvent.selfTestResult(passed: true), .program(standardRx), .start] {
        _ = fast.handle(e, now: t)
      }
      var full = fast
      full.debugAlwaysEvaluate = true
      return (fast, full)
    }
    var rigOrder: Int64 = 0
    for seed in UInt64(1)...40 {
      var g = SplitMix64(seed: seed)
      var t = Milliseconds.zero
      var (fast, full) = started(at: t)
      var last: [SensorReading] = []
      for i in 0..<400 {
        t = t + Milliseconds(1000)
        // Mostly the previous readings again (held).
        let r = i > 0 && g.next() % 3 != 0 ? last : Self.readings(&g)
        last = r
        let taken = fast.debugRigOrderSteps
        fast.tick(now: t, readings: r)
        rigOrder += fast.debugRigOrderSteps - taken
        full.tick(now: t, readings: r)
        if fast.effects != full.effects || fast.snapshot() != full.snapshot()
          || fast.mode != full.mode || fast.sensors != full.sensors
        {
          Issue.record(
            "seed \(seed), tick \(i) \(r): effects \(fast.effects), reference \(full.effects)")
          return
        }
        #expect(full.debugRigOrderSteps == 0)
        // A fresh pump after a fault (and now and then) keeps the readings meaningful.
        if fast.isFaulted || g.next() % 50 == 0 { (fast, full) = started(at: t) }
      }
    }
    #expect(rigOrder > 1000)
  }

  @Test("A ledger's step volume is the step volume rounded up")
  func stepVolumeRoundedUp() {
    for spm: Int64 in [0, 1, 3, 7, 999, 1000, 1001, 12_345, 1_000_000, 1_000_001, 7_777_777] {
      let ledger = DoseLedger(stepsPerMilliliter: spm, now: .zero)
      #expect(ledger.stepNanoliters == Arith.divCeil(1_000_000, max(spm, 1)))
    }
  }
}
