import PumpCore

/// The pump's simulated mechanics and sensors, driven by a `HardwareProfile`: a stepper motor
/// moving a syringe or cassette in discrete steps, the reservoir it drains, line pressures, the
/// air sensor, the door switch and the battery. Pure and deterministic: time is passed in, and
/// every quantity is an integer computed from cumulative state, so it never drifts.
///
/// Fault injection (the service role, traces) is through plain state: `downstreamOccluded`,
/// `motorStalled`, `motorRunaway`, `injectAir`, `doorOpen`, `onMains`, `sensorFailed`.
public struct SimulatedHardware: Sendable {
  public let profile: HardwareProfile
  public internal(set) var now: Milliseconds
  /// Motor command, µL/h.
  public internal(set) var rate: MicrolitersPerHour = .zero
  /// Steps moved since power-on, and since the last report.
  public internal(set) var totalSteps: Int64 = 0
  var unreportedSteps: Int64 = 0
  /// Sub-step remainder of the motor's exact position, in units of 1/3.6e9 step.
  var stepFraction: Int64 = 0
  /// Volume in the reservoir when it was loaded, and steps moved since.
  public internal(set) var loadedVolume: Microliters
  var stepsAtLoad: Int64 = 0
  /// The step count at which the reservoir is empty, `stepsAtLoad + ⌊loadedVolume ×
  /// stepsPerMilliliter / 1000⌋`: read at every move and deadline, changed only where those
  /// two are (`loadReservoir`, a snapshot restore: `reloaded()`).
  var emptyAtSteps: Int64 = 0

  public var downstreamOccluded = false
  public var upstreamOccluded = false
  /// Pressures, milli-psi. Occlusion raises them by 1 milli-psi per nL pushed (our model).
  public internal(set) var downstreamPressure: MilliPSI = .zero
  public internal(set) var upstreamPressure: MilliPSI = .zero
  var pendingAir: Microliters = .zero
  public var doorOpen = false
  public var motorStalled = false
  /// A runaway motor moves at the mechanism's maximum whatever the command.
  public var motorRunaway = false
  public var sensorFailed = false
  public var onMains = true
  /// Battery charge, mA·ms.
  public internal(set) var charge: Int64

  /// `profile.mechanicalMaxRate`, read at every move: kept, since the profile is fixed (the
  /// cross-module getter copied the whole profile and divided at each call).
  let mechanicalMaxRate: MicrolitersPerHour
  /// `Self.reservoirSlack(profile)`, fixed with the profile.
  let reservoirSlack: Int64

  /// The reservoir reading's last division (`readings`, every control step): `usedCached =
  /// ⌈u × 1000 / spm⌉` µL found for `u = usedFromSteps` steps since loading, and
  /// `usedScaledBound = usedCached × spm`. Any `u ≥ usedFromSteps` with `u × 1000 ≤
  /// usedScaledBound` reads the same (`reservoirReading`). Not state: a copy or a restore
  /// may start without it (`.max`: none).
  var usedFromSteps: Int64 = .max
  var usedScaledBound: Int64 = .min
  var usedCached: Int64 = 0
  /// The battery reading's last division (`readings`): `charge / drain` for that charge and
  /// drain (drain ≥ 1, so 0 means none). On mains the charge does not move.
  var batteryCharge: Int64 = 0
  var batteryDrain: Int64 = 0
  var batteryLeft: Int64 = 0

  public init(profile: HardwareProfile, now: Milliseconds) {
    self.profile = profile
    mechanicalMaxRate = profile.mechanicalMaxRate
    reservoirSlack = Self.reservoirSlack(profile)
    self.now = now
    loadedVolume = profile.reservoirVolume
    charge = profile.batteryCapacityMilliampHours * 3_600_000
    reloaded()
  }

  /// Recomputes `emptyAtSteps` after `loadedVolume` or `stepsAtLoad` changed.
  mutating func reloaded() {
    emptyAtSteps =
      stepsAtLoad + Arith.mulDivFloor(loadedVolume.rawValue, profile.stepsPerMilliliter, 1000)
  }

  /// Loads a fresh reservoir of `volume` (clamped to the profile's capacity).
  public mutating func loadReservoir(_ volume: Microliters) {
    loadedVolume = Microliters(min(max(volume.rawValue, 0), profile.reservoirVolume.rawValue))
    stepsAtLoad = totalSteps
    reloaded()
    downstreamPressure = .zero
  }

