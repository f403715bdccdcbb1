import SystemPackage

#if canImport(Glibc)
  import Glibc
#endif

/// A non-blocking inotify descriptor watching one path (internal). Used to learn, without
/// polling, that a host opened a pty slave (`IN_OPEN`) or that a run directory changed.
struct Inotify {
  let fd: Int32

  /// nil if inotify is unavailable or the path cannot be watched.
  init?(path: String, mask: UInt32) {
    let fd = inotify_init1(Int32(IN_NONBLOCK | IN_CLOEXEC))
    guard fd >= 0 else { return nil }
    guard inotify_add_watch(fd, path, mask) >= 0 else {
      Glibc.close(fd)
      return nil
    }
    self.fd = fd
  }

  /// Reads and discards every queued event; returns the union of their masks (0: none).
  @discardableResult
  func drain() -> UInt32 {
    var seen: UInt32 = 0
    var buf = [UInt8](repeating: 0, count: 4096)
    while true {
      let n = buf.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
      if n > 0 {
        // struct inotify_event: wd (4), mask (4), cookie (4), len (4), name (len bytes).
        var i = 0
        while i + 16 <= n {
          let mask = buf.withUnsafeBytes {
            $0.loadUnaligned(fromByteOffset: i + 4, as: UInt32.self)
          }
          let len = buf.withUnsafeBytes {
            $0.loadUnaligned(fromByteOffset: i + 12, as: UInt32.self)
          }
          seen |= mask
          i += 16 + Int(len)
        }
        continue
      }
      if n < 0 && errno == EINTR { continue }
      return seen
    }
  }

  func close() { Glibc.close(fd) }
}
