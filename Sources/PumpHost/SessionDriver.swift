import PumpCore
import PumpProtocol
import SerialTransport

/// Runs a `MonitorSession` for a front end: keeps a `MonitorState`, writes the traffic log, feeds a
/// recorder, and sends commands with their replies recorded. The front end adds printing or
/// drawing through `onObservation`, `onLink` and `onReply`.
public final class SessionDriver {
  public let session: MonitorSession
  public private(set) var state = MonitorState()
  public var recorder: SessionRecorder?
  public var trafficLog: TrafficLog?
  /// Each observation with its time since `started` (ms).
  public var onObservation: ((ClientObservation, Int64) -> Void)?
  /// Each PATIENT reading (nil: the device has no simulated patient).
  public var onPatient: ((PatientReadout?) -> Void)?
  /// Link state changes.
  public var onLink: ((LinkState, Int64) -> Void)?
  /// Each request's reply (nil: uncertain) with its time since `started`.
  public var onReply: ((HostRequest, DeviceReply?, Int64) -> Void)?
  /// Monotonic ms when the driver was made.
  public let started: Int64
  private var lastFlush: Int64

  public init(
    session: MonitorSession, recorder: SessionRecorder? = nil, trafficLog: TrafficLog? = nil
  ) {
    self.session = session
    self.recorder = recorder
    self.trafficLog = trafficLog
    started = Self.now()
    lastFlush = started
    state.port = session.options.port.description
    state.role = session.role
    session.observe = { [weak self] o in self?.observed(o) }
    session.traffic = { [weak self] sent, bytes in
      self?.trafficLog?.record(sent: sent, bytes: bytes)
    }
    session.onState = { [weak self] s in self?.linkChanged(s) }
    session.onPatient = { [weak self] p in
      guard let self else { return }
      self.state.patient = p
      self.state.patientAt = Self.now()
      self.onPatient?(p)
    }
  }

  /// Monotonic milliseconds.
  public static func now() -> Int64 { monotonic() }

  /// Milliseconds since the driver was made.
  public var elapsed: Int64 { Self.now() - started }

  /// First connection (see `MonitorSession.connect`).
  public func connect() throws(ClientError) {
    try session.connect()
    syncFromSession()
  }

  /// Sends one request and waits for its reply; records it and notes the result.
  @discardableResult
  public func execute(_ r: HostRequest, timeoutMs: Int64 = 3000) throws(ClientError)
    -> DeviceReply
  {
    let at = Self.now()
    recorder?.sent(r, at: at)
    let reply: DeviceReply?
    do { reply = try session.exchange(r, timeoutMs: timeoutMs) } catch {
      state.lastResult = "\(CommandText.of(r)): \(error.description)"
      throw error
    }
    finished(r, reply)
    guard let reply else { throw .uncertain(r) }
    if case .nak(let n) = reply.result { throw .nak(r, n) }
    return reply
  }

  private func finished(_ r: HostRequest, _ reply: DeviceReply?) {
    let at = Self.now()
    recorder?.replied(r, reply, at: at)
    if let reply, case .ack(.status(let t)) = reply.result { state.update(t, at: at) }
    state.lastResult =
      reply.map { "\(CommandText.of(r)): \(Describe.reply($0))" }
      ?? "\(CommandText.of(r)): no reply (may or may not have run)"
    onReply?(r, reply, at - started)
  }

  /// Adds a line to the monitor's event log.
  public func note(_ text: String, level: Int = 0) {
    state.add(text, level: level, at: Self.now())
  }

  /// Non-blocking step (input, heartbeat, reconnection) plus a recorder flush every 2 s.
  public func step() {
    session.step()
    syncFromSession()
    let now = Self.now()
    if now - lastFlush >= 2000 {
      recorder?.flush()
      lastFlush = now
    }
  }

  /// Runs the link for `ms`, waking on input (bounded polls, no busy loop).
  public func run(forMs ms: Int64, until stop: () -> Bool = { false }) {
    let end = Self.now() + ms
    while Self.now() < end && !stop() {
      let wait = Int32(max(min(end - Self.now(), Int64(session.idleTimeoutMs)), 0))
      if let fd = session.pollDescriptor {
        _ = try? waitReadable([.init(rawValue: fd)], timeoutMs: wait)
      } else {
        _ = try? waitReadable([], timeoutMs: wait)
      }
      step()
    }
  }

  /// Logs out, closes the port, flushes the recorder and the traffic log.
  public func close() {
    session.close()
    recorder?.flush()
    trafficLog?.close()
  }

  private func syncFromSession() {
    state.stats = session.stats
    state.device = session.device ?? state.device
    state.lineSettings = session.lineSettings ?? state.lineSettings
    state.link = session.state
    state.role = session.role
  }

  private func observed(_ o: ClientObservation) {
    let at = Self.now()
    state.apply(o, at: at)
    recorder?.observed(o, at: at)
    onObservation?(o, at - started)
  }

  private func linkChanged(_ s: LinkState) {
    let at = Self.now()
    state.link = s
    switch s {
    case .lost(let why): state.add("link lost: \(why)", level: 2, at: at)
    case .loggedIn, .connected:
      state.add("link up: \(s.label)", at: at)
      if let d = session.device { recorder?.connected(d, at: at) }
    default: break
    }
    trafficLog?.note(s.label)
    recorder?.linkChanged(s, at: at)
    onLink?(s, at - started)
  }
}
