import Dispatch
import Foundation
import Synchronization
import SystemPackage

#if canImport(Glibc)
  import Glibc
#endif

/// The async host API: a `SerialDevice` read by a dedicated thread blocked in `poll(2)` (no
/// busy-waiting), its bytes delivered as an `AsyncStream`, and writes that suspend the caller
/// instead of blocking the cooperative pool.
///
/// ```swift
/// let link = try SerialConnection.open(path: "/tmp/ketapump/pump0")
/// try await link.write(Array("HELLO\n".utf8))
/// for await chunk in link.bytes { ... }    // ends on hang-up or close
/// if link.endReason == .hangup { try await SerialConnection.waitForPath(link.path, timeout: .seconds(10)) }
/// ```
public final class SerialConnection: Sendable {
  /// Why `bytes` finished.
  public enum EndReason: Equatable, Sendable {
    /// The device or the simulator went away (EOF / `EIO`): wait for the path, reopen.
    case hangup
    /// `close()` was called.
    case closed
    /// An unexpected errno from `poll`.
    case failed(Errno)
  }

  /// The path opened.
  public let path: String
  /// Settings asked for and read back.
  public let requested: LineSettings
  /// Settings the driver reports.
  public let actual: LineSettings
  /// Chunks of bytes as they arrive (each ≤ 4096 bytes); finishes on hang-up or close.
  public let bytes: AsyncStream<[UInt8]>

  private let fd: Int32
  private let wakeRead: Int32
  private let wakeWrite: Int32
  private let state: Box
  private let writer: DispatchQueue
  private let readerDone = DispatchSemaphore(value: 0)

  private struct State: Sendable {
    var end: EndReason?
    var fdClosed = false
    var pacer: Pacer?
  }

  /// Shared between the connection and its reader thread (a `Mutex` cannot be captured).
  private final class Box: Sendable {
    let mutex: Mutex<State>
    init(_ s: State) { mutex = Mutex(s) }
    func withLock<R: Sendable>(_ body: (inout sending State) -> sending R) -> R {
      mutex.withLock(body)
    }
  }

  /// Opens `path` as a `SerialDevice` (exclusive, raw, input flushed) and starts reading.
  ///
  /// - Parameters:
  ///   - path: the port (device, by-id link or a virtual port's link).
  ///   - settings: line settings; a bad value throws before anything is opened.
  ///   - pacer: optional output pacing (bytes per second = baud / bits per byte).
  public static func open(
    path: String, settings: LineSettings = .standard, pacer: Pacer? = nil
  ) throws(TransportError) -> SerialConnection {
    let device = try SerialDevice.open(path: path, settings: settings)
    var pipeFDs: [Int32] = [-1, -1]
    guard pipe(&pipeFDs) == 0 else { throw .io(path: path, Errno(rawValue: errno)) }
    for end in pipeFDs {
      _ = TTYDescriptor(fd: end).makeNonBlocking()
    }
    // Hand the descriptor over (the flock belongs to the open file, so it stays held).
    let fd = dup(device.descriptor.rawValue)
    let requested = device.requested
    let actual = device.actual
    device.close()  // clears TIOCEXCL on the tty: set it again for the duplicate below
    guard fd >= 0 else {
      Glibc.close(pipeFDs[0])
      Glibc.close(pipeFDs[1])
      throw .io(path: path, Errno(rawValue: errno))
    }
    _ = ioctl(fd, UInt(TIOCEXCL))
    return SerialConnection(
      path: path, fd: fd, wake: (pipeFDs[0], pipeFDs[1]), requested: requested, actual: actual,
      pacer: pacer)
  }

  private init(
    path: String, fd: Int32, wake: (Int32, Int32), requested: LineSettings,
    actual: LineSettings, pacer: Pacer?
  ) {
    self.path = path
    self.fd = fd
    self.wakeRead = wake.0
    self.wakeWrite = wake.1
    self.requested = requested
    self.actual = actual
    self.state = Box(State(pacer: pacer))
    self.writer = DispatchQueue(label: "SerialConnection.writer")
    let (stream, continuation) = AsyncStream<[UInt8]>.makeStream(bufferingPolicy: .unbounded)
    self.bytes = stream
    let reader = Reader(fd: fd, wake: wake.0)
    let done = readerDone
    let thread = Thread { [state] in
      let reason = reader.run(continuation)
      state.withLock { if $0.end == nil { $0.end = reason } }
      continuation.finish()
      done.signal()
    }
    thread.start()
  }

  deinit { close() }

  /// Why `bytes` finished; nil while it runs.
  public var endReason: EndReason? { state.withLock { $0.end } }

  /// Writes all of `bytes`, suspending (not blocking the pool) while the kernel buffer is full
  /// or the pacer has no budget.
  /// - Throws: `.closed` after `close()`, `.io(path, EIO)` when the device hung up.
  public func write(_ bytes: [UInt8]) async throws(TransportError) {
    let result: TransportError? = await withCheckedContinuation { done in
      writer.async { [self] in done.resume(returning: self.writeBlocking(bytes)) }
    }
    if let result { throw result }
  }

  /// Runs on the writer queue: poll for POLLOUT, honour the pacer.
  private func writeBlocking(_ bytes: [UInt8]) -> TransportError? {
    var offset = 0
    while offset < bytes.count {
      let closed = state.withLock { $0.fdClosed }
      if closed { return .closed(path: path) }
      var pacer = state.withLock { $0.pacer }
      let raw = bytes[offset...].withUnsafeBytes { TTYDescriptor(fd: fd).write($0, pacer: &pacer) }
      state.withLock { $0.pacer = pacer }
      switch raw {
      case .bytes(let n):
        offset += n
      case .wouldBlock:
        var p = pacer
        let delayNs = p?.delay(now: MonotonicClock.nanoseconds()) ?? 0
        if delayNs > 0 {
          var ts = timespec(
            tv_sec: Int(delayNs / 1_000_000_000), tv_nsec: Int(delayNs % 1_000_000_000))
          nanosleep(&ts, nil)
        } else {
          var pfd = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
          _ = poll(&pfd, 1, 100)
        }
      case .endOfFile, .ioError: return .io(path: path, .ioError)
      case .failed(let e): return .io(path: path, e)
      }
    }
    return nil
  }

  /// Stops the reader, finishes `bytes` with `.closed` and releases the port. Idempotent;
  /// returns once the reader thread has let go of the descriptor.
  public func close() {
    let first = state.withLock { s -> Bool in
      guard !s.fdClosed else { return false }
      s.fdClosed = true
      if s.end == nil { s.end = .closed }
      return true
    }
    guard first else { return }
    var one: UInt8 = 1
    _ = Glibc.write(wakeWrite, &one, 1)
    readerDone.wait()
    writer.sync {}
    _ = ioctl(fd, UInt(TIOCNXCL))
    Glibc.close(fd)
    Glibc.close(wakeRead)
    Glibc.close(wakeWrite)
  }
}
