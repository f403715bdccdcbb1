/// What the host tool must do or know after feeding the host session.
public enum HostSessionAction: Hashable, Sendable {
  /// Write these bytes (AUTH step of the login, heartbeat PING, retransmission).
  case send([UInt8])
  /// The one reply to an outstanding request.
  case reply(HostRequest, DeviceReply)
  /// HELLO answered: the device and the negotiated version.
  case connected(DeviceInfo)
  /// Login complete; requests are MAC'd from now on.
  case loggedIn(Role)
  /// Login failed: the device refused (NAK), or the device's proof was wrong (nil: the device
  /// could not prove it holds the key; do not trust it).
  case loginFailed(Nak?)
  /// A telemetry frame; `authenticated` when its MAC verified with the session key.
  case telemetry(Telemetry, authenticated: Bool)
  /// An event frame; `authenticated` as for telemetry.
  case event(DeviceEvent, authenticated: Bool)
  /// Device frames were lost: `missing` device sequence numbers skipped.
  case gap(missing: UInt32)
  /// No reply after every retransmission: the outcome is uncertain.
  case timedOut(seq: UInt32, HostRequest)
  /// A device frame was dropped (bad MAC in session, unparsable); counted.
  case droppedFrame(String)
}
