import PumpCore

/// What the firmware reports after executing a request from `DeviceSessionAction.execute`.
public enum CommandResult: Hashable, Sendable {
  /// Done: `ACK,seq,<KIND>`.
  case accepted
  /// The controller refused: `NAK 14` with the `Rejection` raw value as detail.
  case rejected(Rejection)
  /// A patient bolus was denied: `NAK 15` with the `BolusDenial` raw value as detail.
  case bolusDenied(BolusDenial, lockoutRemaining: Milliseconds)
  /// STATUS answer.
  case status(Telemetry)
  /// ALARMS answer: every active alarm, highest priority first (the session pages it).
  case alarms([AlarmStatus])
  /// LOG answer.
  case log(LogEntry)
  /// AUDIT answer.
  case audit(AuditEntry)
  /// PATIENT answer (simulator with a patient).
  case patient(PatientReadout)
  /// PATIENT on a simulator without a patient: `NAK 17`.
  case noPatient
}