  public mutating func injectAir(_ bubble: Microliters) { pendingAir = bubble }
  public mutating func setDownstreamPressure(_ p: MilliPSI) { downstreamPressure = p }
  public mutating func setUpstreamPressure(_ p: MilliPSI) { upstreamPressure = p }
  public mutating func setBatteryRemaining(_ ms: Milliseconds) {
    charge = max(ms.rawValue, 0) * drain
  }

  /// The rate the mechanism actually moves at.
  @inline(__always) public var effectiveRate: MicrolitersPerHour {
    if motorStalled { return MicrolitersPerHour(0) }  // (`.zero`: a call to PumpCore.)
    if motorRunaway { return mechanicalMaxRate }
    if totalSteps >= emptyAtSteps { return MicrolitersPerHour(0) }
    return MicrolitersPerHour(min(rate.rawValue, mechanicalMaxRate.rawValue))
  }

  /// Battery drain now, mA.
  @inline(__always) var drain: Int64 {
    max(
      rate.rawValue > 0 ? profile.batteryDrainInfusingMilliamps : profile.batteryDrainIdleMilliamps,
      1)
  }

  /// Moves the mechanism to `t`.
  @inline(__always)
  public mutating func advance(to t: Milliseconds) {
    guard t > now else { return }
    let dt = (t - now).rawValue
    let r = effectiveRate.rawValue
    if r > 0 {
      // steps = rate[µL/h] × dt[ms] × stepsPerMilliliter / (1000 µL/mL × 3.6e6 ms/h)
      let num = Arith.addSat(stepFraction, Arith.mulDivFloor(r * dt, profile.stepsPerMilliliter, 1))
      var steps = num / 3_600_000_000
      stepFraction = num % 3_600_000_000
      if !motorRunaway { steps = min(steps, max(emptyAtSteps - totalSteps, 0)) }
      totalSteps += steps
      unreportedSteps += steps
      if downstreamOccluded || upstreamOccluded {
        let nl = Arith.mulDivFloor(steps, 1_000_000, profile.stepsPerMilliliter)
        if downstreamOccluded { downstreamPressure = MilliPSI(downstreamPressure.rawValue + nl) }
        if upstreamOccluded { upstreamPressure = MilliPSI(upstreamPressure.rawValue + nl) }
      }
    }
    if !onMains { charge = max(charge - drain * dt, 0) }
    now = t
  }

  /// Sets the motor command (after `advance` to the time it takes effect).
  public mutating func command(_ r: MicrolitersPerHour) {
    if r != rate { rate = r }
  }

  @inline(__always) public var reservoir: Microliters {
    let used = Arith.mulDivCeil(totalSteps - stepsAtLoad, 1000, profile.stepsPerMilliliter)
    return Microliters(max(loadedVolume.rawValue - used, 0))
  }

  @inline(__always) public var batteryRemaining: Milliseconds { Milliseconds(charge / drain) }

  /// Readings to report to the controller since the last call, in a fixed order: motor steps
  /// first (they happened before the rest is read).
  @inline(__always)
  public mutating func readings(into out: inout [SensorReading]) {
    if sensorFailed {
      out.removeAll(keepingCapacity: true)
      out.append(.sensorFailure)
      return
    }
    // Written in place: the caller passes the same array every step, so after the first step it
    // already holds seven readings (emptying and appending cost more than the readings).
    if out.count != 7 {
      // Seven slots, each overwritten below (the filler value is never read).
      out.removeAll(keepingCapacity: true)
      out.append(contentsOf: repeatElement(SensorReading.sensorFailure, count: 7))
    }
    let steps = unreportedSteps
    unreportedSteps = 0
    let air = pendingAir
    pendingAir = Microliters(0)  // (Not `.zero`: a call to PumpCore's global accessor.)
    let reservoir = reservoirReading()
    let battery = SensorReading.battery(remaining: batteryReading(), onMains: onMains)
    let (down, up, door) = (downstreamPressure, upstreamPressure, doorOpen)
    out.withUnsafeMutableBufferPointer { b in
      b[0] = .motorSteps(steps)
      b[1] = .reservoir(reservoir)
      b[2] = .downstreamPressure(down)
      b[3] = .upstreamPressure(up)
      b[4] = .airInLine(air)
      b[5] = .door(open: door)
      b[6] = battery
    }
  }

