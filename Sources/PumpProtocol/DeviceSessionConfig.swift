import PumpCore

/// Tunables of a device session (docs/PROTOCOL.md §9 timing rules).
public struct DeviceSessionConfig: Sendable {
  /// What HELLO and VERSION report.
  public var info: DeviceInfo
  /// A session ends after this long without authenticated traffic (default 3 s).
  public var heartbeatTimeout = Milliseconds(3000)
  /// Failed logins in a row that lock the link (default 5).
  public var maxFailedLogins = 5
  /// How long the link stays locked (default 60 s).
  public var lockoutDuration = Milliseconds.seconds(60)
  /// A LOGIN challenge must be answered by AUTH within this (default 10 s).
  public var loginTimeout = Milliseconds.seconds(10)
  /// Replies kept for retransmissions (default 8).
  public var replyCacheSize = 8
  /// Telemetry rate after HELLO, Hz (default 1; 0…100).
  public var telemetryHertz = 1

  public init(info: DeviceInfo) { self.info = info }
}
