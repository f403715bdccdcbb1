import Foundation
import SerialTransport
import SystemPackage
import Testing

#if canImport(Glibc)
  import Glibc
#endif

/// A fresh temporary directory (removed by `cleanUp`).
func makeTempDir(_ label: String = "kp") -> String {
  let path = "/tmp/\(label)-\(getpid())-\(UUID().uuidString.prefix(8))"
  mkdir(path, 0o700)
  return path
}

func cleanUp(_ dir: String) {
  try? FileManager.default.removeItem(atPath: dir)
}

/// A plain file-descriptor peer on a tty path: no termios changes, so it sees exactly what the
/// pty's own settings deliver.
final class RawPeer {
  let fd: Int32
  init(_ path: String) throws {
    fd = open(path, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC)
    if fd < 0 { throw TransportError.openFailed(path: path, Errno(rawValue: errno)) }
  }
  deinit { close(fd) }

  func write(_ bytes: [UInt8]) {
    var off = 0
    while off < bytes.count {
      let n = bytes[off...].withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
      if n > 0 {
        off += n
      } else {
        var p = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
        _ = poll(&p, 1, 100)
      }
    }
  }

  /// Reads until `count` bytes or `timeoutMs` passes.
  func read(count: Int, timeoutMs: Int32 = 2000) -> [UInt8] {
    var out: [UInt8] = []
    let deadline = MonotonicClock.nanoseconds() + UInt64(timeoutMs) * 1_000_000
    var buf = [UInt8](repeating: 0, count: 4096)
    while out.count < count {
      let now = MonotonicClock.nanoseconds()
      guard now < deadline else { break }
      var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
      _ = poll(&p, 1, Int32((deadline - now) / 1_000_000) + 1)
      let n = buf.withUnsafeMutableBytes {
        Glibc.read(fd, $0.baseAddress, min($0.count, count - out.count))
      }
      if n > 0 { out += buf[0..<n] } else if n == 0 || (n < 0 && errno != EAGAIN) { break }
    }
    return out
  }
}

/// Reads `count` bytes from a port, waiting in poll (bounded).
func readFrom<Port: SerialIO>(_ port: Port, count: Int, timeoutMs: Int32 = 2000) -> [UInt8] {
  var out: [UInt8] = []
  var buf = [UInt8](repeating: 0, count: 4096)
  let deadline = MonotonicClock.nanoseconds() + UInt64(timeoutMs) * 1_000_000
  while out.count < count {
    let now = MonotonicClock.nanoseconds()
    guard now < deadline else { break }
    switch port.read(into: &buf) {
    case .bytes(let n): out += buf[0..<n]
    case .wouldBlock:
      _ = try? waitReadable(
        [port.pollDescriptor], timeoutMs: Int32((deadline - now) / 1_000_000) + 1)
    case .hangup, .closed: return out
    }
  }
  return out
}

/// Writes everything (bounded), returning the last outcome that was not `.wrote`.
@discardableResult
func writeAll<Port: SerialIO>(_ port: Port, _ bytes: [UInt8], timeoutMs: Int32 = 2000)
  -> WriteOutcome
{
  var off = 0
  let deadline = MonotonicClock.nanoseconds() + UInt64(timeoutMs) * 1_000_000
  while off < bytes.count && MonotonicClock.nanoseconds() < deadline {
    switch port.write(Array(bytes[off...])) {
    case .wrote(let n): off += n
    case .wouldBlock: _ = try? waitReadable([], timeoutMs: max(1, port.pacingDelayMilliseconds()))
    case let other: return other
    }
  }
  return .wrote(off)
}

/// Runs a command and returns its exit status (nil if it could not start).
func which(_ tool: String) -> String? {
  for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":")
  {
    let p = "\(dir)/\(tool)"
    if access(p, X_OK) == 0 { return p }
  }
  return nil
}

/// Waits (bounded) until a path exists.
func waitExists(_ path: String, timeoutMs: Int = 5000) -> Bool {
  let deadline = MonotonicClock.nanoseconds() + UInt64(timeoutMs) * 1_000_000
  while MonotonicClock.nanoseconds() < deadline {
    if access(path, F_OK) == 0 { return true }
    usleep(10_000)
  }
  return access(path, F_OK) == 0
}

let allBytes: [UInt8] = (0...255).map { UInt8($0) }
