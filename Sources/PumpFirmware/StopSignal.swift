#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// SIGINT/SIGTERM as a readable descriptor (self-pipe): the super-loop polls it with the ports,
/// so a stop request ends the current wait and the loop shuts down cleanly.
public enum StopSignal {
  nonisolated(unsafe) private static var pipeFDs: (read: Int32, write: Int32) = (-1, -1)
  /// The last signal received (0: none).
  nonisolated(unsafe) public private(set) static var received: Int32 = 0

  /// Installs the handlers once; returns the descriptor to poll.
  public static func install() -> Int32 {
    if pipeFDs.read >= 0 { return pipeFDs.read }
    var fds: [Int32] = [0, 0]
    guard pipe(&fds) == 0 else { return -1 }
    for fd in fds {
      _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
      _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
    }
    pipeFDs = (fds[0], fds[1])
    let handler: @convention(c) (Int32) -> Void = { sig in
      StopSignal.received = sig
      var b: UInt8 = 1
      _ = write(StopSignal.pipeFDs.write, &b, 1)
    }
    signal(SIGINT, handler)
    signal(SIGTERM, handler)
    signal(SIGPIPE, SIG_IGN)
    // A parent may have started us with these blocked (some process launchers do).
    var set = sigset_t()
    sigemptyset(&set)
    sigaddset(&set, SIGINT)
    sigaddset(&set, SIGTERM)
    sigprocmask(SIG_UNBLOCK, &set, nil)
    return fds[0]
  }

  /// True once a stop signal arrived.
  public static var requested: Bool { received != 0 }
}
