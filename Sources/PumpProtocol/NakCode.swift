/// Why a device refused a request. Wire value: the raw value, two decimal digits in a NAK frame
/// (docs/PROTOCOL.md §5).
public enum NakCode: UInt8, Hashable, Sendable, CaseIterable {
  /// 01: wrong field count or syntax.
  case malformed = 1
  /// 02: unknown command kind.
  case unknownCommand = 2
  /// 03: a field outside its documented range.
  case outOfRange = 3
  /// 04: HELLO asked for a major version the device does not speak.
  case versionUnsupported = 4
  /// 05: the command needs a login (no MAC, or no session).
  case authRequired = 5
  /// 06: the MAC did not verify for the current session.
  case badMac = 6
  /// 07: sequence number not above the last accepted one (replayed or reordered-old).
  case staleSequence = 7
  /// 08: the session's role may not issue this command.
  case roleForbidden = 8
  /// 09: the login proof was wrong.
  case authFailed = 9
  /// 10: too many failed logins; detail = lockout remaining (ms).
  case lockedOut = 10
  /// 11: AUTH without a preceding LOGIN challenge.
  case noLoginPending = 11
  /// 12: the MAC belongs to a session the device ended (heartbeat timeout or logout).
  case sessionExpired = 12
  /// 13: a console (checksum-less) line asked for something that is not a read-only query.
  case consoleReadOnly = 13
  /// 14: the controller refused the command; detail = `PumpCore.Rejection` raw value.
  case rejected = 14
  /// 15: a patient bolus was denied; detail = `PumpCore.BolusDenial` raw value.
  case bolusDenied = 15
  /// 16: LOGIN before HELLO (the version must be negotiated first).
  case helloRequired = 16
  /// 17: PATIENT on a simulator without a simulated patient (`pumpsim run` without
  /// `--patient`). A real pump does not know the request (`NAK 02`).
  case noPatient = 17

  /// Short name used in console NAK lines.
  public var name: String {
    switch self {
    case .malformed: "malformed"
    case .unknownCommand: "unknown-command"
    case .outOfRange: "out-of-range"
    case .versionUnsupported: "version-unsupported"
    case .authRequired: "auth-required"
    case .badMac: "bad-mac"
    case .staleSequence: "stale-sequence"
    case .roleForbidden: "role-forbidden"
    case .authFailed: "auth-failed"
    case .lockedOut: "locked-out"
    case .noLoginPending: "no-login-pending"
    case .sessionExpired: "session-expired"
    case .consoleReadOnly: "console-read-only"
    case .rejected: "rejected"
    case .bolusDenied: "bolus-denied"
    case .helloRequired: "hello-required"
    case .noPatient: "no-patient"
    }
  }
}
