import PumpCore
import Testing

@testable import PumpHardware

/// `SimulatedHardware.readings(into:)` writes the seven readings in place into the caller's
/// array (issue 14, docs/PERFORMANCE.md): the same readings, in the same order, with the same
/// state left behind, as emptying the array and appending them (the implementation before, kept
/// here as the reference), over seeded random hardware histories.
@Suite("Hardware readings")
struct HardwareReadingsTests {
  /// The reference: the readings as they were built before, from the hardware's own state.
  static func reference(_ h: inout SimulatedHardware, into out: inout [SensorReading]) {
    out.removeAll(keepingCapacity: true)
    if h.sensorFailed {
      out.append(.sensorFailure)
      return
    }
    out.append(.motorSteps(h.unreportedSteps))
    h.unreportedSteps = 0
    out.append(.reservoir(h.reservoir))
    out.append(.downstreamPressure(h.downstreamPressure))
    out.append(.upstreamPressure(h.upstreamPressure))
    out.append(.airInLine(h.pendingAir))
    h.pendingAir = .zero
    out.append(.door(open: h.doorOpen))
    out.append(.battery(remaining: h.batteryRemaining, onMains: h.onMains))
  }

  @Test("Random hardware histories: in-place readings equal the appended reference")
  func inPlaceEqualsReference() {
    var inPlace = 0
    for seed in UInt64(1)...40 {
      var rng = SplitMix64(seed: seed)
      var hw = SimulatedHardware(profile: testProfile, now: .zero)
      var t = Milliseconds.zero
      // One array reused across calls, as PumpRig does, and one the reference builds afresh.
      var reused: [SensorReading] = []
      var built: [SensorReading] = []
      for _ in 0..<300 {
        switch rng.next() % 10 {
        case 0: hw.command(MicrolitersPerHour(Int64(rng.next() % 200_000)))
        case 1: hw.injectAir(Microliters(Int64(rng.next() % 500)))
        case 2: hw.doorOpen.toggle()
        case 3: hw.onMains.toggle()
        case 4: hw.downstreamOccluded.toggle()
        case 5: hw.sensorFailed = rng.next() % 4 == 0
        case 6: hw.motorRunaway = rng.next() % 8 == 0
        case 7: hw.loadReservoir(Microliters(Int64(rng.next() % 60_000)))
        default: break
        }
        t = t + Milliseconds(Int64(rng.next() % 5_000))
        hw.advance(to: t)
        var ref = hw
        Self.reference(&ref, into: &built)
        if reused.count == 7 { inPlace += 1 }
        hw.readings(into: &reused)
        #expect(reused == built, "seed \(seed) at \(t)")
        #expect(hw.unreportedSteps == ref.unreportedSteps && hw.pendingAir == ref.pendingAir)
      }
    }
    // The in-place path (an array already holding seven readings) was taken.
    #expect(inPlace > 5_000)
  }

  /// The reference's effective motor rate (µL/h) and empty-reservoir step count, the latter
  /// computed afresh from the loaded volume as the code before `emptyAtSteps` did.
  static func referenceRate(_ h: SimulatedHardware) -> (moving: Int64, emptyAt: Int64) {
    let p = h.profile
    let emptyAt =
      h.stepsAtLoad + Arith.mulDivFloor(h.loadedVolume.rawValue, p.stepsPerMilliliter, 1000)
    if h.motorStalled { return (0, emptyAt) }
    if h.motorRunaway { return (p.mechanicalMaxRate.rawValue, emptyAt) }
    if h.totalSteps >= emptyAt { return (0, emptyAt) }
    return (min(h.rate.rawValue, p.mechanicalMaxRate.rawValue), emptyAt)
  }

