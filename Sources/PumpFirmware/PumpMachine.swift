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

  /// Steps through every controller and hardware deadline up to `t` (not at `t` itself unless it
  /// is one). Nothing observable changes between deadlines but delivered volume.
  public mutating func catchUp(to t: Milliseconds) {
    while true {
      var next = rig.controller.nextDeadline()
      if let h = rig.hardware.nextDeadline(), h < next { next = h }
      if next > t || next < rig.now { break }
      if next == rig.now && next == t { break }
      rig.step(at: next) { effects.append(contentsOf: $0.effects) }
    }
  }

  /// Applies one input at `t` (after catching up). Returns what the requester is told.
  @discardableResult
  public mutating func apply(_ input: FirmwareInput, at t: Milliseconds) -> CommandResult {
    catchUp(to: t)
    switch input {
    case .request(.inject(let injection)):
      rig.advance(to: t) { effects.append(contentsOf: $0.effects) }
      inject(injection)
      rig.step(at: t) { effects.append(contentsOf: $0.effects) }
      return .accepted
    case .request(let request):
      guard let event = request.pumpEvent else { return .rejected(.invalidValue) }
      return send(event, at: t)
    case .hostLink(let connected): return send(.hostLink(connected: connected), at: t)
    case .fault(let code): return send(.fault(code), at: t)
    case .selfTest(let passed): return send(.selfTestResult(passed: passed), at: t)
    }
  }

  /// Power was lost at `lost` and returns at `restored` (`PumpRig.powerLost/powerRestored`).
  public mutating func powerCycle(lostAt lost: Milliseconds, restoredAt restored: Milliseconds) {
    catchUp(to: lost)
    rig.powerLost(at: lost) { effects.append(contentsOf: $0.effects) }
    rig.powerRestored(at: max(restored, lost)) { effects.append(contentsOf: $0.effects) }
  }

  /// Returns and forgets the effects collected so far.
  public mutating func drainEffects() -> [Effect] {
    defer { effects.removeAll(keepingCapacity: true) }
    return effects
  }

  /// The state as it is at `t` (delivered volume included) without stepping the rig: a copy is
  /// advanced, so live telemetry never perturbs what the journal can rebuild.
  public func snapshot(at t: Milliseconds) -> PumpController {
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

  /// Service-role injections (docs/PROTOCOL.md INJECT). A non-zero line pressure is an
  /// occlusion: the pressure starts there and rises with every nanolitre pushed against it;
  /// zero clears the occlusion.
  private mutating func inject(_ injection: Injection) {
    switch injection {
    case .upstreamPressure(let p):
      rig.hardware.upstreamOccluded = p.rawValue > 0
      rig.hardware.setUpstreamPressure(p)
    case .downstreamPressure(let p):
      rig.hardware.downstreamOccluded = p.rawValue > 0
      rig.hardware.setDownstreamPressure(p)
    case .door(let open): rig.hardware.doorOpen = open
    case .airBubble(let v): rig.hardware.injectAir(v)
    case .mains(let present): rig.hardware.onMains = present
    case .batteryRemaining(let ms): rig.hardware.setBatteryRemaining(ms)
    case .motorStall(let on): rig.hardware.motorStalled = on
    case .motorRunaway(let on): rig.hardware.motorRunaway = on
    case .sensorFailure(let on): rig.hardware.sensorFailed = on
    case .reservoir(let v): rig.hardware.loadReservoir(v)
    }
  }
}
