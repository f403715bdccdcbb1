import Synchronization

#if canImport(Glibc)
  import Glibc
#endif

/// The controlling terminal in raw mode for the dashboard: no echo, no line buffering, no
/// signal keys (Ctrl-C arrives as a key), alternate screen, hidden cursor. `restore` puts back
/// exactly what was there; it runs on normal exit, on SIGINT/SIGTERM/SIGHUP (through the main
/// loop) and from a fatal-signal handler (SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT, SIGTRAP,
/// SIGQUIT), using only async-signal-safe calls.
enum Terminal {
  nonisolated(unsafe) private static let saved = UnsafeMutablePointer<termios>.allocate(capacity: 1)
  private static let active = Atomic<Bool>(false)

  /// Enters raw mode on stdin and the alternate screen on stdout. False if stdin is no tty.
  static func enter() -> Bool {
    guard isatty(0) == 1, tcgetattr(0, saved) == 0 else { return false }
    var raw = saved.pointee
    raw.c_iflag &= ~tcflag_t(BRKINT | ICRNL | INPCK | ISTRIP | IXON)
    raw.c_oflag &= ~tcflag_t(OPOST)
    raw.c_cflag |= tcflag_t(CS8)
    raw.c_lflag &= ~tcflag_t(ECHO | ICANON | IEXTEN | ISIG)
    withUnsafeMutableBytes(of: &raw.c_cc) { cc in
      cc[Int(VMIN)] = 0
      cc[Int(VTIME)] = 0
    }
    guard tcsetattr(0, TCSAFLUSH, &raw) == 0 else { return false }
    active.store(true, ordering: .relaxed)
    let fatal: @convention(c) (Int32) -> Void = { sig in
      Terminal.restore()
      signal(sig, SIG_DFL)
      raise(sig)
    }
    for s in [SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT, SIGTRAP, SIGQUIT] { signal(s, fatal) }
    write("\u{1B}[?1049h\u{1B}[?25l\u{1B}[H\u{1B}[2J")
    return true
  }

  /// Leaves the alternate screen, shows the cursor, restores the saved termios. Idempotent and
  /// async-signal-safe (a static string, `write`, `tcsetattr`).
  static func restore() {
    guard active.exchange(false, ordering: .relaxed) else { return }
    let seq: StaticString = "\u{1B}[0m\u{1B}[?25h\u{1B}[?1049l"
    _ = Glibc.write(1, seq.utf8Start, seq.utf8CodeUnitCount)
    _ = tcsetattr(0, TCSAFLUSH, saved)
  }

  /// Columns and rows of stdout's terminal (80x24 if unknown).
  static func size() -> (cols: Int, rows: Int) {
    var ws = winsize()
    guard ioctl(1, UInt(TIOCGWINSZ), &ws) == 0, ws.ws_col > 0, ws.ws_row > 0 else {
      return (80, 24)
    }
    return (Int(ws.ws_col), Int(ws.ws_row))
  }

  /// Writes a string to stdout in one go.
  static func write(_ s: String) {
    var bytes = Array(s.utf8)
    Out.writeAll(1, &bytes)
  }
}
