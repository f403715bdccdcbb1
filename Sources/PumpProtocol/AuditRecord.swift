import PumpCore

/// One audit-log record: every accepted and rejected privileged command, every login outcome,
/// lockout and session end. Returned as `DeviceSessionAction.audit` for the firmware to log.
/// Never contains keys, proofs or MACs.
public struct AuditRecord: Hashable, Sendable, CustomStringConvertible {
  public enum Outcome: String, Hashable, Sendable {
    case accepted
    case rejected
  }

  /// When it happened (the `now` passed in).
  public var time: Milliseconds
  /// The session's role (observer if none), or the role a LOGIN asked for.
  public var role: Role
  /// Request kind wire name (e.g. "START", "LOGIN"), "SESSION" for session ends, or a console
  /// word.
  public var command: String
  /// The request's sequence number, if it had one.
  public var seq: UInt32?
  public var outcome: Outcome
  /// Why (NAK name and reason, controller rejection, "ok").
  public var reason: String

  public init(
    time: Milliseconds, role: Role, command: String, seq: UInt32?, outcome: Outcome,
    reason: String
  ) {
    self.time = time
    self.role = role
    self.command = command
    self.seq = seq
    self.outcome = outcome
    self.reason = reason
  }

  public var description: String {
    "audit t=\(time.rawValue) role=\(role.rawValue) cmd=\(command) seq=\(seq.map(String.init) ?? "-")"
      + " \(outcome.rawValue): \(reason)"
  }
}
