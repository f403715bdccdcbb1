#if canImport(Glibc)
  import Glibc
#endif

/// One inotify instance shared by many virtual ports (the per-user limit is 128 instances by
/// default, shared by every process of the user): each port adds a watch on its slave, and
/// events read by any port are kept for the port whose watch descriptor they carry. A fleet of
/// thousands of ports then needs no 250 ms re-check. Not thread-safe: owned by one thread (the
/// firmware super-loop), like the ports.
public final class InotifyHub {
  let fd: Int32
  private var pending: [Int32: UInt32] = [:]

  /// nil if no inotify instance is available.
  public init?() {
    let fd = inotify_init1(Int32(IN_NONBLOCK | IN_CLOEXEC))
    guard fd >= 0 else { return nil }
    self.fd = fd
  }

  deinit { Glibc.close(fd) }

  /// Watches `path`; the watch descriptor, or nil if it cannot be watched.
  func add(path: String, mask: UInt32) -> Int32? {
    let wd = inotify_add_watch(fd, path, mask)
    return wd >= 0 ? wd : nil
  }

  func remove(_ wd: Int32) {
    inotify_rm_watch(fd, wd)
    pending[wd] = nil
  }

  /// Events for `wd` not taken yet (read while another port drained the instance).
  func hasPending(_ wd: Int32) -> Bool { pending[wd] != nil }

  /// Reads every queued event, then returns and forgets the union of `wd`'s masks (0: none).
  func take(_ wd: Int32) -> UInt32 {
    collect()
    return pending.removeValue(forKey: wd) ?? 0
  }

  private func collect() {
    var buf = [UInt8](repeating: 0, count: 4096)
    while true {
      let n = buf.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
      if n > 0 {
        // struct inotify_event: wd (4), mask (4), cookie (4), len (4), name (len bytes).
        var i = 0
        while i + 16 <= n {
          let wd = buf.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: i, as: Int32.self) }
          let mask = buf.withUnsafeBytes {
            $0.loadUnaligned(fromByteOffset: i + 4, as: UInt32.self)
          }
          let len = buf.withUnsafeBytes {
            $0.loadUnaligned(fromByteOffset: i + 12, as: UInt32.self)
          }
          if mask & UInt32(IN_IGNORED) == 0 { pending[wd, default: 0] |= mask }
          i += 16 + Int(len)
        }
        continue
      }
      if n < 0 && errno == EINTR { continue }
      return
    }
  }
}

/// A port's watch on its slave: its own inotify instance, or a watch in a shared hub.
enum PortWatch {
  case own(Inotify)
  case shared(InotifyHub, Int32)

  var fd: Int32 {
    switch self {
    case .own(let i): i.fd
    case .shared(let h, _): h.fd
    }
  }

  /// Reads and discards this port's queued events; the union of their masks (0: none).
  @discardableResult
  func drain() -> UInt32 {
    switch self {
    case .own(let i): i.drain()
    case .shared(let h, let wd): h.take(wd)
    }
  }

  /// Events for this port already read from a shared instance by another port.
  var hasPending: Bool {
    switch self {
    case .own: false
    case .shared(let h, let wd): h.hasPending(wd)
    }
  }

  func close() {
    switch self {
    case .own(let i): i.close()
    case .shared(let h, let wd): h.remove(wd)
    }
  }
}
