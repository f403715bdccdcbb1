/// Why an online replay could not start.
public enum OnlineError: Error, Hashable, Sendable, CustomStringConvertible {
  /// pumpsim could not be started.
  case spawn(String)
  /// The key files could not be used.
  case keys(String)

  public var description: String {
    switch self {
    case .spawn(let m): "spawning pumpsim: \(m)"
    case .keys(let m): "keys: \(m)"
    }
  }
}
