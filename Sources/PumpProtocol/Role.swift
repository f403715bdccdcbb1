/// Who is talking to the device. Wire value: the raw value (lowercase name) in LOGIN frames and
/// key files. Each role has its own key derived from the device secret (`RoleKey`).
public enum Role: String, Hashable, Sendable, CaseIterable {
  /// No login: read-only queries and telemetry only. Has no key.
  case observer
  /// Patient handset: bolus request (and pause/stop).
  case patient
  /// Patient-monitor feed: vitals samples (and pause/stop). Authenticated because a spoofed
  /// feed could hide an alarm.
  case vitals
  /// Programming, start, resume, rate change, clinician bolus, alarms, interlock reset.
  case clinician
  /// Hardware/fault injection and clock control (simulator and test rigs).
  case service

  /// Roles that can log in (every role but observer).
  public static let authenticated: [Role] = [.patient, .vitals, .clinician, .service]
}
