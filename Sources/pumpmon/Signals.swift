import Synchronization

#if canImport(Glibc)
  import Glibc
#endif

/// SIGINT, SIGTERM, SIGHUP and SIGWINCH as flags plus a self-pipe, so a `poll(2)` loop wakes at
/// once. Handlers only store atomics and write one byte (async-signal-safe).
enum Signals {
  private static let stop = Atomic<Int32>(0)
  private static let resized = Atomic<Bool>(false)
  private static let pipeFDs = Atomic<Int64>(-1)

  /// The signal that asked to stop (0: none).
  static var stopSignal: Int32 { stop.load(ordering: .relaxed) }
  static var stopRequested: Bool { stopSignal != 0 }

  /// True once after each SIGWINCH.
  static func takeResize() -> Bool { resized.exchange(false, ordering: .relaxed) }

  /// The read end of the self-pipe, to poll.
  static var wakeDescriptor: Int32 {
    Int32(truncatingIfNeeded: pipeFDs.load(ordering: .relaxed) >> 32)
  }

  /// Installs the handlers (idempotent).
  static func install(winch: Bool = false) {
    if pipeFDs.load(ordering: .relaxed) < 0 {
      var fds: [Int32] = [0, 0]
      if pipe(&fds) == 0 {
        for fd in fds {
          _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
          _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
        }
        pipeFDs.store(Int64(fds[0]) << 32 | Int64(UInt32(bitPattern: fds[1])), ordering: .relaxed)
      }
    }
    let onStop: @convention(c) (Int32) -> Void = { sig in
      Signals.stop.store(sig, ordering: .relaxed)
      Signals.wake()
    }
    signal(SIGINT, onStop)
    signal(SIGTERM, onStop)
    signal(SIGHUP, onStop)
    if winch {
      let onWinch: @convention(c) (Int32) -> Void = { _ in
        Signals.resized.store(true, ordering: .relaxed)
        Signals.wake()
      }
      signal(SIGWINCH, onWinch)
    }
  }

  static func wake() {
    let fds = pipeFDs.load(ordering: .relaxed)
    guard fds >= 0 else { return }
    var b: UInt8 = 1
    _ = write(Int32(truncatingIfNeeded: fds & 0xFFFF_FFFF), &b, 1)
  }

  /// Empties the self-pipe after a wake-up.
  static func drain() {
    let fd = wakeDescriptor
    guard fd >= 0 else { return }
    var buf = [UInt8](repeating: 0, count: 64)
    while read(fd, &buf, 64) > 0 {}
  }
}
