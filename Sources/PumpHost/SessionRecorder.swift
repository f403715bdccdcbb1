import PumpProtocol

/// Receives everything a host session sees, to turn a live session into a replayable test.
/// Times are monotonic milliseconds. `TraceRecorder` writes the trace format of docs/TRACES.md;
/// other formats can implement the same protocol.
public protocol SessionRecorder: AnyObject {
  /// HELLO answered (at each connection).
  func connected(_ device: DeviceInfo, at: Int64)
  /// A request is about to be sent.
  func sent(_ request: HostRequest, at: Int64)
  /// Its reply (nil: no reply, outcome uncertain).
  func replied(_ request: HostRequest, _ reply: DeviceReply?, at: Int64)
  /// Telemetry, an event, a gap or a dropped frame.
  func observed(_ observation: ClientObservation, at: Int64)
  /// The link went down or came back.
  func linkChanged(_ state: LinkState, at: Int64)
  /// Writes what was recorded (also called periodically by long sessions; idempotent).
  func flush()
}
