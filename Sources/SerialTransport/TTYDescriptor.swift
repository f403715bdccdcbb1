import SystemPackage

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// The raw syscalls behind both port types: non-blocking `read`/`write` mapped to outcomes,
/// with the pacer applied. Internal; owners decide what `EIO` means.
struct TTYDescriptor {
  enum Raw: Equatable {
    case bytes(Int)
    case wouldBlock
    case endOfFile
    case ioError
    case failed(Errno)
  }

  let fd: Int32

  func read(into buffer: UnsafeMutableRawBufferPointer) -> Raw {
    guard let base = buffer.baseAddress, buffer.count > 0 else { return .bytes(0) }
    while true {
      let n = Glibc.read(fd, base, buffer.count)
      if n > 0 { return .bytes(n) }
      if n == 0 { return .endOfFile }
      switch errno {
      case EINTR: continue
      case EAGAIN, EWOULDBLOCK: return .wouldBlock
      case EIO: return .ioError
      default: return .failed(Errno(rawValue: errno))
      }
    }
  }

  func write(_ bytes: UnsafeRawBufferPointer, pacer: inout Pacer?) -> Raw {
    guard let base = bytes.baseAddress, bytes.count > 0 else { return .bytes(0) }
    var count = bytes.count
    if var p = pacer {
      count = min(count, p.available(now: MonotonicClock.nanoseconds()))
      pacer = p
      if count == 0 { return .wouldBlock }
    }
    while true {
      let n = Glibc.write(fd, base, count)
      if n >= 0 {
        if var p = pacer {
          p.consume(n)
          pacer = p
        }
        return n == 0 ? .wouldBlock : .bytes(n)
      }
      switch errno {
      case EINTR: continue
      case EAGAIN, EWOULDBLOCK: return .wouldBlock
      case EIO: return .ioError
      default: return .failed(Errno(rawValue: errno))
      }
    }
  }

  /// `poll` revents right now (no waiting).
  func revents(_ events: Int16 = Int16(POLLIN)) -> Int16 {
    var p = pollfd(fd: fd, events: events, revents: 0)
    while poll(&p, 1, 0) < 0 && errno == EINTR {}
    return p.revents
  }

  /// Sets `O_NONBLOCK` and `FD_CLOEXEC`.
  func makeNonBlocking() -> Bool {
    let flags = fcntl(fd, F_GETFL)
    guard flags >= 0, fcntl(fd, F_SETFL, flags | O_NONBLOCK) == 0 else { return false }
    _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
    return true
  }
}
