import Foundation

/// What a running simulator writes to `<runDirectory>/<name>.json` so that discovery (and a
/// later run that finds a stale link) knows who owns a virtual port. Format: docs/SERIAL.md.
public struct PortRecord: Codable, Equatable, Sendable {
  /// Record format version; this is 1.
  public var version: Int
  /// Port name, also the record's file name without `.json`.
  public var name: String
  /// Process id of the simulator that owns the pty master.
  public var pid: Int32
  /// The pty slave device, e.g. `/dev/pts/3`.
  public var ptsPath: String
  /// The stable symlink to `ptsPath` that hosts open.
  public var linkPath: String
  /// The simulated pump's device id, when the firmware gave one.
  public var deviceId: String?
  /// When the port was created (UTC, ISO 8601 in the file).
  public var startTime: Date

  public init(
    name: String, pid: Int32, ptsPath: String, linkPath: String, deviceId: String?,
    startTime: Date, version: Int = 1
  ) {
    self.version = version
    self.name = name
    self.pid = pid
    self.ptsPath = ptsPath
    self.linkPath = linkPath
    self.deviceId = deviceId
    self.startTime = startTime
  }

  /// True if the owning process is alive and its pts device still exists.
  public var isLive: Bool { ProcessLiveness.isAlive(pid) && FileSystem.exists(ptsPath) }
}
