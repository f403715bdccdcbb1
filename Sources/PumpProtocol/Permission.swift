/// Who may issue a request kind (docs/PROTOCOL.md §6).
public enum Permission: Hashable, Sendable {
  /// Link management (HELLO, PING, LOGIN, AUTH, LOGOUT): anyone, no MAC needed.
  case link
  /// Read-only query: anyone, also as a console line.
  case readOnly
  /// Can only reduce delivery (PAUSE, STOP), or tunes the link (TLMRATE): every
  /// authenticated role.
  case anyAuthenticated
  /// Only the listed roles (with a valid session MAC).
  case roles(Set<Role>)

  /// True when `role` (observer = not logged in) satisfies this permission.
  public func allows(_ role: Role) -> Bool {
    switch self {
    case .link, .readOnly: true
    case .anyAuthenticated: role != .observer
    case .roles(let set): set.contains(role)
    }
  }

  /// True for permissions that require a login.
  public var isPrivileged: Bool {
    switch self {
    case .link, .readOnly: false
    case .anyAuthenticated, .roles: true
    }
  }
}
