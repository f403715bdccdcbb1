import KetaPumpTestSupport
import PumpCore
import PumpProtocol
import SerialTransport

#if canImport(Glibc)
  import Glibc
#endif

/// A host that writes exactly the bytes it is given (no session, no MAC, no retransmission) and
/// collects what the device sends back: for replays, forged logins and floods.
final class RawLine {
  let device: SerialDevice
  private var decoder = FrameDecoder()
  private var buffer = [UInt8](repeating: 0, count: 4096)
  /// Every device frame that parsed, in arrival order.
  private(set) var messages: [DeviceMessage] = []
  /// Console text lines (answers to console lines).
  private(set) var consoleLines: [String] = []

  init(path: String) throws { device = try SerialDevice.open(path: path) }

  deinit { device.close() }

  /// The replies among `messages`.
  var replies: [DeviceReply] {
    messages.compactMap { if case .reply(let r) = $0 { r } else { nil } }
  }

  /// Writes everything (waiting while the pty is full, ≤ 10 s), reading meanwhile so the
  /// device is never blocked on its own output.
  func write(_ bytes: [UInt8]) throws {
    var rest = bytes[...]
    let deadline = nowMs() + 10_000
    while !rest.isEmpty {
      switch device.write(Array(rest.prefix(4096))) {
      case .wrote(let n): rest = rest.dropFirst(n)
      case .wouldBlock:
        guard nowMs() < deadline else { throw TestFailure("port blocked for 10 s") }
        var p = pollfd(fd: device.descriptor.rawValue, events: Int16(POLLOUT), revents: 0)
        _ = poll(&p, 1, 5)
        drain()
      default: throw TestFailure("port gone while writing")
      }
    }
  }

  /// Forgets what was collected so far.
  func clear() {
    messages.removeAll()
    consoleLines.removeAll()
  }

  /// Reads and decodes for `ms`.
  func read(forMs ms: Int64) {
    let end = nowMs() + ms
    while nowMs() < end {
      _ = try? waitReadable([device.pollDescriptor], timeoutMs: Int32(max(end - nowMs(), 0)))
      drain()
    }
  }

  /// Sends one unauthenticated request frame and waits (≤ 1 s) for its reply.
  func send(_ request: HostRequest, seq: UInt32) throws -> DeviceReply? {
    try write(try FrameEncoder.frame(body: request.body(seq: seq).bytes) + [0x0D, 0x0A])
    let end = nowMs() + 1000
    while nowMs() < end {
      if let r = replies.last(where: { $0.seq == seq }) { return r }
      read(forMs: 20)
    }
    return replies.last(where: { $0.seq == seq })
  }

  private func drain() {
    while case .bytes(let n) = device.read(into: &buffer) {
      for b in buffer[0..<n] {
        switch decoder.feed(b) {
        case .framed(let body)?:
          if let f = try? ParsedFrame(body), let m = try? DeviceMessage(parsing: f) {
            messages.append(m)
          }
        case .console(let line)?: consoleLines.append(line)
        case .refused?, nil: break
        }
      }
    }
  }
}
