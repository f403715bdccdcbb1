/// Why a port argument names no port. `description` is one line with what to try instead.
public enum PortResolveError: Error, Hashable, Sendable, CustomStringConvertible {
  /// Nothing matches; `known` lists the ports that exist (paths and device ids).
  case notFound(String, known: [String])
  /// `--latest` with no port at all.
  case noPorts
  /// A device id whose simulator is not running (stale record).
  case notRunning(deviceId: String, pid: Int32)
  /// No port argument and no `--latest`.
  case missing
  /// A port argument together with `--latest`.
  case both

  public var description: String {
    switch self {
    case .notFound(let arg, let known):
      "unknown port '\(arg)': not a path, a /dev/serial/by-id name, a tty name or a KetaPump device id"
        + (known.isEmpty
          ? " (no serial ports found; start one with `pumpsim run`)"
          : " (known: \(known.joined(separator: ", ")))")
    case .noPorts: "--latest: no serial ports found (start one with `pumpsim run`)"
    case .notRunning(let id, let pid):
      "device \(id): its simulator (pid \(pid)) is not running; start it with `pumpsim run`"
    case .missing: "no port: give PORT (path, by-id name, device id) or --latest"
    case .both: "give PORT or --latest, not both"
    }
  }
}
