import PumpCore

/// Human text of controller log entries (LOG replies, pumpsim's log). Host-side formatting:
/// PumpCore itself formats nothing.
public enum LogText {
  /// `#<seq> t=<ms> <effect>`.
  public static func line(_ e: LogEntry) -> String {
    "#\(e.sequence) t=\(e.time.rawValue) \(text(e.effect))"
  }

  public static func text(_ e: Effect) -> String {
    switch e {
    case .motor(let r): "motor \(r.rawValue) uL/h"
    case .modeChanged(let from, let to, let why): "mode \(name(from)) -> \(name(to)) (\(why))"
    case .alarmRaised(let c): "alarm raised \(c) (\(c.priority))"
    case .alarmAcknowledged(let c): "alarm acknowledged \(c)"
    case .alarmCleared(let c): "alarm cleared \(c)"
    case .audioPaused(let until): "audio paused until t=\(until.rawValue)"
    case .audioPauseBroken(let c): "audio pause broken by \(c)"
    case .programAccepted(let confirm, let soft):
      confirm ? "program accepted, soft limits to confirm (mask \(soft))" : "program accepted"
    case .softLimitsConfirmed(let soft): "soft limits confirmed (mask \(soft))"
    case .basalRateChanged(let r): "basal rate \(r.rawValue) ug/h"
    case .bolusGranted(let d, let lockout):
      "bolus granted \(d.rawValue) ug, lockout \(lockout.rawValue) ms"
    case .bolusDenied(let why, let left): "bolus denied \(why), lockout left \(left.rawValue) ms"
    case .bolusStarted(let p, let d): "bolus started \(p) \(d.rawValue) ug"
    case .bolusCompleted(let p): "bolus completed \(p)"
    case .bolusAborted(let p, let left): "bolus aborted \(p), \(left.rawValue) ug not given"
    case .vitalsArtifact(let v, let x): "vitals artifact \(v)=\(x) ignored"
    case .interlockReset: "interlock reset by clinician"
    case .occlusionReleased(let v): "occlusion released: \(v.rawValue) uL bolus into the line"
    case .rejected(let kind, let why): "rejected \(kind): \(why)"
    }
  }

  /// Short mode name (`infusing.basal`, `paused.powerCycle`, `fault.watchdog`).
  public static func name(_ m: Mode) -> String {
    switch m {
    case .selfTest: "selfTest"
    case .idle: "idle"
    case .programmed: "programmed"
    case .infusing(let p): "infusing.\(p)"
    case .paused(let r): "paused.\(r)"
    case .kvo: "kvo"
    case .complete: "complete"
    case .interlockStopped: "interlockStopped"
    case .fault(let f): "fault.\(f)"
    }
  }
}
