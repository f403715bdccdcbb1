import SystemPackage

/// The non-blocking byte surface shared by `VirtualSerialPort` (pty master, firmware side) and
/// `SerialDevice` (a real tty or a socat end, host side).
///
/// Use it generically (`func serve<Port: SerialIO>(_ port: Port)`) rather than as an
/// existential. A single-threaded super-loop waits with `waitReadable(_:timeoutMs:)` on
/// `pollDescriptor` (re-read it before every wait: a virtual port swaps it while no host is
/// attached), then calls `read(into:)` until `.wouldBlock`.
public protocol SerialIO: AnyObject {
  /// The path users know the port by (the link of a virtual port, the device of a tty).
  var path: String { get }
  /// The descriptor to poll for readability right now. Never busy: while a virtual port has no
  /// peer this is an inotify descriptor that becomes readable when a host opens the port.
  var pollDescriptor: FileDescriptor { get }
  /// Output pacing to a line rate; nil writes as fast as the kernel accepts.
  var pacer: Pacer? { get set }
  /// Reads what is available into `buffer`, never blocking.
  func read(into buffer: UnsafeMutableRawBufferPointer) -> ReadOutcome
  /// Writes as much of `bytes` as the kernel and the pacer accept, never blocking.
  func write(_ bytes: UnsafeRawBufferPointer) -> WriteOutcome
  /// Releases the port. Idempotent; later reads and writes return `.closed`.
  func close()
  /// A second descriptor an owner may poll beside `pollDescriptor` (a virtual port's inotify
  /// watch while a host is attached), nil if none. Re-read before every wait.
  var watchDescriptor: FileDescriptor? { get }
  /// For an owner that polls `pollDescriptor` (and `watchDescriptor`, if any) itself, as the
  /// firmware loop does: what that poll just saw, reported before the next `read` or `write`.
  /// The port may then skip checks the poll already answered (docs/benchmarks.md, "The wire
  /// fast path").
  func polled(revents: Int16, watchRevents: Int16)
}

extension SerialIO {
  public var watchDescriptor: FileDescriptor? { nil }
  public func polled(revents: Int16, watchRevents: Int16) {}
}

extension SerialIO {
  /// Reads into `buffer` (its whole capacity is used; on `.bytes(n)` the first n bytes are valid).
  public func read(into buffer: inout [UInt8]) -> ReadOutcome {
    buffer.withUnsafeMutableBytes { read(into: $0) }
  }

  /// Writes as much of `bytes` as possible, never blocking.
  public func write(_ bytes: [UInt8]) -> WriteOutcome {
    bytes.withUnsafeBytes { write($0) }
  }

  /// Nanoseconds until the pacer allows `count` more bytes (0 without a pacer).
  public func pacingDelayNanoseconds(
    forBytes count: Int = 1, now: UInt64 = MonotonicClock.nanoseconds()
  ) -> UInt64 {
    guard var p = pacer else { return 0 }
    defer { pacer = p }
    return p.delay(forBytes: count, now: now)
  }

  /// `pacingDelayNanoseconds` rounded up to whole milliseconds, for a `poll(2)` timeout.
  public func pacingDelayMilliseconds(forBytes count: Int = 1) -> Int32 {
    let ns = pacingDelayNanoseconds(forBytes: count)
    return Int32(min(UInt64(Int32.max), (ns + 999_999) / 1_000_000))
  }
}
