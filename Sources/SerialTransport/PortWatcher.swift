import CUdev
import SystemPackage

#if canImport(Glibc)
  import Glibc
#endif

/// Reports serial ports added and removed: a udev monitor on netlink for real devices, inotify
/// on the run directory for virtual ones, and a periodic re-enumeration that also notices a
/// simulator that died without cleaning up. Where udev's netlink monitor is unavailable (a
/// container without udevd), it says so once through `notice` and polls instead; it never
/// crashes. Every wake re-enumerates and compares, so events are never guessed from udev
/// messages alone.
///
/// Not thread-safe; call `next(timeoutMs:)` from one thread.
public final class PortWatcher {
  /// How changes are noticed.
  public enum Mode: Equatable, Sendable {
    /// udev netlink monitor (real devices) + run-directory inotify + periodic check.
    case netlink
    /// Periodic re-enumeration (every `pollIntervalMs`), with the reason.
    case polling(reason: String)
  }

  /// How changes are noticed.
  public let mode: Mode
  /// The run directory watched for virtual ports.
  public let runDirectory: RunDirectory
  /// Longest time between two enumerations, milliseconds.
  public let pollIntervalMs: Int32
  /// The ports as of the last enumeration.
  public private(set) var current: [PortInfo]

  private let udev: OpaquePointer?
  private let monitor: OpaquePointer?
  private let runWatch: Inotify?
  private let enumerate: () -> [PortInfo]
  private var lastScan: UInt64

  /// - Parameters:
  ///   - runDirectory: where virtual ports are recorded (created if missing).
  ///   - pollIntervalMs: periodic re-check, milliseconds (default 1000).
  ///   - useNetlink: false forces polling (tests).
  ///   - notice: called once with a human sentence if netlink is unavailable.
  public init(
    runDirectory: RunDirectory = .default(), pollIntervalMs: Int32 = 1000,
    useNetlink: Bool = true, notice: (String) -> Void = { _ in }
  ) {
    self.runDirectory = runDirectory
    self.pollIntervalMs = max(10, pollIntervalMs)
    try? runDirectory.create()
    runWatch = Inotify(
      path: runDirectory.path,
      mask: UInt32(IN_CREATE | IN_DELETE | IN_MOVED_TO | IN_MOVED_FROM | IN_CLOSE_WRITE))
    let (udev, monitor, mode) = Self.openMonitor(useNetlink: useNetlink)
    self.udev = udev
    self.monitor = monitor
    self.mode = mode
    if case .polling(let reason) = mode {
      notice(
        "port watch: \(reason); polling every \(self.pollIntervalMs) ms for real devices instead")
    }
    let dir = runDirectory
    enumerate = { PortDiscovery.enumerate(runDirectory: dir) }
    current = enumerate()
    lastScan = MonotonicClock.nanoseconds()
  }

  deinit {
    if let monitor { udev_monitor_unref(monitor) }
    if let udev { udev_unref(udev) }
    runWatch?.close()
  }

  private static func openMonitor(useNetlink: Bool) -> (OpaquePointer?, OpaquePointer?, Mode) {
    guard useNetlink else { return (nil, nil, .polling(reason: "netlink disabled")) }
    guard access("/run/udev/control", F_OK) == 0 else {
      return (
        nil, nil, .polling(reason: "udev is not running here (no /run/udev/control; a container?)")
      )
    }
    guard let udev = udev_new() else {
      return (nil, nil, .polling(reason: "libudev could not start"))
    }
    guard let monitor = udev_monitor_new_from_netlink(udev, "udev") else {
      udev_unref(udev)
      return (nil, nil, .polling(reason: "udev netlink monitor unavailable"))
    }
    guard udev_monitor_filter_add_match_subsystem_devtype(monitor, "tty", nil) >= 0,
      udev_monitor_enable_receiving(monitor) >= 0
    else {
      udev_monitor_unref(monitor)
      udev_unref(udev)
      return (nil, nil, .polling(reason: "udev netlink monitor could not be enabled"))
    }
    return (udev, monitor, .netlink)
  }

  /// Descriptors to include in an outer `poll` (the udev monitor and the run-directory watch).
  public var descriptors: [FileDescriptor] {
    var fds: [FileDescriptor] = []
    if let monitor { fds.append(FileDescriptor(rawValue: udev_monitor_get_fd(monitor))) }
    if let runWatch { fds.append(FileDescriptor(rawValue: runWatch.fd)) }
    return fds
  }

  /// Waits up to `timeoutMs` (-1: until something changes) and returns what changed: removals
  /// first, then additions, each sorted by path. Empty on timeout or when a signal interrupted
  /// the wait (check your stop flag and call again).
  public func next(timeoutMs: Int32) -> [PortEvent] {
    let start = MonotonicClock.nanoseconds()
    while true {
      let now = MonotonicClock.nanoseconds()
      let sinceScan = Int64((now - lastScan) / 1_000_000)
      let untilScan = max(0, Int64(pollIntervalMs) - sinceScan)
      let elapsed = Int64((now - start) / 1_000_000)
      let remaining = timeoutMs < 0 ? Int64.max : max(0, Int64(timeoutMs) - elapsed)
      let wait = Int32(min(untilScan, remaining))
      let ready: [FileDescriptor]
      do { ready = try waitReadable(descriptors, timeoutMs: wait) } catch { ready = [] }
      let interrupted =
        ready.isEmpty && MonotonicClock.nanoseconds() - now < UInt64(wait) * 1_000_000
      drain()
      let events = rescanIfDue(force: !ready.isEmpty)
      if !events.isEmpty { return events }
      if interrupted && wait > 0 { return [] }
      if remaining <= Int64(wait) { return [] }
    }
  }

  private func drain() {
    runWatch?.drain()
    if let monitor {
      while let d = udev_monitor_receive_device(monitor) { udev_device_unref(d) }
    }
  }

  private func rescanIfDue(force: Bool) -> [PortEvent] {
    let now = MonotonicClock.nanoseconds()
    guard force || now - lastScan >= UInt64(pollIntervalMs) * 1_000_000 else { return [] }
    lastScan = now
    let fresh = enumerate()
    let events = Self.diff(old: current, new: fresh)
    current = fresh
    return events
  }

  /// Removed (in `old`, not in `new`) then added, by path; a port whose details changed counts
  /// as removed and added.
  public static func diff(old: [PortInfo], new: [PortInfo]) -> [PortEvent] {
    let oldSet = Set(old)
    let newSet = Set(new)
    let removed = old.filter { !newSet.contains($0) }.sorted { $0.path < $1.path }
    let added = new.filter { !oldSet.contains($0) }.sorted { $0.path < $1.path }
    return removed.map { PortEvent(.removed, $0) } + added.map { PortEvent(.added, $0) }
  }
}
