import PumpCore

extension Firmware {
  /// While a therapy is set up (a prescription is held) and the motor is still, the loop still
  /// refreshes the alive mark at least this often (ms), so a power loss found at the next start
  /// is dated within a second of the real one (docs/FIRMWARE.md, "Super-loop").
  public static var idleAliveMillis: Int64 { 1000 }

  /// When the loop must next run this pump (see `FirmwareWake`), from the pump's own state:
  /// - ticking while a motor is commanded or still moving (or a control deadline is within one
  ///   tick), on a real or fast clock;
  /// - otherwise the next controller or hardware deadline (`nextWake(monoMillis:)`), the
  ///   sessions' heartbeat timeouts and telemetry (`DeviceSession.nextDeadline()`), and, while a
  ///   prescription is held, the alive mark every `idleAliveMillis`.
  ///
  /// A pump whose clock is virtual never ticks: its time only moves on `CLOCK ADVANCE`, which
  /// is input. A pump that is off has no control deadline (nothing runs).
  public func wake(monoMillis: Int64) -> FirmwareWake {
    var w = FirmwareWake.never
    w.controlDue = nextWake(monoMillis: monoMillis)
    if clock.mode != .virtual, !machine.off {
      let tick = config.model.profile.controlTick.rawValue
      let motor =
        machine.controller.commandedRate.rawValue > 0
        || machine.rig.hardware.effectiveRate.rawValue > 0
      let soon = w.controlDue.map { $0 - monoMillis <= tick } ?? false
      w.ticking = motor || soon
      if machine.controller.prescription != nil {
        w.housekeeping = aliveMarkMono + Self.idleAliveMillis
      }
    }
    // The simulated world's next grid instant (a patient's monitor sample), mapped through the
    // clock: bookkeeping, not a control step (a late sample is no stall).
    if clock.mode != .virtual, let next = world?.nextInstant {
      let ahead = max((next - clock.now(mono: monoMillis)).rawValue, 0)
      let at = monoMillis + (ahead + clock.speed.factor - 1) / clock.speed.factor
      w.housekeeping = min(w.housekeeping ?? at, at)
    }
    for s in sessions {
      guard let d = s.nextDeadline()?.rawValue else { continue }
      w.housekeeping = min(w.housekeeping ?? d, d)
    }
    return w
  }
}
