import SystemPackage

#if canImport(Glibc)
  import Glibc
#endif

/// A host's end of a serial line: a real tty (USB-serial adapter, on-board UART), one end of
/// a socat pty pair, or the slave of a `VirtualSerialPort` (through its link).
///
/// Opened with `O_NOCTTY | O_NONBLOCK`, locked for exclusive use (`flock(LOCK_EX | LOCK_NB)`,
/// which every process honours, root included, plus `TIOCEXCL`, which stops other non-root
/// openers), put in raw mode with `LineSettings`, and its stale input flushed. Not thread-safe;
/// `SerialConnection` wraps it for async code.
public final class SerialDevice: SerialIO {
  /// The path as given (a link stays a link here).
  public let path: String
  /// The settings asked for.
  public let requested: LineSettings
  /// The settings the driver reports after `tcsetattr` (a driver may round the baud, or ignore
  /// flow control).
  public let actual: LineSettings
  /// Output pacing (a pty ignores baud; a real UART paces itself, so leave nil there).
  public var pacer: Pacer?

  private var fd: Int32
  private let exclusive: Bool

  /// The tty descriptor.
  public var descriptor: FileDescriptor { FileDescriptor(rawValue: fd) }
  /// Same as `descriptor`: a tty's descriptor is what to poll.
  public var pollDescriptor: FileDescriptor { descriptor }

  private init(
    path: String, fd: Int32, exclusive: Bool, requested: LineSettings, actual: LineSettings
  ) {
    self.path = path
    self.fd = fd
    self.exclusive = exclusive
    self.requested = requested
    self.actual = actual
  }

  deinit { close() }

  /// Opens and configures a tty.
  ///
  /// - Parameters:
  ///   - path: device or link, e.g. `/dev/ttyUSB0`, `/dev/serial/by-id/...`, `/tmp/ketapump/pump0`.
  ///   - settings: baud and framing (validated first: a bad value is an error naming it).
  ///   - exclusive: take `flock` + `TIOCEXCL` (default true); `.busy` if someone holds it.
  ///   - flushInput: discard bytes queued before this open (default true).
  ///   - pacer: optional output pacing.
  /// - Throws: `TransportError.unsupportedBaud/.unsupportedDataBits/.unsupportedStopBits`,
  ///   `.openFailed`, `.notATerminal`, `.busy`, `.termios`.
  public static func open(
    path: String, settings: LineSettings = .standard, exclusive: Bool = true,
    flushInput: Bool = true, pacer: Pacer? = nil
  ) throws(TransportError) -> SerialDevice {
    try settings.validate()
    var fd: Int32
    repeat {
      fd = Glibc.open(path, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC)
    } while fd < 0
      && errno == EINTR
    guard fd >= 0 else {
      if errno == EBUSY { throw .busy(path: path) }
      throw .openFailed(path: path, Errno(rawValue: errno))
    }
    var armed = true
    defer { if armed { Glibc.close(fd) } }
    guard isatty(fd) == 1 else { throw .notATerminal(path: path) }
    if exclusive {
      guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
        if errno == EWOULDBLOCK { throw .busy(path: path) }
        throw .openFailed(path: path, Errno(rawValue: errno))
      }
      _ = ioctl(fd, UInt(TIOCEXCL))
    }
    var t = termios()
    guard tcgetattr(fd, &t) == 0 else { throw .termios(path: path, Errno(rawValue: errno)) }
    try settings.apply(to: &t)
    guard tcsetattr(fd, TCSANOW, &t) == 0 else {
      throw .termios(path: path, Errno(rawValue: errno))
    }
    var back = termios()
    guard tcgetattr(fd, &back) == 0 else { throw .termios(path: path, Errno(rawValue: errno)) }
    if flushInput { tcflush(fd, TCIFLUSH) }
    armed = false
    return SerialDevice(
      path: path, fd: fd, exclusive: exclusive, requested: settings,
      actual: LineSettings(reading: back))
  }

  /// Reads what arrived. `.hangup` when the device or the pty master is gone (EOF or `EIO`):
  /// close this device and reopen the path when it returns (`SerialConnection.waitForPath`).
  public func read(into buffer: UnsafeMutableRawBufferPointer) -> ReadOutcome {
    guard fd >= 0 else { return .closed }
    switch TTYDescriptor(fd: fd).read(into: buffer) {
    case .bytes(let n): return .bytes(n)
    case .wouldBlock: return .wouldBlock
    case .endOfFile, .ioError: return .hangup
    case .failed: return .hangup
    }
  }

  /// Writes, paced if `pacer` is set. `.hangup` if the device is gone.
  public func write(_ bytes: UnsafeRawBufferPointer) -> WriteOutcome {
    guard fd >= 0 else { return .closed }
    switch TTYDescriptor(fd: fd).write(bytes, pacer: &pacer) {
    case .bytes(let n): return .wrote(n)
    case .wouldBlock: return .wouldBlock
    case .endOfFile, .ioError, .failed: return .hangup
    }
  }

  /// Waits until everything written has left the driver (`tcdrain`), at most as long as the
  /// driver takes. Blocks.
  public func drain() { if fd >= 0 { tcdrain(fd) } }

  /// Releases the lock (`TIOCNXCL`, so the next non-root opener is not refused) and the
  /// descriptor. Idempotent.
  public func close() {
    guard fd >= 0 else { return }
    if exclusive { _ = ioctl(fd, UInt(TIOCNXCL)) }
    Glibc.close(fd)
    fd = -1
  }
}
