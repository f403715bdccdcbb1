import PumpProtocol

/// Where a monitored link stands, as the dashboard shows it.
public enum LinkState: Hashable, Sendable {
  /// Opening the port and saying HELLO.
  case connecting
  /// HELLO answered; no login (observer).
  case connected
  /// Logged in with this role.
  case loggedIn(Role)
  /// The port vanished or the device stopped answering; the reason.
  case lost(String)
  /// Trying again (attempt number, last failure).
  case reconnecting(attempt: Int, String)

  /// `logged in (clinician)`, `link lost: …`.
  public var label: String {
    switch self {
    case .connecting: "connecting"
    case .connected: "connected (observer)"
    case .loggedIn(let r): "logged in (\(r.rawValue))"
    case .lost(let why): "link lost: \(why)"
    case .reconnecting(let n, let why): "reconnecting (attempt \(n)): \(why)"
    }
  }

  /// True while a working link exists.
  public var isUp: Bool {
    switch self {
    case .connected, .loggedIn: true
    default: false
    }
  }
}
