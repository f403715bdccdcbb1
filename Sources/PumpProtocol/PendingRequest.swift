/// A request handed to the firmware for execution; pass it back to
/// `DeviceSession.complete(_:with:now:)` to get the reply bytes.
public struct PendingRequest: Hashable, Sendable {
  public var request: HostRequest
  public var seq: UInt32
  /// The authenticated role (observer for read-only queries without a session).
  public var role: Role
  /// True for a console line (reply is readable text, not a frame).
  public var console: Bool
  /// The request frame body, for the reply cache.
  var body: [UInt8]
  /// The reply is MAC'd with the session key (the request was).
  var authenticated: Bool
}