  /// `reservoir`, without its division while the steps since loading stay within the last
  /// result's microliter. Exact: `f(u) = mulDivCeil(u, 1000, spm)` never decreases as `u`
  /// grows (0 for `u ≤ 0`, saturating at `Int64.max`), so `u ≥ u₀` gives `f(u) ≥ f(u₀)`; and
  /// `u × 1000 ≤ f(u₀) × spm` gives `f(u) ≤ f(u₀)` (for `u > 0`, `spm > 0`: `⌈u × 1000 / spm⌉ ≤
  /// f(u₀)`, an integer; for `u ≤ 0`, `f(u) = 0`; for `spm ≤ 0`, `f ≡ 0`). Either product
  /// overflowing means no cache. (The refresh is outlined: the common path stays in the rig's
  /// step.)
  @inline(__always)
  mutating func reservoirReading() -> Microliters {
    let u = totalSteps - stepsAtLoad
    // (`u ≤ usedStepsLimit`: `u × 1000` does not overflow.)
    let used =
      u >= usedFromSteps && u <= Self.usedStepsLimit && u &* 1000 <= usedScaledBound
      ? usedCached : usedAfresh(u)
    return Microliters(max(loadedVolume.rawValue - used, 0))
  }

  /// The largest step count whose `× 1000` fits. (Computed: a stored `static let` is read
  /// through a lazy global.)
  @inline(__always) static var usedStepsLimit: Int64 { Int64.max / 1000 }

  /// `reservoirReading`'s division, kept for the steps after `u`.
  @inline(never)
  mutating func usedAfresh(_ u: Int64) -> Int64 {
    let used = Arith.mulDivCeil(u, 1000, profile.stepsPerMilliliter)
    let (b, o) = used.multipliedReportingOverflow(by: profile.stepsPerMilliliter)
    (usedFromSteps, usedScaledBound, usedCached) = o ? (.max, .min, 0) : (u, b, used)
    return used
  }

  /// `batteryRemaining`, without its division while the charge and the drain are the ones
  /// it was last computed for (on mains, every step).
  @inline(__always)
  mutating func batteryReading() -> Milliseconds {
    let d = drain
    if charge != batteryCharge || d != batteryDrain { batteryAfresh(d) }
    return Milliseconds(batteryLeft)
  }

  /// `batteryReading`'s division, kept for this charge and drain.
  @inline(never)
  mutating func batteryAfresh(_ d: Int64) {
    (batteryCharge, batteryDrain, batteryLeft) = (charge, d, charge / d)
  }

  /// The next instant the hardware's readings cross a threshold the controller watches
  /// (occlusion pressure, battery low/depleted, reservoir empty), for event-driven callers.
  /// While the mechanism does not move at the commanded rate (runaway, stall, empty) the
  /// controller must see it every control tick, as the firmware's flow check would.
  public func nextDeadline() -> Milliseconds? {
    var h = self
    return h.nextDeadlineInPlace()
  }

  /// `nextDeadline()` for a caller holding the hardware `inout` (`PumpRig`): mutating though
  /// it changes nothing, so that Swift hands over the hardware's address and the body reads
  /// only the fields it needs (called non-mutating there, the whole hardware, its profile
  /// included, was copied, or loaded field by field, every step). The occlusion and battery
  /// candidates are rare (a blocked line, on battery) and found apart, each as the earliest of
  /// its own: the earliest of all is the same, and the common path stays short.
  ///
  /// `bound`: a caller that only needs the deadline if it is at or before `bound` (`PumpRig`,
  /// stepping to the controller's deadline or its target) gets the exact deadline then, and
  /// otherwise nil or an instant after `bound`: the reservoir's candidate is then skipped when
  /// `reservoirDeadline(after:)` shows, without its divisions, that it comes later.
  @inline(__always)
  mutating func nextDeadlineInPlace(notAfter bound: Int64 = .max) -> Milliseconds? {
    let now = now.rawValue
    var best = Int64.max
    var found = false
    @inline(__always) func consider(_ t: Int64?) {
      if let t, t > now && (!found || t < best) { (best, found) = (t, true) }
    }
    let r = effectiveRate.rawValue
    if r != rate.rawValue { consider(now + max(profile.controlTick.rawValue, 1)) }
    if r > 0 {
      if downstreamOccluded || upstreamOccluded {
        consider(
          Self.occlusionDeadline(
            now: now, rate: r,
            down: downstreamOccluded ? (profile.downstreamOcclusion, downstreamPressure) : nil,
            up: upstreamOccluded ? (profile.upstreamOcclusion, upstreamPressure) : nil))
      }
      // nL per ms = r / 3600.
      let left = reservoirDeadline(after: bound) ? Microliters(0) : reservoir
      if left.rawValue > 0 {
        consider(now + Arith.mulDivCeil(left.nanoliters, 3600, r) + 1)
      }
    }
    if !onMains {
      consider(
        Self.batteryDeadline(
          now: now, charge: charge, drain: drain, low: profile.batteryLowRemaining))
    }
    return found ? Milliseconds(best) : nil
  }

