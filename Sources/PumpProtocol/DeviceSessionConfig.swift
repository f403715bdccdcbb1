import PumpCore

/// Tunables of a device session (docs/PROTOCOL.md §9 timing rules).
public struct DeviceSessionConfig: Sendable {
  /// What HELLO and VERSION report.
  public var info: DeviceInfo
  /// A session ends after this long without authenticated traffic (default 3 s).
  public var heartbeatTimeout = Milliseconds(3000)
  /// Failed logins of a role in a row that cost nothing (default 2: typing slips).
  public var freeFailedLogins = 2
  /// Back-off after the first failure past the free ones (default 500 ms); it doubles with
  /// every further failure of that role, up to `maxBackoff`.
  public var firstBackoff = Milliseconds(500)
  /// The longest back-off (default 8 s), so a failing attacker can never keep a clinician out
  /// for long (docs/PROTOCOL.md §7.2).
  public var maxBackoff = Milliseconds.seconds(8)
  /// Failed logins in a row on one line, any role, that raise the link-security alarm
  /// (default 5).
  public var securityAlarmFailures = 5
  /// A LOGIN challenge must be answered by AUTH within this (default 10 s).
  public var loginTimeout = Milliseconds.seconds(10)
  /// Replies kept for retransmissions (default 8).
  public var replyCacheSize = 8
  /// Telemetry rate after HELLO, Hz (default 1; 0…100).
  public var telemetryHertz = 1
  /// What the line carries, bytes per second (a UART at B baud, 8N1: B / 10), or nil for a
  /// link that paces nothing (a pseudo-terminal). TLMRATE refuses a rate whose worst-case
  /// frames would not fit.
  public var lineBytesPerSecond: Int?

  /// The highest telemetry rate the line carries (nil: no line limit; at most 100).
  public var maxTelemetryHertz: Int? { maxTelemetryHertz(.full) }

  /// The highest rate of `format` the line carries (nil: no line limit; at most 100).
  public func maxTelemetryHertz(_ format: TelemetryFormat) -> Int? {
    lineBytesPerSecond.map { format.maxHertz(lineBytesPerSecond: $0) }
  }

  public init(info: DeviceInfo) { self.info = info }

  /// How long LOGIN for a role is refused after its `failures`-th failed AUTH in a row (nil:
  /// not at all).
  public func backoff(afterFailures failures: Int) -> Milliseconds? {
    let excess = failures - freeFailedLogins
    guard excess > 0 else { return nil }
    let doublings = min(excess - 1, 30)
    let wait = firstBackoff.rawValue.multipliedReportingOverflow(by: Int64(1) << doublings)
    return Milliseconds(
      wait.overflow ? maxBackoff.rawValue : min(wait.partialValue, maxBackoff.rawValue))
  }
}
