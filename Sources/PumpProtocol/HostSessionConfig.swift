import PumpCore

/// Tunables of a host session.
public struct HostSessionConfig: Sendable {
  /// The role key to log in with; nil for an observer (read-only, no login).
  public var key: RoleKey?
  /// The device id the key belongs to (from the key file); HELLO must report the same.
  public var deviceId: String?
  /// The version the host speaks.
  public var version = ProtocolVersion.current
  /// Retransmit a request after this long without a reply (default 500 ms).
  public var retransmitTimeout = Milliseconds(500)
  /// Transmissions per request, the first included (default 3).
  public var maxAttempts = 3
  /// PING this often while logged in (default 500 ms; the device expects ≤ 1 s).
  public var heartbeatInterval = Milliseconds(500)

  public init(key: RoleKey? = nil, deviceId: String? = nil) {
    self.key = key
    self.deviceId = deviceId
  }
}
