/// What the firmware must do after feeding the device session (nio style: the session decides,
/// the firmware acts).
public enum DeviceSessionAction: Hashable, Sendable {
  /// Write these bytes to the link (a reply or notice the session produced itself).
  case send([UInt8])
  /// Carry out this request, then call `DeviceSession.complete(_:with:now:)` and act on its
  /// actions. Only requests that passed MAC, sequence and role checks arrive here.
  case execute(PendingRequest)
  /// A retransmitted request (same seq, same bytes): write these bytes (the original reply)
  /// and do NOT execute anything.
  case resendCached([UInt8])
  /// Append this record to the audit log.
  case audit(AuditRecord)
  /// A login completed: tell the controller `PumpEvent.hostLink(connected: true)`.
  case linkEstablished(Role)
  /// No authenticated traffic within the heartbeat timeout, or the host hung up the line
  /// (`DeviceSession.hangUp(now:)`): the session is over. Tell the
  /// controller `PumpEvent.hostLink(connected: false)` (low-priority "host link lost" alarm);
  /// therapy continues.
  case linkLost
  /// Repeated failed logins on this line (true), or a clinician/service login since (false):
  /// tell the controller `PumpEvent.linkSecurity(alert:)` (low-priority link-security alarm).
  case securityAlert(Bool)
  /// The host logged out: session over, no alarm.
  case loggedOut(Role)
  /// Telemetry is due: call `DeviceSession.telemetryFrame(_:)` with a fresh snapshot and write it.
  case sendTelemetry
}
