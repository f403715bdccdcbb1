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

  public init(profile: HardwareProfile, now: Milliseconds) {
    self.profile = profile
    mechanicalMaxRate = profile.mechanicalMaxRate
    self.now = now
    loadedVolume = profile.reservoirVolume
    charge = profile.batteryCapacityMilliampHours * 3_600_000
  }

  /// Loads a fresh reservoir of `volume` (clamped to the profile's capacity).
  public mutating func loadReservoir(_ volume: Microliters) {
    loadedVolume = Microliters(min(max(volume.rawValue, 0), profile.reservoirVolume.rawValue))
    stepsAtLoad = totalSteps
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
    if motorStalled { return .zero }
    if motorRunaway { return mechanicalMaxRate }
    let emptyAt =
      stepsAtLoad + Arith.mulDivFloor(loadedVolume.rawValue, profile.stepsPerMilliliter, 1000)
    if totalSteps >= emptyAt { return .zero }
    return MicrolitersPerHour(min(rate.rawValue, mechanicalMaxRate.rawValue))
  }

  /// Battery drain now, mA.
  @inline(__always) var drain: Int64 {
    max(
      rate.rawValue > 0 ? profile.batteryDrainInfusingMilliamps : profile.batteryDrainIdleMilliamps,
      1)
  }

  /// Moves the mechanism to `t`.
  public mutating func advance(to t: Milliseconds) {
    guard t > now else { return }
    let dt = (t - now).rawValue
    let r = effectiveRate.rawValue
    if r > 0 {
      // steps = rate[µL/h] × dt[ms] × stepsPerMilliliter / (1000 µL/mL × 3.6e6 ms/h)
      let num = Arith.addSat(stepFraction, Arith.mulDivFloor(r * dt, profile.stepsPerMilliliter, 1))
      var steps = num / 3_600_000_000
      stepFraction = num % 3_600_000_000
      let emptyAt =
        stepsAtLoad + Arith.mulDivFloor(loadedVolume.rawValue, profile.stepsPerMilliliter, 1000)
      if !motorRunaway { steps = min(steps, max(emptyAt - totalSteps, 0)) }
      totalSteps += steps
      unreportedSteps += steps
      let nl = Arith.mulDivFloor(steps, 1_000_000, profile.stepsPerMilliliter)
      if downstreamOccluded { downstreamPressure = MilliPSI(downstreamPressure.rawValue + nl) }
      if upstreamOccluded { upstreamPressure = MilliPSI(upstreamPressure.rawValue + nl) }
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
    pendingAir = .zero
    let reservoir = reservoir
    let battery = SensorReading.battery(remaining: batteryRemaining, onMains: onMains)
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

  /// The next instant the hardware's readings cross a threshold the controller watches
  /// (occlusion pressure, battery low/depleted, reservoir empty), for event-driven callers.
  /// While the mechanism does not move at the commanded rate (runaway, stall, empty) the
  /// controller must see it every control tick, as the firmware's flow check would.
  public func nextDeadline() -> Milliseconds? {
    var best: Int64? = nil
    func consider(_ t: Int64) { if t > now.rawValue, best.map({ t < $0 }) ?? true { best = t } }
    let r = effectiveRate.rawValue
    if r != rate.rawValue { consider(now.rawValue + max(profile.controlTick.rawValue, 1)) }
    if r > 0 {
      // nL per ms = r / 3600.
      if downstreamOccluded {
        let left = profile.downstreamOcclusion.rawValue + 1 - downstreamPressure.rawValue
        if left > 0 { consider(now.rawValue + Arith.mulDivCeil(left, 3600, r) + 1) }
      }
      if upstreamOccluded {
        let left = profile.upstreamOcclusion.rawValue + 1 - upstreamPressure.rawValue
        if left > 0 { consider(now.rawValue + Arith.mulDivCeil(left, 3600, r) + 1) }
      }
      let left = reservoir
      if left.rawValue > 0 {
        consider(now.rawValue + Arith.mulDivCeil(left.nanoliters, 3600, r) + 1)
      }
    }
    if !onMains {
      let lowAt = profile.batteryLowRemaining.rawValue * drain
      if charge > lowAt { consider(now.rawValue + (charge - lowAt) / drain + 1) }
      if charge > 0 { consider(now.rawValue + charge / drain + 1) }
    }
    return best.map { Milliseconds($0) }
  }
}