  /// Whether the reservoir's candidate, `now + ⌈left × 1000 nL × 3600 / r⌉ + 1`, surely comes
  /// after `bound`, from the steps left (`S = emptyAtSteps − totalSteps`) alone. With `V` the
  /// loaded volume, `used` the steps since loading (≥ 0) and `spm` the steps per mL:
  /// `S + used = ⌊V × spm / 1000⌋ ≤ V × spm / 1000`, and the reading `left = V − ⌈used × 1000 /
  /// spm⌉ > V − used × 1000 / spm − 1 ≥ S × 1000 / spm − 1` µL. So the candidate minus `now + 1`
  /// is more than `(S × 10⁶ / spm − 1000) × 3600 / r`, which is at least `D = bound − now − 1`
  /// when `S × 3.6 × 10⁹ ≥ spm × 3.6 × 10⁶ + D × r × spm`; with `D ≤ reservoirHorizon` and
  /// `r ≤ mechanicalMaxRate` (`effectiveRate`), `S > reservoirSlack` is enough (a whole `spm`
  /// for the first term: more than needed). Then the candidate is after
  /// `bound` (and a reading of 0 has no candidate at all). (`D < 0`: the candidate is after
  /// `now ≥ bound` anyway.)
  @inline(__always) func reservoirDeadline(after bound: Int64) -> Bool {
    let now = now.rawValue
    guard now <= Int64.max - Self.reservoirHorizon - 1,
      bound <= now + Self.reservoirHorizon + 1, totalSteps >= stepsAtLoad
    else { return false }
    let (left, o) = emptyAtSteps.subtractingReportingOverflow(totalSteps)
    return !o && left > reservoirSlack
  }

  /// The longest look ahead (ms) for which `reservoirSlack` is worked out.
  static let reservoirHorizon: Int64 = 10_000

  /// The steps left (`S`) must exceed this for `reservoirDeadline(after:)`: `spm +
  /// ⌈reservoirHorizon × mechanicalMaxRate × spm / 3.6 × 10⁹⌉ − 1`, or `Int64.max` (never) for a
  /// profile without steps or when it does not fit.
  static func reservoirSlack(_ profile: HardwareProfile) -> Int64 {
    let spm = profile.stepsPerMilliliter
    let maxRate = max(profile.mechanicalMaxRate.rawValue, 0)
    guard spm > 0, maxRate <= Int64.max / reservoirHorizon else { return .max }
    let reach = Arith.mulDivCeil(reservoirHorizon * maxRate, spm, 3_600_000_000)
    let (slack, o) = spm.addingReportingOverflow(reach)
    return o || reach == .max ? .max : slack - 1
  }

  /// The earliest instant after `now` at which an occluded line's pressure crosses its alarm
  /// threshold, moving at `r` µL/h (nL per ms = r / 3600). (Static, its inputs passed: a
  /// method on the hardware, called from `nextDeadlineInPlace`, would copy it.)
  @inline(never) static func occlusionDeadline(
    now: Int64, rate r: Int64, down: (MilliPSI, MilliPSI)?, up: (MilliPSI, MilliPSI)?
  ) -> Int64? {
    var best: Int64? = nil
    func consider(_ t: Int64) { if t > now, best.map({ t < $0 }) ?? true { best = t } }
    func line(_ l: (threshold: MilliPSI, pressure: MilliPSI)?) {
      guard let l else { return }
      let left = l.threshold.rawValue + 1 - l.pressure.rawValue
      if left > 0 { consider(now + Arith.mulDivCeil(left, 3600, r) + 1) }
    }
    line(down)
    line(up)
    return best
  }

  /// The earliest instant after `now` at which the battery's `charge` (mA·ms), drained at
  /// `drain` mA, falls to `low`'s worth or runs out.
  @inline(never) static func batteryDeadline(
    now: Int64, charge: Int64, drain: Int64, low: Milliseconds
  ) -> Int64? {
    var best: Int64? = nil
    func consider(_ t: Int64) { if t > now, best.map({ t < $0 }) ?? true { best = t } }
    let lowAt = low.rawValue * drain
    if charge > lowAt { consider(now + (charge - lowAt) / drain + 1) }
    if charge > 0 { consider(now + charge / drain + 1) }
    return best
  }
}
