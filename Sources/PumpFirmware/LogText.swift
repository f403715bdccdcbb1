import PumpCore
import PumpProtocol

/// Human text of controller log entries (LOG replies, pumpsim's log). Host-side formatting:
/// PumpCore itself formats nothing.
public enum LogText {
  /// `#<seq> t=<ms> <effect>`.
  public static func line(_ e: PumpCore.LogEntry) -> String {
    "#\(e.sequence) t=\(e.time.rawValue) \(text(e.effect))"
  }

  /// One event-log line's text, every name from `WireNames` (the names pumpmon and traces use):
  /// `alarm raised door-open (high)`, `mode infusing(basal) -> paused(alarm) (alarm)`,
  /// `vitals artifact SBP=182 ignored`, `rejected start: not-allowed-in-mode`.
  public static func text(_ e: Effect) -> String {
    switch e {
    case .motor(let r): "motor \(r.rawValue) uL/h"
    case .modeChanged(let from, let to, let why):
      "mode \(name(from)) -> \(name(to)) (\(WireNames.name(why)))"
    case .alarmRaised(let c):
      "alarm raised \(WireNames.name(c)) (\(WireNames.name(c.priority)))"
    case .alarmAcknowledged(let c): "alarm acknowledged \(WireNames.name(c))"
    case .alarmCleared(let c): "alarm cleared \(WireNames.name(c))"
    case .audioPaused(let until): "audio paused until t=\(until.rawValue)"
    case .audioPauseBroken(let c): "audio pause broken by \(WireNames.name(c))"
    case .programAccepted(let confirm, let soft):
      confirm ? "program accepted, soft limits to confirm (mask \(soft))" : "program accepted"
    case .softLimitsConfirmed(let soft): "soft limits confirmed (mask \(soft))"
    case .basalRateChanged(let r): "basal rate \(r.rawValue) ug/h"
    case .bolusGranted(let d, let lockout):
      "bolus granted \(d.rawValue) ug, lockout \(lockout.rawValue) ms"
    case .bolusDenied(let why, let left):
      "bolus denied \(WireNames.name(why)), lockout left \(left.rawValue) ms"
    case .bolusStarted(let p, let d): "bolus started \(WireNames.name(p)) \(d.rawValue) ug"
    case .bolusCompleted(let p): "bolus completed \(WireNames.name(p))"
    case .bolusAborted(let p, let left):
      "bolus aborted \(WireNames.name(p)), \(left.rawValue) ug not given"
    case .vitalsArtifact(let v, let x): "vitals artifact \(WireNames.name(v))=\(x) ignored"
    case .interlockReset: "interlock reset by clinician"
    case .occlusionReleased(let v): "occlusion released: \(v.rawValue) uL bolus into the line"
    case .rejected(let kind, let why):
      "rejected \(WireNames.name(kind)): \(WireNames.name(why))"
    }
  }

  /// A mode's name: `WireNames.name` (`infusing(basal)`, `paused(power-cycle)`,
  /// `fault(watchdog)`).
  public static func name(_ m: Mode) -> String { WireNames.name(m) }
}