  /// The reference deadline: `SimulatedHardware.nextDeadline()` as it stood before the
  /// empty-reservoir step count was kept (`emptyAtSteps`) and the rare candidates were found
  /// apart, from the hardware's own state.
  static func referenceDeadline(_ h: SimulatedHardware) -> Milliseconds? {
    var best: Int64? = nil
    func consider(_ t: Int64) { if t > h.now.rawValue, best.map({ t < $0 }) ?? true { best = t } }
    let p = h.profile
    let r = referenceRate(h).moving
    let now = h.now.rawValue
    if r != h.rate.rawValue { consider(now + max(p.controlTick.rawValue, 1)) }
    if r > 0 {
      if h.downstreamOccluded {
        let left = p.downstreamOcclusion.rawValue + 1 - h.downstreamPressure.rawValue
        if left > 0 { consider(now + Arith.mulDivCeil(left, 3600, r) + 1) }
      }
      if h.upstreamOccluded {
        let left = p.upstreamOcclusion.rawValue + 1 - h.upstreamPressure.rawValue
        if left > 0 { consider(now + Arith.mulDivCeil(left, 3600, r) + 1) }
      }
      let used = Arith.mulDivCeil(h.totalSteps - h.stepsAtLoad, 1000, p.stepsPerMilliliter)
      let left = max(h.loadedVolume.rawValue - used, 0)
      if left > 0 { consider(now + Arith.mulDivCeil(left * 1000, 3600, r) + 1) }
    }
    if !h.onMains {
      let drain = max(
        h.rate.rawValue > 0 ? p.batteryDrainInfusingMilliamps : p.batteryDrainIdleMilliamps, 1)
      let lowAt = p.batteryLowRemaining.rawValue * drain
      if h.charge > lowAt { consider(now + (h.charge - lowAt) / drain + 1) }
      if h.charge > 0 { consider(now + h.charge / drain + 1) }
    }
    return best.map { Milliseconds($0) }
  }

  /// The reference motion: `SimulatedHardware.advance(to:)` as it stood before
  /// `emptyAtSteps` (the empty-reservoir count computed at every move, the pressure increment
  /// computed whether or not a line is occluded).
  static func referenceAdvance(_ h: inout SimulatedHardware, to t: Milliseconds) {
    guard t > h.now else { return }
    let p = h.profile
    let dt = (t - h.now).rawValue
    let (r, emptyAt) = referenceRate(h)
    if r > 0 {
      let num = Arith.addSat(h.stepFraction, Arith.mulDivFloor(r * dt, p.stepsPerMilliliter, 1))
      var steps = num / 3_600_000_000
      h.stepFraction = num % 3_600_000_000
      if !h.motorRunaway { steps = min(steps, max(emptyAt - h.totalSteps, 0)) }
      h.totalSteps += steps
      h.unreportedSteps += steps
      let nl = Arith.mulDivFloor(steps, 1_000_000, p.stepsPerMilliliter)
      if h.downstreamOccluded {
        h.downstreamPressure = MilliPSI(h.downstreamPressure.rawValue + nl)
      }
      if h.upstreamOccluded { h.upstreamPressure = MilliPSI(h.upstreamPressure.rawValue + nl) }
    }
    if !h.onMains { h.charge = max(h.charge - h.drain * dt, 0) }
    h.now = t
  }

  /// The hardware's whole state, as its snapshot writes it.
  static func state(_ h: SimulatedHardware) -> [UInt8] {
    var w = SnapshotWriter()
    h.encode(into: &w)
    return w.bytes
  }

