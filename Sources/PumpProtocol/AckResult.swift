/// What an ACK carries, by request kind (docs/PROTOCOL.md §4.4).
public enum AckResult: Hashable, Sendable {
  /// `ACK,seq,<KIND>`: the request was carried out (no result fields).
  case done(RequestKind)
  /// `ACK,seq,HELLO,<device id>,<firmware>,<negotiated M.m>,<hardware profile>,<caps 4 hex>`.
  case hello(DeviceInfo)
  /// `ACK,seq,LOGIN,<device nonce>,<session id>,<device proof>`.
  case login(LoginChallenge)
  /// `ACK,seq,STATUS,<25 telemetry fields>`.
  case status(Telemetry)
  /// `ACK,seq,ALARMS,<total>,<offset>,<items>`.
  case alarms(AlarmPage)
  /// `ACK,seq,LOG,<back>,<available>,<text>`.
  case log(LogEntry)
  /// `ACK,seq,VERSION,<same fields as HELLO, device's own version>`.
  case version(DeviceInfo)
  /// `ACK,seq,COUNTERS,<12 counters>`.
  case counters(LinkCounters)
  /// `ACK,seq,AUDIT,<back>,<available>,<record fields>`.
  case audit(AuditEntry)
  /// `ACK,seq,PATIENT,<13 fields>` (simulator only, §4.2.2).
  case patient(PatientReadout)

  /// The request kind this ACK answers.
  public var kind: RequestKind {
    switch self {
    case .done(let k): k
    case .hello: .hello
    case .login: .login
    case .status: .status
    case .alarms: .alarms
    case .log: .log
    case .version: .version
    case .counters: .counters
    case .audit: .audit
    case .patient: .patient
    }
  }
}
