import PumpProtocol

/// A request parsed from a command line (`CommandParser`), with what a front end needs to know
/// before sending it.
public struct HostCommand: Hashable, Sendable, CustomStringConvertible {
  /// The request to send.
  public var request: HostRequest
  /// True when the command can start or raise delivery (START, RESUME, RATE, CBOLUS, BOLUS):
  /// interactive front ends ask for confirmation first.
  public var raisesDelivery: Bool
  /// A readable one-line summary with units (`rate 6 mg/h`, the whole prescription for
  /// `program`), shown in confirmations and logs.
  public var summary: String

  public init(request: HostRequest, raisesDelivery: Bool, summary: String) {
    self.request = request
    self.raisesDelivery = raisesDelivery
    self.summary = summary
  }

  /// The role a session needs for this request: nil for link requests and read-only queries,
  /// `.observer` never; for PAUSE and STOP (any authenticated role) the clinician is named.
  public var requiredRoles: [Role] {
    switch request.kind.permission {
    case .link, .readOnly: []
    case .anyAuthenticated: Role.authenticated
    case .roles(let set): Role.authenticated.filter { set.contains($0) }
    }
  }

  /// True when a session logged in as `role` (`.observer`: none) may send the request.
  public func allowed(for role: Role) -> Bool { request.kind.permission.allows(role) }

  /// `BOLUS needs the patient role (logged in as clinician)`: the message for a role refusal.
  public func roleMessage(loggedInAs role: Role) -> String {
    let needed = requiredRoles.map(\.rawValue)
    let need =
      needed.count == 1
      ? "the \(needed[0]) role" : "one of the roles \(needed.joined(separator: ", "))"
    let now = role == .observer ? "not logged in" : "logged in as \(role.rawValue)"
    return "\(request.kind.rawValue) needs \(need) (\(now))"
  }

  public var description: String { summary }
}
