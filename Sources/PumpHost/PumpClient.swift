import PumpCore
import PumpProtocol
import SerialTransport
import SystemPackage

#if canImport(Glibc)
  import Glibc
#endif

/// What a client saw besides replies, in arrival order.
public enum ClientObservation: Equatable, Sendable {
  case telemetry(Telemetry, authenticated: Bool)
  case event(DeviceEvent, authenticated: Bool)
  /// Device frames lost (device sequence gap).
  case gap(missing: UInt32)
  /// A device frame that was dropped (bad MAC, unparsable).
  case dropped(String)
}

/// A synchronous KetaPump host on one serial port: HELLO, login, requests with retransmission
/// and exactly one reply, heartbeat, telemetry and events (docs/PROTOCOL.md). One thread owns
/// it; every wait is a `poll(2)` with a deadline, never a sleep loop.
///
///     let c = try PumpClient.open(path: "/tmp/ketapump-0/kp-0001", key: clinicianKey)
///     try c.hello()
///     try c.login()
///     try c.request(.start)
public final class PumpClient {
  public let path: String
  public private(set) var session: HostSession
  public let port: SerialDevice
  /// HELLO's answer.
  public private(set) var device: DeviceInfo?
  /// The latest telemetry frame.
  public private(set) var lastTelemetry: Telemetry?
  /// Called for every telemetry frame, event, gap and dropped frame.
  public var observe: ((ClientObservation) -> Void)?
  /// Called for every reply as it is read, in arrival order with `observe`'s events (a
  /// pipelining caller learns which events came before which reply: docs/PROTOCOL.md §4.6).
  public var onReply: ((DeviceReply) -> Void)?
  /// Called with every chunk of bytes written (`true`) or read (`false`), for traffic logs.
  public var traffic: ((_ sent: Bool, _ bytes: [UInt8]) -> Void)?
  /// Gaps seen in the device's frame sequence (frames missed).
  public private(set) var missedFrames: UInt64 = 0

  private var replies: [UInt32: DeviceReply] = [:]
  private var timedOut: Set<UInt32> = []
  private var loginOutcome: Result<Role, ClientError>? = nil
  private var buffer = [UInt8](repeating: 0, count: 4096)
  private var closed = false

  init(path: String, port: SerialDevice, config: HostSessionConfig) {
    self.path = path
    self.port = port
    session = HostSession(config: config)
  }

  /// Opens `path` (a tty, a pumpsim link, a socat end). `key` is needed for `login`.
  public static func open(
    path: String, settings: LineSettings = .standard, key: RoleKey? = nil,
    deviceId: String? = nil
  ) throws(ClientError) -> PumpClient {
    let port: SerialDevice
    do { port = try SerialDevice.open(path: path, settings: settings) } catch {
      throw .open(error)
    }
    var config = HostSessionConfig(key: key, deviceId: deviceId)
    config.heartbeatInterval = Milliseconds(500)
    return PumpClient(path: path, port: port, config: config)
  }

  /// Sends HELLO and waits for the device's identity.
  @discardableResult
  public func hello(timeoutMs: Int64 = 2000) throws(ClientError) -> DeviceInfo {
    let seq = try send(.hello(.current))
    guard let reply = try wait(for: seq, request: .hello(.current), timeoutMs: timeoutMs) else {
      throw .noDevice(path)
    }
    if case .nak(let n) = reply.result { throw .nak(.hello(.current), n) }
    guard let info = device else { throw .noDevice(path) }
    return info
  }

  /// Challenge-response login with the configured key.
  public func login(timeoutMs: Int64 = 3000) throws(ClientError) {
    var rng = SystemRandomNumberGenerator()
    loginOutcome = nil
    do {
      let (_, bytes) = try session.login(
        hostNonce: Handshake.randomBytes(16, using: &rng), now: now())
      try write(bytes)
    } catch let e as HostSessionError {
      throw .session(e)
    } catch let e as ClientError {
      throw e
    } catch {
      throw .authFailed("\(error)")
    }
    let deadline = monotonic() + timeoutMs
    while loginOutcome == nil && monotonic() < deadline {
      try pump(untilMs: min(deadline, monotonic() + 50))
      if session.state == .observer && loginOutcome == nil && session.outstandingCount == 0 {
        break
      }
    }
    switch loginOutcome {
    case .success: return
    case .failure(let e): throw e
    case nil: throw .authFailed("no answer to the login")
    }
  }

  /// Sends `request` and waits for its one reply. A NAK throws `.nak`; no reply after every
  /// retransmission throws `.uncertain`.
  @discardableResult
  public func request(_ request: HostRequest, timeoutMs: Int64 = 3000) throws(ClientError)
    -> DeviceReply
  {
    let seq = try send(request)
    guard let reply = try wait(for: seq, request: request, timeoutMs: timeoutMs) else {
      throw .uncertain(request)
    }
    if case .nak(let n) = reply.result { throw .nak(request, n) }
    return reply
  }

  /// Sends a request and returns its sequence number without waiting.
  public func send(_ request: HostRequest) throws(ClientError) -> UInt32 {
    let built: (seq: UInt32, bytes: [UInt8])
    do { built = try session.send(request, now: now()) } catch { throw .session(error) }
    try write(built.bytes)
    return built.seq
  }

