import PumpCore
import PumpHardware
import PumpPatient
import PumpPatientLoop

/// The ward nurse of scenario 1 (docs/PATIENT.md "Scenario 1") as a policy over a closed loop,
/// so that each patient of a cohort is titrated by its own pain, as the protocol is practised.
/// The caller runs the loop minute by minute (`minute`) and calls `round` on the hour.
/// Each minute: a new syringe if the reservoir-low (or -empty) alarm is active (stop, 60 mL, the
/// same prescription at the present basal re-programmed and confirmed, start) — the nurse
/// answers the alarm within the minute (ASSUMPTION). Each hourly round: if the patient's pain is
/// NRS ≥ 4, no vitals warning is active and the basal is below the ceiling, raise it by 5 mg/h —
/// with `changeBasalRate`, or, when that is refused for a soft limit (it cannot be confirmed),
/// by pause, re-program, confirm, resume. A pump stopped by the interlock is left stopped (the
/// nurse calls the doctor; no reset is modelled).
struct WardNurse {
  static let raise = MicrogramsPerHour.milligramsPerHour(5)
  static let ceiling = MicrogramsPerHour.milligramsPerHour(20)

  /// Scenario 1's prescription: the ward prescription of the tests with the protocol's
  /// 25 mg/h as the hour limit (25 mg/1 h, 100 mg/4 h).
  static let prescription: Prescription = {
    var p = ClosedLoopTests.wardRx
    p.limit1h = .milligrams(25)
    p.limit4h = .milligrams(100)
    return p
  }()

  /// (round, new basal) of every raise the pump accepted.
  private(set) var raises: [(Milliseconds, MicrogramsPerHour)] = []
  /// Refusals met on the way, in order (a `changeBasalRate` refused for a soft limit is one).
  private(set) var refusals: [Rejection] = []
  /// Rounds at which the syringe was changed.
  private(set) var syringeChanges: [Milliseconds] = []

  /// The alarms a nurse answers at once, at the loop's present instant: only the syringe.
  mutating func minute(_ loop: inout ClosedLoop) {
    let t = loop.patient.now
    let c = loop.rig.controller
    guard c.mode != .interlockStopped,
      c.alarms.isActive(.reservoirLow) || c.alarms.isActive(.reservoirEmpty)
    else { return }
    var p = Self.prescription
    p.basalRate = c.status.basalRate
    send(.stop, &loop, t)
    loop.rig.hardware.apply(.reservoir(.milliliters(60)))
    send(.program(p), &loop, t)
    if loop.rig.controller.mode == .programmed { _ = loop.rig.send(.confirmSoftLimits, at: t) }
    send(.start, &loop, t)
    syringeChanges.append(t)
  }

  /// One hourly round at the loop's present instant.
  mutating func round(_ loop: inout ClosedLoop) {
    let t = loop.patient.now
    var p = Self.prescription
    guard loop.rig.controller.mode.mayDeliver else { return }
    let basal = loop.rig.controller.status.basalRate
    guard loop.patient.vitals.pain >= 4, !loop.rig.controller.alarms.isActive(.vitalsWarning),
      basal < Self.ceiling
    else { return }
    let next = MicrogramsPerHour(min(basal.rawValue + Self.raise.rawValue, Self.ceiling.rawValue))
    switch loop.rig.send(.changeBasalRate(next), at: t) {
    case nil:
      raises.append((t, next))
    case .softLimitUnconfirmed:
      refusals.append(.softLimitUnconfirmed)
      p.basalRate = next
      send(.pause, &loop, t)
      send(.program(p), &loop, t)
      send(.confirmSoftLimits, &loop, t)
      send(.resume, &loop, t)
      if loop.rig.controller.status.basalRate == next { raises.append((t, next)) }
    case .some(let r):
      refusals.append(r)
    }
  }

  private mutating func send(_ e: PumpEvent, _ loop: inout ClosedLoop, _ t: Milliseconds) {
    if let r = loop.rig.send(e, at: t) { refusals.append(r) }
  }
}
