import SystemPackage

#if canImport(Glibc)
  import Glibc
#endif

extension SerialConnection {
  /// The reader thread's loop: blocked in `poll` on the tty and a wake pipe.
  struct Reader: Sendable {
    let fd: Int32
    let wake: Int32

    func run(_ out: AsyncStream<[UInt8]>.Continuation) -> EndReason {
      var buffer = [UInt8](repeating: 0, count: 4096)
      let tty = TTYDescriptor(fd: fd)
      while true {
        var fds = [
          pollfd(fd: fd, events: Int16(POLLIN), revents: 0),
          pollfd(fd: wake, events: Int16(POLLIN), revents: 0),
        ]
        let n = poll(&fds, 2, -1)
        if n < 0 {
          if errno == EINTR { continue }
          return .failed(Errno(rawValue: errno))
        }
        if fds[1].revents != 0 { return .closed }
        guard fds[0].revents != 0 else { continue }
        // Read until empty: data that arrived before a hang-up is still delivered.
        readLoop: while true {
          switch buffer.withUnsafeMutableBytes({ tty.read(into: $0) }) {
          case .bytes(let k): out.yield(Array(buffer[0..<k]))
          case .wouldBlock: break readLoop
          case .endOfFile, .ioError: return .hangup
          case .failed(let e): return .failed(e)
          }
        }
      }
    }
  }
}
