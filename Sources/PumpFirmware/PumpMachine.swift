import PumpCore
import PumpHardware
import PumpProtocol

/// The controller on its simulated hardware, advanced only by `FirmwareInput`s and by its own
/// deadlines. The live firmware and the journal restore call exactly these functions in the
/// same order, so a restart rebuilds the same state (the rig steps only at controller/hardware
/// deadlines and at inputs, never at wall-clock ticks: see docs/FIRMWARE.md, "Determinism").
public struct PumpMachine: Sendable {
  public private(set) var rig: PumpRig
  /// Effects since the last `drainEffects()`, in order (for EVT frames and the log).
  public private(set) var effects: [Effect] = []

  public init(profile: HardwareProfile, formulary: Formulary, now: Milliseconds) {
    rig = PumpRig(
      controller: PumpController(profile: profile, formulary: formulary, now: now),
      hardware: SimulatedHardware(profile: profile, now: now))
    effects.reserveCapacity(64)
  }

  public var controller: PumpController { rig.controller }
  public var now: Milliseconds { rig.now }
  /// True between a simulated power loss (`INJECT POWER,0`) and the next power-on (`POWER,1|2`
  /// or a restart): nothing runs, and only hardware changes and power-on are accepted.
  public private(set) var off = false
  /// True after `INJECT LINK,0` until `LINK,1`: the link is down as far as the controller is
  /// concerned, whatever the sessions do (a login would otherwise report it up).
  public private(set) var linkHeldDown = false

  /// Steps through every controller and hardware deadline in (now, t] (`PumpRig.catchUp`).
  /// Nothing observable changes between deadlines but delivered volume. Does nothing while off.
  public mutating func catchUp(to t: Milliseconds) {
    guard !off else { return }
    rig.catchUp(to: t) { effects.append(contentsOf: $0.effects) }
  }

  /// Applies one input at `t` (after catching up). Returns what the requester is told. While
  /// off, hardware injections change the (unpowered) hardware without a control step, power-on
  /// restarts the controller, and everything else is refused with `notAllowedInMode`.
  @discardableResult
  public mutating func apply(_ input: FirmwareInput, at t: Milliseconds) -> CommandResult {
    if off { return applyWhileOff(input, at: t) }
    catchUp(to: t)
    switch input {
    case .injection(.power(.lost)):
      powerLost(at: t)
      return .accepted
    case .injection(.power):
      return .rejected(.notAllowedInMode)  // Already on.
    case .injection(.hostLink(let connected)):
      linkHeldDown = !connected
      return send(.hostLink(connected: connected), at: t)
    case .injection(.fault(let code)):
      return send(.fault(code), at: t)
    case .injection(let injection):
      rig.advance(to: t) { effects.append(contentsOf: $0.effects) }
      inject(injection)
      rig.step(at: t) { effects.append(contentsOf: $0.effects) }
      return .accepted
    case .event(let event):
      return send(event, at: t)
    case .hostLink(let connected):
      if linkHeldDown { return .accepted }  // `INJECT LINK,0` holds the link down.
      return send(.hostLink(connected: connected), at: t)
    case .linkSecurity(let alert): return send(.linkSecurity(alert: alert), at: t)
    case .fault(let code): return send(.fault(code), at: t)
    case .selfTest(let passed): return send(.selfTestResult(passed: passed), at: t)
    }
  }

  /// Power was lost at `lost` and returns at `restored` (a restart of the process:
  /// `PumpRig.powerLost/powerRestored`). A pump already off (`INJECT POWER,0`) only powers on at
  /// `restored`: nothing runs for the time it was off.
  public mutating func powerCycle(lostAt lost: Milliseconds, restoredAt restored: Milliseconds) {
    if !off { powerLost(at: lost) }
    powerOn(at: max(restored, rig.now), selfTestPassed: true)
  }

  private mutating func applyWhileOff(_ input: FirmwareInput, at t: Milliseconds)
    -> CommandResult
  {
    switch input {
    case .injection(.power(.lost)):
      return .rejected(.notAllowedInMode)  // Already off.
    case .injection(.power(let change)):
      powerOn(at: max(t, rig.now), selfTestPassed: change == .restored)
      return .accepted
    case .injection(.hostLink), .injection(.fault):
      return .rejected(.notAllowedInMode)
    case .injection(let injection):
      inject(injection)  // The hardware changes; nothing runs to notice until power returns.
      return .accepted
    case .event, .hostLink, .linkSecurity, .fault, .selfTest:
      return .rejected(.notAllowedInMode)
    }
  }

  private mutating func powerLost(at t: Milliseconds) {
    rig.powerLost(at: t) { effects.append(contentsOf: $0.effects) }
    off = true
  }

  private mutating func powerOn(at t: Milliseconds, selfTestPassed: Bool) {
    rig.powerRestored(at: t, selfTestPassed: selfTestPassed) {
      effects.append(contentsOf: $0.effects)
    }
    off = false
  }

  /// The machine as bytes: the rig's snapshot and the off / link-held-down flags
  /// (`PumpRig.snapshot()`; the journal's snapshot records).
  public func snapshotBytes() -> [UInt8] {
    var w = SnapshotWriter(capacity: 16_384)
    w.byte((off ? 1 : 0) | (linkHeldDown ? 2 : 0))
    w.raw(rig.snapshot())
    return w.bytes
  }

  /// The machine `snapshotBytes()` captured, for this profile and formulary.
  public init(restoring bytes: [UInt8], profile: HardwareProfile, formulary: Formulary)
    throws(SnapshotError)
  {
    var r = SnapshotReader(bytes)
    let flags = try r.byte()
    guard flags < 4 else { throw .invalid }
    rig = try PumpRig(
      restoring: try r.raw(maxCount: 1 << 26), profile: profile, formulary: formulary)
    try r.end()
    off = flags & 1 != 0
    linkHeldDown = flags & 2 != 0
    effects.reserveCapacity(64)
  }

  /// Returns and forgets the effects collected so far.
  public mutating func drainEffects() -> [Effect] {
    defer { effects.removeAll(keepingCapacity: true) }
    return effects
  }

  /// The state as it is at `t` (delivered volume included) without stepping the rig: a copy is
  /// advanced, so live telemetry never perturbs what the journal can rebuild.
  public func snapshot(at t: Milliseconds) -> PumpController {
    guard !off else { return rig.controller }
    var copy = rig
    copy.advance(to: max(t, rig.now))
    return copy.controller
  }

  private mutating func send(_ event: PumpEvent, at t: Milliseconds) -> CommandResult {
    let before = effects.count
    let rejection = rig.send(event, at: t) { effects.append(contentsOf: $0.effects) }
    if let r = rejection { return .rejected(r) }
    if case .patientBolusRequest = event {
      for e in effects[before...] {
        if case .bolusDenied(let d, let lockout) = e {
          return .bolusDenied(d, lockoutRemaining: lockout)
        }
      }
    }
    return .accepted
  }

  /// Service-role hardware injections (docs/PROTOCOL.md INJECT). A non-zero line pressure is
  /// an occlusion: the pressure starts there and rises with every nanolitre pushed against it;
  /// zero clears the occlusion. `UPOCCL`/`DOWNOCCL` block the line at its present pressure or
  /// free it (pressure 0).
  private mutating func inject(_ injection: Injection) {
    if let h = injection.hardware { rig.hardware.apply(h) }
  }
}
