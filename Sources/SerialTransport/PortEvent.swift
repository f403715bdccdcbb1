/// A change `PortWatcher` saw (JSON: `{"event":"added","port":{...}}`).
public struct PortEvent: Codable, Equatable, Sendable {
  /// Added or removed.
  public enum Change: String, Codable, Sendable {
    /// The port appeared.
    case added
    /// The port went away.
    case removed
  }

  /// What happened.
  public var event: Change
  /// The port, as last seen.
  public var port: PortInfo

  public init(_ event: Change, _ port: PortInfo) {
    self.event = event
    self.port = port
  }
}
