import SystemPackage

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Blocks in `poll(2)` until one of `descriptors` is readable, hung up or in error, or the
/// timeout passes. The firmware super-loop's only wait: no busy-waiting, ~0 % CPU when idle.
///
/// - Parameters:
///   - descriptors: descriptors to watch (e.g. `port.pollDescriptor`); negative ones are ignored.
///   - timeoutMs: milliseconds to wait at most; 0 checks and returns, -1 waits forever.
/// - Returns: the descriptors with something to do (call `read` on their owner), in the order
///   given; empty on timeout or when a signal interrupted the wait (`EINTR`).
/// - Throws: `TransportError.pollFailed` for any other `poll` error.
public func waitReadable(_ descriptors: [FileDescriptor], timeoutMs: Int32) throws(TransportError)
  -> [FileDescriptor]
{
  var fds = descriptors.map { pollfd(fd: $0.rawValue, events: Int16(POLLIN), revents: 0) }
  let n = fds.withUnsafeMutableBufferPointer { poll($0.baseAddress, nfds_t($0.count), timeoutMs) }
  if n < 0 {
    if errno == EINTR { return [] }
    throw .pollFailed(Errno(rawValue: errno))
  }
  return fds.filter { $0.revents != 0 }.map { FileDescriptor(rawValue: $0.fd) }
}

/// `waitReadable` for one descriptor, without allocating: true if it is readable, hung up or in
/// error; false on timeout or `EINTR`.
///
/// - Parameters:
///   - descriptor: e.g. `port.pollDescriptor`.
///   - timeoutMs: milliseconds to wait at most; 0 checks and returns, -1 waits forever.
public func waitReadable(_ descriptor: FileDescriptor, timeoutMs: Int32) throws(TransportError)
  -> Bool
{
  var p = pollfd(fd: descriptor.rawValue, events: Int16(POLLIN), revents: 0)
  let n = poll(&p, 1, timeoutMs)
  if n < 0 {
    if errno == EINTR { return false }
    throw .pollFailed(Errno(rawValue: errno))
  }
  return n > 0 && p.revents != 0
}
