import Foundation

/// Enumerates serial ports: real ttys through libudev, and KetaPump virtual ports through the
/// run directory (`/dev/pts/*` never appears in udev). Never throws, never crashes on odd
/// devices: what cannot be read is left out.
public enum PortDiscovery {
  /// Real ports (sorted by path) followed by live virtual ports (sorted by name).
  ///
  /// - Parameter runDirectory: where simulators keep their records; stale records (dead pid or
  ///   vanished pts) are skipped, not removed.
  public static func enumerate(runDirectory: RunDirectory = .default()) -> [PortInfo] {
    UdevEnumerator.serialPorts() + virtualPorts(runDirectory: runDirectory)
  }

  /// Live KetaPump virtual ports recorded in `runDirectory`.
  public static func virtualPorts(runDirectory: RunDirectory) -> [PortInfo] {
    runDirectory.records().filter(\.isLive).map { r in
      PortInfo(
        path: r.ptsPath, kind: .virtualKetapump, subsystem: "pty", driver: "pty",
        hwid: "KETAPUMP PID=\(r.pid)" + (r.deviceId.map { " ID=\($0)" } ?? ""),
        link: r.linkPath, processId: r.pid, deviceId: r.deviceId, name: r.name)
    }
  }

  /// A JSON array of ports (sorted keys, pretty-printed; unknown fields left out).
  public static func json(_ ports: [PortInfo]) -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    let data = (try? encoder.encode(ports)) ?? Data("[]".utf8)
    return String(decoding: data, as: UTF8.self)
  }

  /// One compact JSON object (for `--watch --json`: one event per line).
  public static func jsonLine<T: Encodable>(_ value: T) -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    let data = (try? encoder.encode(value)) ?? Data("{}".utf8)
    return String(decoding: data, as: UTF8.self)
  }
}
