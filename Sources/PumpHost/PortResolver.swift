import SerialTransport

#if canImport(Glibc)
  import Glibc
#endif

/// Turns what users type as a port into a path: an existing path (`/dev/ttyUSB0`, a socat link),
/// a `/dev/serial/by-id` name, a tty name (`ttyUSB0`), a KetaPump device id or run-directory
/// name (`KP-0001`, found through the simulators' records), or `--latest` (the most recently
/// started simulator, else the newest real port). Reads the file system only; never opens a port.
public struct PortResolver: Sendable {
  /// Where simulators keep their records.
  public var runDirectory: RunDirectory
  /// Where udev keeps stable names of USB serial adapters.
  public var byIdDirectory = "/dev/serial/by-id"

  public init(runDirectory: RunDirectory = .default()) { self.runDirectory = runDirectory }

  /// Resolves `argument` (or `--latest` when `latest`).
  ///
  /// - Throws: `PortResolveError` naming the argument and the ports that do exist.
  public func resolve(_ argument: String?, latest: Bool = false) throws(PortResolveError)
    -> ResolvedPort
  {
    if latest {
      guard argument == nil else { throw .both }
      return try newest()
    }
    guard let arg = argument, !arg.isEmpty else { throw .missing }
    if arg.contains("/") {
      guard exists(arg) else { throw .notFound(arg, known: known()) }
      return ResolvedPort(path: arg, how: "path")
    }
    if exists("\(byIdDirectory)/\(arg)") {
      return ResolvedPort(path: "\(byIdDirectory)/\(arg)", how: "by-id")
    }
    let records = runDirectory.records()
    let matching = records.filter {
      $0.name == arg || $0.deviceId?.lowercased() == arg.lowercased()
    }
    if let live = matching.first(where: \.isLive) {
      return ResolvedPort(
        path: live.linkPath, how: "device id", deviceId: live.deviceId, recordName: live.name)
    }
    if let stale = matching.first {
      throw .notRunning(deviceId: stale.deviceId ?? stale.name, pid: stale.pid)
    }
    if exists("/dev/\(arg)") { return ResolvedPort(path: "/dev/\(arg)", how: "path") }
    throw .notFound(arg, known: known())
  }

  /// True when the run-directory record `name` is live and its link still points at its pty:
  /// a link left by a dead simulator may point at a pty number another program now owns, which
  /// must never be opened.
  public func recordIsLive(_ name: String) -> Bool {
    guard let r = runDirectory.record(name: name), r.isLive else { return false }
    var buf = [CChar](repeating: 0, count: 4096)
    let n = readlink(r.linkPath, &buf, buf.count - 1)
    guard n > 0 else { return false }
    let target = String(decoding: buf[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    return target == r.ptsPath
  }

  func newest() throws(PortResolveError) -> ResolvedPort {
    let live = runDirectory.records().filter(\.isLive)
    if let r = live.max(by: { $0.startTime < $1.startTime }) {
      return ResolvedPort(path: r.linkPath, how: "latest", deviceId: r.deviceId, recordName: r.name)
    }
    let real = PortDiscovery.enumerate(runDirectory: runDirectory).filter {
      $0.kind != .virtualKetapump
    }
    guard let p = real.max(by: { changeTime($0.path) < changeTime($1.path) }) else {
      throw .noPorts
    }
    return ResolvedPort(path: p.preferredPath, how: "latest")
  }

  func known() -> [String] {
    var out: [String] = []
    for r in runDirectory.records() where r.isLive {
      out.append(r.deviceId.map { "\($0) (\(r.linkPath))" } ?? r.linkPath)
    }
    for p in PortDiscovery.enumerate(runDirectory: runDirectory)
    where p.kind != .virtualKetapump {
      out.append(p.preferredPath)
    }
    return out
  }

  func exists(_ path: String) -> Bool { access(path, F_OK) == 0 }

  func changeTime(_ path: String) -> Int {
    var st = stat()
    guard stat(path, &st) == 0 else { return 0 }
    return Int(st.st_ctim.tv_sec)
  }
}