  /// Sends `requests` in one write without waiting (pipelined: the device answers them in
  /// order); their sequence numbers, in order.
  public func send(_ requests: [HostRequest]) throws(ClientError) -> [UInt32] {
    var seqs: [UInt32] = []
    seqs.reserveCapacity(requests.count)
    var bytes: [UInt8] = []
    for r in requests {
      let built: (seq: UInt32, bytes: [UInt8])
      do { built = try session.send(r, now: now()) } catch { throw .session(error) }
      seqs.append(built.seq)
      bytes += built.bytes
    }
    try write(bytes)
    return seqs
  }

  /// Waits for the reply to `seq` (nil: timed out after retransmissions or the deadline).
  public func wait(for seq: UInt32, request: HostRequest, timeoutMs: Int64) throws(ClientError)
    -> DeviceReply?
  {
    let deadline = monotonic() + timeoutMs
    while monotonic() < deadline {
      if let r = replies.removeValue(forKey: seq) { return r }
      if timedOut.remove(seq) != nil { return nil }
      try pump(untilMs: min(deadline, monotonic() + 50))
    }
    return replies.removeValue(forKey: seq)
  }

  /// Processes input, retransmissions and heartbeats until `untilMs` (monotonic ms), returning
  /// early when something arrived.
  public func pump(untilMs: Int64) throws(ClientError) {
    try handle(session.tick(now: now()))
    // Wake for a retransmission due before `untilMs` (a short configured timeout must hold).
    let due = session.outstandingCount > 0 ? session.config.retransmitTimeout.rawValue : 1000
    let timeout = max(min(untilMs - monotonic(), due), 0)
    // One poll on the one descriptor (the array form allocates twice per wait).
    _ = try? waitReadable(port.pollDescriptor, timeoutMs: Int32(min(timeout, 1000)))
    try readAvailable()
    try handle(session.tick(now: now()))
  }

  /// Runs the link for `ms` (telemetry, events, heartbeat).
  public func run(forMs ms: Int64) throws(ClientError) {
    let end = monotonic() + ms
    while monotonic() < end { try pump(untilMs: end) }
  }

  /// Sends LOGOUT when logged in (best effort) and closes the port.
  public func close() {
    guard !closed else { return }
    closed = true
    if session.state == .loggedIn, let seq = try? send(.logout) {
      _ = try? wait(for: seq, request: .logout, timeoutMs: 300)
    }
    port.close()
  }

  deinit { if !closed { port.close() } }

  // MARK: Internals

  private func readAvailable() throws(ClientError) {
    while true {
      switch port.read(into: &buffer) {
      case .bytes(let n):
        if let traffic { traffic(false, Array(buffer[0..<n])) }
        try handle(session.receive(bytes: buffer[0..<n], now: now()))
        // A short read drained what had arrived: wait on poll for more (no read to EAGAIN).
        if n < buffer.count { return }
      case .wouldBlock: return
      case .hangup: throw .linkLost("\(path) hung up (device gone or restarted)")
      case .closed: throw .linkLost("\(path) closed")
      }
    }
  }

  private func handle(_ actions: [HostSessionAction]) throws(ClientError) {
    for a in actions {
      switch a {
      case .send(let bytes): try write(bytes)
      case .reply(_, let reply):
        replies[reply.seq] = reply
        onReply?(reply)
      case .connected(let info): device = info
      case .loggedIn(let role): loginOutcome = .success(role)
      case .loginFailed(let nak):
        loginOutcome = .failure(
          .authFailed(
            nak.map { "device refused: \($0.code.name) \($0.reason)" }
              ?? "the device could not prove it holds the key: not trusted"))
      case .telemetry(let t, let auth):
        lastTelemetry = t
        observe?(.telemetry(t, authenticated: auth))
      case .event(let e, let auth): observe?(.event(e, authenticated: auth))
      case .gap(let missing):
        missedFrames += UInt64(missing)
        observe?(.gap(missing: missing))
      case .timedOut(let seq, _): timedOut.insert(seq)
      case .droppedFrame(let why): observe?(.dropped(why))
      }
    }
  }

  /// Writes a frame: one write(2) when the line takes it whole (the usual case), the rest
  /// after POLLOUT otherwise; no copy of the frame.
  private func write(_ bytes: [UInt8]) throws(ClientError) {
    traffic?(true, bytes)
    var offset = 0
    var deadline: Int64? = nil
    while offset < bytes.count {
      let outcome = bytes.withUnsafeBytes {
        port.write(UnsafeRawBufferPointer(rebasing: $0[offset...]))
      }
      switch outcome {
      case .wrote(let n): offset += n
      case .wouldBlock:
        let limit = deadline ?? monotonic() + 2000
        deadline = limit
        if monotonic() > limit { throw .linkLost("\(path): output blocked for 2 s") }
        var p = pollfd(fd: port.pollDescriptor.rawValue, events: Int16(POLLOUT), revents: 0)
        _ = Glibc.poll(&p, 1, 20)
      case .hangup, .noPeer: throw .linkLost("\(path) hung up while writing")
      case .closed: throw .linkLost("\(path) closed")
      }
    }
  }

  private func now() -> Milliseconds { Milliseconds(monotonic()) }
}

/// Monotonic clock, ms.
func monotonic() -> Int64 { Int64(MonotonicClock.nanoseconds() / 1_000_000) }