  @Test(
    "Random hardware histories: the deadline and the motion equal the reference's, through restores"
  )
  func deadlineEqualsReference() throws {
    var occluded = 0
    var onBattery = 0
    var emptied = 0
    var restored = 0
    var skipped = 0
    for seed in UInt64(1)...40 {
      var rng = SplitMix64(seed: seed)
      var bounds = SplitMix64(seed: seed + 1_000)
      // `hw` runs the code under test, `ref` the same changes with the reference motion.
      var hw = SimulatedHardware(profile: testProfile, now: .zero)
      var ref = hw
      var t = Milliseconds.zero
      for _ in 0..<400 {
        let change: (inout SimulatedHardware) -> Void
        let pick = rng.next()
        let value = Int64(rng.next() % 1_000_000)
        switch pick % 16 {
        case 0, 1: change = { $0.command(MicrolitersPerHour(value % 400_000)) }
        case 2: change = { $0.onMains.toggle() }
        case 3: change = { $0.downstreamOccluded.toggle() }
        case 4: change = { $0.upstreamOccluded.toggle() }
        case 5: change = { $0.motorStalled = value % 4 == 0 }
        case 6: change = { $0.motorRunaway = value % 8 == 0 }
        case 7: change = { $0.loadReservoir(Microliters(value % 3_000)) }
        case 8: change = { $0.setDownstreamPressure(MilliPSI(value % 30_000)) }
        case 9: change = { $0.setUpstreamPressure(MilliPSI(value % 30_000)) }
        case 10: change = { $0.setBatteryRemaining(Milliseconds(value * 20)) }
        case 11:
          // A snapshot restore sets the reservoir's fields directly.
          change = { h in
            var r = SnapshotReader(Self.state(h))
            h = try! SimulatedHardware(from: &r, profile: testProfile)
          }
          restored += 1
        default: change = { _ in }
        }
        change(&hw)
        change(&ref)
        let expected = Self.referenceDeadline(ref)
        #expect(hw.nextDeadline() == expected, "seed \(seed) at \(t)")
        var inPlace = hw
        #expect(inPlace.nextDeadlineInPlace() == expected, "seed \(seed) at \(t)")
        // Asked only up to a bound (as `PumpRig.catchUp` asks): the deadline itself when it is
        // at or before the bound, else nil or an instant after it.
        let e = expected?.rawValue
        for bound in [t.rawValue + Int64(bounds.next() % 12_000), e ?? t.rawValue, (e ?? 1) - 1] {
          var asked = hw
          let got = asked.nextDeadlineInPlace(notAfter: bound)
          if let e, e <= bound {
            #expect(got == expected, "seed \(seed) at \(t), bound \(bound)")
          } else {
            #expect(got.map { $0.rawValue > bound } ?? true, "seed \(seed) at \(t), bound \(bound)")
            if got != expected { skipped += 1 }
          }
        }
        #expect(
          hw.emptyAtSteps
            == hw.stepsAtLoad
            + Arith.mulDivFloor(hw.loadedVolume.rawValue, testProfile.stepsPerMilliliter, 1000))
        if hw.downstreamOccluded || hw.upstreamOccluded, hw.effectiveRate.rawValue > 0 {
          occluded += 1
        }
        if !hw.onMains { onBattery += 1 }
        if hw.reservoir.rawValue == 0 { emptied += 1 }
        // Next: to the deadline or a random instant, whichever comes first.
        let jump = t + Milliseconds(Int64(rng.next() % 60_000) + 1)
        t = min(expected ?? jump, jump)
        hw.advance(to: t)
        Self.referenceAdvance(&ref, to: t)
        #expect(Self.state(hw) == Self.state(ref), "seed \(seed) at \(t)")
      }
    }
    // Every kind of candidate was compared.
    #expect(occluded > 500 && onBattery > 1_000 && emptied > 100 && restored > 500)
    // The bounded question skipped the reservoir's candidate (and answered differently).
    #expect(skipped > 300, "\(skipped)")
  }

  /// The reservoir and battery readings keep their last division (`reservoirReading`,
  /// `batteryReading`): at clinical rates, one step at a time, the readings equal the
  /// reference's (`reservoir` and `batteryRemaining` computed afresh) through reservoir loads,
  /// snapshot restores (which drop the kept results), copies, mains changes and rate changes,
  /// and both the kept results and fresh divisions are used.
  @Test("Random slow histories: the kept reservoir and battery divisions read as the reference")
  func keptDivisionsEqualReference() {
    var reservoirKept = 0
    var reservoirAfresh = 0
    var batteryKept = 0
    var batteryAfresh = 0
    for seed in UInt64(1)...40 {
      var rng = SplitMix64(seed: seed)
      var hw = SimulatedHardware(profile: testProfile, now: .zero)
      var t = Milliseconds.zero
      var reused: [SensorReading] = []
      var built: [SensorReading] = []
      for _ in 0..<600 {
        let value = Int64(rng.next() % 1_000_000)
        switch rng.next() % 40 {
        case 0, 1: hw.command(MicrolitersPerHour(value % 3_000))
        case 2: hw.command(MicrolitersPerHour(value % 400_000))
        case 3: hw.onMains.toggle()
        case 4: hw.loadReservoir(Microliters(value % 60_000))
        case 5:
          var r = SnapshotReader(Self.state(hw))
          hw = try! SimulatedHardware(from: &r, profile: testProfile)
        case 6: hw.setBatteryRemaining(Milliseconds(value * 20))
        case 7: hw.motorRunaway = value % 8 == 0
        default: break
        }
        t = t + Milliseconds(Int64(rng.next() % 2_000))
        hw.advance(to: t)
        var ref = hw
        Self.reference(&ref, into: &built)
        let before = (hw.usedFromSteps, hw.usedScaledBound, hw.batteryCharge, hw.batteryDrain)
        hw.readings(into: &reused)
        #expect(reused == built, "seed \(seed) at \(t)")
        if before.0 == hw.usedFromSteps && before.1 == hw.usedScaledBound && before.0 != .max {
          reservoirKept += 1
        } else {
          reservoirAfresh += 1
        }
        if before.2 == hw.batteryCharge && before.3 == hw.batteryDrain && before.3 != 0 {
          batteryKept += 1
        } else {
          batteryAfresh += 1
        }
      }
    }
    #expect(reservoirKept > 5_000 && reservoirAfresh > 1_000, "\(reservoirKept) \(reservoirAfresh)")
    #expect(batteryKept > 5_000 && batteryAfresh > 1_000, "\(batteryKept) \(batteryAfresh)")
  }
}
