/// A port argument turned into a path to open, with how it was found (shown to users).
public struct ResolvedPort: Hashable, Sendable, CustomStringConvertible {
  /// What to open: a tty, a `/dev/serial/by-id` link, or a simulator's stable link.
  public var path: String
  /// How `path` was found: `path`, `by-id`, `device id`, `latest`.
  public var how: String
  /// The device id a run-directory record names, when the port came from one.
  public var deviceId: String?
  /// The run-directory record name, when the port came from one (reconnects re-check it).
  public var recordName: String?

  public init(path: String, how: String, deviceId: String? = nil, recordName: String? = nil) {
    self.path = path
    self.how = how
    self.deviceId = deviceId
    self.recordName = recordName
  }

  /// `/tmp/ketapump-1000/kp-0001 (device id KP-0001)`.
  public var description: String {
    var s = path
    if let deviceId { s += " (\(how) \(deviceId))" } else if how != "path" { s += " (\(how))" }
    return s
  }
}
